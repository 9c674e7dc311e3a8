/**
 * The search service's wire protocol: message types, schemas and subjects.
 *
 *   retrace.search.refine            durable work (work queue `search-refine`), type search.refine
 *   retrace.<run>.event.search-progress   progress after each batch, with the tree (search.progress)
 *   retrace.<run>.event.search-result     the result, once per job (search.result)
 *   retrace.search.status            the service's counters (request/reply endpoint)
 * Jobs without a run id publish their events under the run `search`.
 */
import { z } from 'zod';
import { boundarySpecSchema } from '../boundary/mod.ts';
import { CorpusRefSchema } from './score/protocol.ts';
import { subjects } from '../bus/mod.ts';
import { METHOD_NAMES } from './methods.ts';

export const SEARCH_REFINE = 'search.refine';
export const SEARCH_PROGRESS = 'search.progress';
export const SEARCH_RESULT = 'search.result';
export const SEARCH_STATUS = 'search.status';
export const SEARCH_STATUS_REQUEST = 'search.status.request';
export const SEARCH_SERVICE = 'retrace-search';
export const SEARCH_QUEUE = 'search-refine';

export const refineSubject = (): string => subjects.searchRefine();
export const statusSubject = (): string => 'retrace.search.status';
export const progressSubject = (run: string | undefined): string => subjects.event(run ?? 'search', 'search-progress');
export const resultSubject = (run: string | undefined): string => subjects.event(run ?? 'search', 'search-result');

export const RefineRequest = z.object({
  /** The caller's id for this refinement; it comes back on every event. */
  id: z.string().min(1),
  context: z.string(),
  target: z.string().min(1),
  method: z.enum(METHOD_NAMES).default('mcts'),
  budget: z.object({
    scorerCalls: z.number().int().min(0).max(100_000),
    wallMs: z.number().positive().optional(),
    batchSize: z.number().int().min(1).max(1024).optional(),
  }),
  seed: z.number().int().optional(),
  maxSteps: z.number().int().min(1).max(64).optional(),
  /** Fewest steps of the answer (SearchProblem.minSteps): 1 asks for a thought even when none beats none. */
  minSteps: z.number().int().min(0).max(64).optional(),
  lambda: z.number().min(0).optional(),
  /** Grounding for the grounded proposer. */
  language: z.enum(['typescript', 'tsx', 'javascript', 'python', 'go', 'rust', 'java', 'c', 'cpp']).optional(),
  preceding: z.string().optional(),
  /** The target's file (the grounded proposer reads words of it). */
  path: z.string().optional(),
  imports: z.array(z.object({ name: z.string(), module: z.string() })).optional(),
  knownIdentifiers: z.array(z.string()).optional(),
  /** The file's design, as the architect wrote it (the grounded proposer states its purpose). */
  design: z
    .object({
      responsibility: z.string(),
      publicInterface: z.array(z.string()),
      dependencies: z.array(z.object({ path: z.string(), why: z.string() })),
    })
    .optional(),
  /**
   * The knowledge boundary (docs/reasoning.md): proposals that cross it are never scored. Without
   * it, the whole target is the answer.
   */
  boundary: boundarySpecSchema.optional(),
  /**
   * Score with an embedded scorer trained on these files (in writing order; texts from the graph
   * service `graph`, else from `root` on a file system the service shares with the caller) instead
   * of the service's own scorer: what an agent's in-process search would use, so results are the
   * same either way.
   */
  corpus: CorpusRefSchema.optional(),
  /** Send progress events (after each batch, at most every `progressMs`); true by default. */
  progress: z.boolean().default(true),
  progressMs: z.number().min(0).default(250),
});
export type RefineRequest = z.input<typeof RefineRequest>;

export const TreeNodeSchema = z.object({
  id: z.number(),
  parent: z.number(),
  step: z.string(),
  depth: z.number(),
  prior: z.number(),
  visits: z.number(),
  value: z.number(),
  reward: z.number().optional(),
  transpositions: z.array(z.number()).optional(),
});
export const TreeSchema = z.object({ method: z.string(), nodes: z.array(TreeNodeSchema), bestPath: z.array(z.number()) });

export const ProgressEvent = z.object({
  id: z.string(),
  method: z.string(),
  scorerCalls: z.number(),
  bestReward: z.number(),
  bestSteps: z.array(z.string()),
  tree: TreeSchema.optional(),
});
export type ProgressEvent = z.infer<typeof ProgressEvent>;

export const ResultEvent = z.object({
  id: z.string(),
  ok: z.boolean(),
  error: z.string().optional(),
  result: z
    .object({
      method: z.string(),
      steps: z.array(z.string()),
      reward: z.number(),
      logprob: z.number(),
      baseline: z.object({ logprob: z.number(), targetTokens: z.number() }),
      scorerCalls: z.number(),
      batches: z.number(),
      stopped: z.string(),
      wallMs: z.number(),
      proposals: z.object({ requests: z.number(), proposed: z.number(), copyRejections: z.number(), duplicates: z.number() }),
      tree: TreeSchema,
    })
    .optional(),
});
export type ResultEvent = z.infer<typeof ResultEvent>;

export const ServiceStatus = z.object({
  instance: z.string(),
  model: z.string(),
  jobs: z.number(),
  inFlight: z.number(),
  failed: z.number(),
  scorerCalls: z.number(),
});
export type ServiceStatus = z.infer<typeof ServiceStatus>;
