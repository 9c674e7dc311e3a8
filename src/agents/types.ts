/**
 * The agents' shared vocabulary: roles, trajectory steps, and the facts policies write from.
 * Everything here is plain data that travels in messages, so each type has its zod schema.
 */
import { z } from 'zod';

export const ROLES = ['planner', 'architect', 'coder', 'tester', 'debugger'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

export type StepKind = 'think' | 'action' | 'observation';
export type Tool = 'brief' | 'read' | 'write' | 'edit' | 'check' | 'plan' | 'design';

export const searchStatsSchema = z.object({
  method: z.string(),
  scorerCalls: z.number(),
  reward: z.number(),
  baselineLogprob: z.number(),
  bestLogprob: z.number(),
  targetTokens: z.number(),
});
export type SearchStats = z.infer<typeof searchStatsSchema>;

export const stepSchema = z.object({
  role: roleSchema,
  kind: z.enum(['think', 'action', 'observation']),
  /** `brief`: what the team is given before anything is written (README, manifests, file tree). */
  tool: z.enum(['brief', 'read', 'write', 'edit', 'check', 'plan', 'design']).optional(),
  path: z.string().optional(),
  /** What the model sees (and, unless `train` is false, learns from). */
  text: z.string(),
  /** Observations are context, not targets: false. */
  train: z.boolean(),
  /** Policy id@revision that produced the step. */
  policy: z.string(),
  /** Replay of a write: `create` replaces the file, `append` adds to it. */
  write: z.object({ mode: z.enum(['create', 'append']) }).optional(),
  /** Replay of an edit: `old` occurs exactly once in the file and becomes `new`. */
  edit: z.object({ old: z.string(), new: z.string() }).optional(),
  search: searchStatsSchema.optional(),
  /**
   * Why a step that is not an observation is not trained on: a faulty draft teaches the bug; a
   * lock file, a generated or minified file or a large data file is replayed, not learnt; in a
   * corpus, a file already trained on (a fork, a vendored copy) or one sharing 13-grams with a
   * text the user excluded (a benchmark's solutions) is replayed, not learnt twice or at all.
   */
  untrained: z.enum(['faulty-draft', 'lock-file', 'generated', 'minified', 'data', 'duplicate', 'contaminated']).optional(),
  /**
   * On a check's observation: findings, and how many of them the real, unmodified file has too
   * (the checker's limits, not faults).
   */
  check: z.object({ findings: z.number().int(), baseline: z.number().int() }).optional(),
  /** On a Read's observation: `design` when the file is not written yet (an import cycle). */
  source: z.enum(['file', 'design']).optional(),
});
export type Step = z.infer<typeof stepSchema>;

export const repoRefSchema = z.object({
  /** Short name, used in subjects and the dataset. */
  name: z.string().min(1),
  /** Absolute path of the repository (on the agents' file system, unless `graph` is set). */
  root: z.string().min(1),
  /**
   * The graph service serving the repository (`retrace graph-service --name`): agents take the
   * index and the files' texts from it and need no copy of the repository.
   */
  graph: z.string().min(1).optional(),
  /** With `graph`: the digest of the version the run works on (the service must serve it). */
  digest: z.string().optional(),
});
export type RepoRef = z.infer<typeof repoRefSchema>;

export const milestoneSchema = z.object({
  title: z.string(),
  goal: z.string(),
  files: z.array(z.string()),
});
export type Milestone = z.infer<typeof milestoneSchema>;

export const planSchema = z.object({
  overview: z.string(),
  requirements: z.array(z.string()),
  milestones: z.array(milestoneSchema),
});
export type Plan = z.infer<typeof planSchema>;

export const fileDesignSchema = z.object({
  path: z.string(),
  responsibility: z.string(),
  publicInterface: z.array(z.string()),
  dependencies: z.array(z.object({ path: z.string(), why: z.string() })),
});
export type FileDesign = z.infer<typeof fileDesignSchema>;

/** A finding of the tester's checks: real output of a real check. */
export const findingSchema = z.object({
  check: z.enum(['syntax', 'undefined-name', 'arity']),
  line: z.number(),
  message: z.string(),
});
export type Finding = z.infer<typeof findingSchema>;
