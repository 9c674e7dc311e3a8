/**
 * The agents' messages: work for each role (durable, on `retrace.<run>.work.<role>`), the result
 * of each piece of work (durable, on `retrace.<run>.result.<role>`), and each step as it happens
 * (on `retrace.<run>.trace`, for live tracing). docs/protocol.md tells the order of a run.
 */
import { z } from 'zod';
import { fileDesignSchema, findingSchema, milestoneSchema, planSchema, repoRefSchema, roleSchema, stepSchema } from './types.ts';

export const MSG = {
  work: 'agent.work',
  result: 'agent.result',
  step: 'agent.step',
  /** A search's outcome and tree, on `retrace.<run>.event.search`. */
  search: 'agent.search',
} as const;

const common = {
  run: z.string().min(1),
  /** Unique per piece of work in a run; with `attempt`, the producer's dedupe id. */
  job: z.string().min(1),
  /**
   * Which start of the run this is (a resumed run keeps its attempt): work and results of an
   * earlier run under the same id are neither deduplicated against this one's nor taken for its.
   */
  attempt: z.string().optional(),
  seed: z.number().int(),
  repo: repoRefSchema,
  /** Scorer calls the search may spend per refined chunk (0: no search, first proposals). */
  budget: z.number().int().min(0),
};

export const workSchema = z.discriminatedUnion('role', [
  z.object({ ...common, role: z.literal('planner') }),
  z.object({ ...common, role: z.literal('architect'), overview: z.string(), milestone: milestoneSchema }),
  z.object({
    ...common,
    role: z.literal('coder'),
    path: z.string(),
    design: fileDesignSchema,
    /** Share of files whose first draft carries a fault (a debugging episode). */
    faultRate: z.number().min(0).max(1),
    /** Designs of the files it reads that are not written yet (an import cycle): what those Reads return. */
    readDesigns: z.array(fileDesignSchema).optional(),
  }),
  z.object({
    ...common,
    role: z.literal('tester'),
    path: z.string(),
    mode: z.enum(['check', 'write-test']),
    /** The file as written so far (check mode). */
    content: z.string().optional(),
    /** Designs of the files it reads that are not written yet (write-test mode). */
    readDesigns: z.array(fileDesignSchema).optional(),
  }),
  z.object({ ...common, role: z.literal('debugger'), path: z.string(), content: z.string(), findings: z.array(findingSchema) }),
]);
export type Work = z.infer<typeof workSchema>;
export type WorkOf<R extends Work['role']> = Extract<Work, { role: R }>;

export const resultSchema = z.object({
  run: z.string(),
  job: z.string(),
  attempt: z.string().optional(),
  role: roleSchema,
  /** Who did it: `role/instance`. */
  by: z.string(),
  steps: z.array(stepSchema),
  /** Role-specific output. */
  plan: planSchema.optional(),
  designs: z.array(fileDesignSchema).optional(),
  content: z.string().optional(),
  passed: z.boolean().optional(),
  findings: z.array(findingSchema).optional(),
  faulty: z.boolean().optional(),
  /** Set when the work could not be done: the reason, for the run to report. */
  error: z.string().optional(),
});
export type WorkResult = z.infer<typeof resultSchema>;

export const acceptWork = { [MSG.work]: workSchema };
export const acceptResult = { [MSG.result]: resultSchema };

export const workSubject = (run: string, role: string) => `retrace.${run}.work.${role}`;
export const resultSubject = (run: string, role: string) => `retrace.${run}.result.${role}`;
/** One durable queue per role, shared by every run. */
export const roleQueue = (role: string) => ({ name: `role-${role}`, subjects: [`retrace.*.work.${role}`] });
/** One durable queue of results per run. */
export const resultQueue = (run: string) => ({ name: `results-${run}`, subjects: [`retrace.${run}.result.>`] });
