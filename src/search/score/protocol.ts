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
import type { ScoreItem, ScoreResult } from './types.ts';
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

/**
 * What an embedded scorer is trained on: files written before the target, in writing order, under
 * one key (a run and repository). Texts come from the graph service `graph` when given, else from
 * `root` on a file system the processes share.
 */
export const CorpusRefSchema = z
  .object({ key: z.string().min(1), files: z.array(z.string()), root: z.string().min(1).optional(), graph: z.string().min(1).optional(), digest: z.string().optional() })
  .refine((c) => c.root !== undefined || c.graph !== undefined, { message: 'a corpus names a graph service or a root' });
export type CorpusRef = z.infer<typeof CorpusRefSchema>;

export const ScoreRequestBody = z.object({
  items: z.array(z.object({ context: z.string(), target: z.string() })).max(MAX_ITEMS_PER_REQUEST),
  /**
   * Score with the node's scorer for this corpus (an embedded node trains one per corpus, as an
   * agent's in-process search would); a node whose model does not learn (a served LLM) ignores it.
   */
  corpus: CorpusRefSchema.optional(),
});
export type ScoreRequestBody = z.infer<typeof ScoreRequestBody>;

/**
 * One result on the wire. Per-token numbers travel as bytes (little-endian float64 / uint32), not
 * as msgpack arrays: at batch 16 the arrays and their validation cost more than the scoring. The
 * tokens travel as lengths when they are the end of context + target (always, for the embedded
 * scorer), the client slicing them back out; as strings otherwise (a server's decoded tokens).
 */
const WireResult = z.object({
  logprob: z.number(),
  logprobs: z.instanceof(Uint8Array),
  lengths: z.instanceof(Uint8Array).optional(),
  tokens: z.array(z.string()).optional(),
});
export const ScoreResultBody = z.object({ results: z.array(WireResult) });
export type ScoreResultBody = z.infer<typeof ScoreResultBody>;
type WireResult = z.infer<typeof WireResult>;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('the scoring protocol packs numbers little-endian; this host is big-endian');
}

function bytesOf(view: Float64Array<ArrayBuffer> | Uint32Array<ArrayBuffer>): Uint8Array<ArrayBuffer> {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/** Copies (the received bytes may be unaligned) and views them as `T`. */
function viewOf<T>(bytes: Uint8Array, width: number, View: new (buffer: ArrayBuffer) => T): T {
  if (bytes.byteLength % width !== 0) throw new ScorerBadResponseError(`scoring node sent ${bytes.byteLength} bytes, not a multiple of ${width}`);
  // Buffer#slice is a view into a shared pool; copy through Uint8Array to get an aligned buffer of our own.
  return new View(Uint8Array.prototype.slice.call(bytes).buffer);
}

/** Whether `tokens` are, in order, the last characters of `prompt`. */
function endsPrompt(prompt: string, tokens: readonly string[]): boolean {
  let at = prompt.length;
  for (const t of tokens) at -= t.length;
  if (at < 0) return false;
  for (const t of tokens) {
    if (!prompt.startsWith(t, at)) return false;
    at += t.length;
  }
  return true;
}

export function encodeResults(items: readonly ScoreItem[], results: readonly ScoreResult[]): ScoreResultBody {
  return {
    results: results.map((r, k) => {
      const item = items[k]!;
      const n = r.tokens.length;
      const logprobs = new Float64Array(n);
      for (let j = 0; j < n; j++) logprobs[j] = r.tokenLogprobs[j]!;
      const out: WireResult = { logprob: r.logprob, logprobs: bytesOf(logprobs) };
      if (endsPrompt(item.context + item.target, r.tokens)) {
        const lengths = new Uint32Array(n);
        for (let j = 0; j < n; j++) lengths[j] = r.tokens[j]!.length;
        out.lengths = bytesOf(lengths);
      } else out.tokens = r.tokens;
      return out;
    }),
  };
}

export function decodeResults(items: readonly ScoreItem[], body: ScoreResultBody): ScoreResult[] {
  if (body.results.length !== items.length) {
    throw new ScorerBadResponseError(`a scoring node answered ${body.results.length} results for ${items.length} items`);
  }
  return body.results.map((w, k) => {
    const values = viewOf(w.logprobs, 8, Float64Array);
    const tokenLogprobs = new Array<number>(values.length);
    for (let j = 0; j < values.length; j++) tokenLogprobs[j] = values[j]!;
    let tokens: string[];
    if (w.tokens) tokens = w.tokens;
    else if (w.lengths) {
      const lengths = viewOf(w.lengths, 4, Uint32Array);
      const prompt = items[k]!.context + items[k]!.target;
      let end = prompt.length;
      for (const n of lengths) end -= n;
      if (end < 0) throw new ScorerBadResponseError('a scoring node sent token lengths longer than the prompt');
      tokens = new Array<string>(lengths.length);
      for (let j = 0; j < lengths.length; j++) {
        tokens[j] = prompt.slice(end, end + lengths[j]!);
        end += lengths[j]!;
      }
    } else throw new ScorerBadResponseError('a scoring node sent neither tokens nor token lengths');
    if (tokens.length !== tokenLogprobs.length) throw new ScorerBadResponseError('a scoring node sent unequal tokens and log-probs');
    return { logprob: w.logprob, tokenLogprobs, tokens };
  });
}

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
