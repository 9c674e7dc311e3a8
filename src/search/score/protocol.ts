/**
 * The scoring protocol on the bus, shared by nodes and clients.
 *
 * - `retrace.score.<model>` (request/reply, queue group `score-<model>`): a `score.request` with
 *   `{ items }` is answered by one node with a `score.result` `{ results }` in the same order.
 *   A failure is thrown by the node, so the bus and NATS service tooling count it; its message
 *   starts with the scorer error's class name (`ScorerRateLimitedError: ...`), which the client turns
 *   back into that class.
 * - `retrace.score.<model>.train` (publish, every node): a `score.train` `{ code }`, one more
 *   written document for scorers that learn (the embedded one).
 * - `retrace.score.<model>.stats.<node id>` (request/reply): a node's own counters.
 */
import { z } from 'zod';
import { token } from '../../bus/mod.ts';
import {
  ScorerAuthError,
  ScorerBadResponseError,
  ScorerError,
  ScorerRateLimitedError,
  ScorerUnreachableError,
  UnsupportedServerError,
} from './errors.ts';

export const SCORE_REQUEST = 'score.request';
export const SCORE_RESULT = 'score.result';
export const SCORE_TRAIN = 'score.train';
export const SCORE_STATS_REQUEST = 'score.stats.request';
export const SCORE_STATS = 'score.stats';
export const SCORING_SERVICE = 'retrace-score';

export const scoreSubject = (model: string): string => `retrace.score.${token(model)}`;
export const trainSubject = (model: string): string => `${scoreSubject(model)}.train`;
export const statsSubject = (model: string, nodeId: string): string => `${scoreSubject(model)}.stats.${token(nodeId)}`;
export const scoreQueue = (model: string): string => `score-${token(model)}`;

/** Items per request a node accepts: a client splits larger batches. */
export const MAX_ITEMS_PER_REQUEST = 1024;

export const ScoreRequestBody = z.object({
  items: z.array(z.object({ context: z.string(), target: z.string() })).max(MAX_ITEMS_PER_REQUEST),
});
export type ScoreRequestBody = z.infer<typeof ScoreRequestBody>;

export const ScoreResultBody = z.object({
  results: z.array(z.object({ logprob: z.number(), tokenLogprobs: z.array(z.number()), tokens: z.array(z.string()) })),
});
export type ScoreResultBody = z.infer<typeof ScoreResultBody>;

export const TrainBody = z.object({ code: z.string() });

export const NodeStatsBody = z.object({
  node: z.string(),
  model: z.string(),
  backend: z.string(),
  requests: z.number(),
  items: z.number(),
  targetTokens: z.number(),
  errors: z.number(),
  latencyMsTotal: z.number(),
  latencyMsMax: z.number(),
  latencyMsMean: z.number(),
  trainedDocuments: z.number(),
});
export type NodeStats = z.infer<typeof NodeStatsBody>;

const ERROR_CLASSES: Record<string, new (message: string, opts?: { cause?: unknown }) => ScorerError> = {
  ScorerUnreachableError,
  ScorerRateLimitedError,
  ScorerBadResponseError,
  UnsupportedServerError,
  ScorerAuthError,
};

/** The message a node throws for a failed batch: the class name first. */
export function failureMessage(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `Error: ${String(err)}`;
}

/** The scorer error a node's failure message stands for (ScorerError when the name is not ours). */
export function errorFromFailure(message: string, cause: unknown): ScorerError {
  const name = /^(\w+): /.exec(message)?.[1] ?? '';
  const Kind = ERROR_CLASSES[name] ?? ScorerError;
  return new Kind(`scoring node: ${message}`, { cause });
}
