/**
 * The scorer contract. A scorer answers a batch of (context, target) pairs with the
 * log-probability of each target given its context: summed, per token, and the tokens themselves.
 * Every scorer (embedded n-gram, OpenAI-compatible server, the bus client of scoring nodes) passes
 * the one conformance suite in test/score/conformance.ts.
 *
 * Invariants every implementation keeps:
 * - results come back in the order of the items, one per item;
 * - `tokenLogprobs.length === tokens.length` and `logprob` is their sum (natural log, <= 0);
 * - an empty target scores 0 with no tokens;
 * - scoring is a pure function of (model state, context, target): batching does not change it.
 */
export interface ScoreItem {
  context: string;
  target: string;
}

export interface ScoreResult {
  /** log P(target | context), natural log (nats), summed over the target's tokens. */
  logprob: number;
  /** log P of each target token given everything before it. */
  tokenLogprobs: number[];
  /** The target's tokens, as the scorer's tokenizer cut them. */
  tokens: string[];
}

export interface ScoreOptions {
  signal?: AbortSignal;
}

export interface Scorer {
  /** The model this scorer speaks for, e.g. `embedded-kn4` or a served model name. */
  readonly model: string;
  scoreBatch(items: readonly ScoreItem[], opts?: ScoreOptions): Promise<ScoreResult[]>;
  close(): Promise<void>;
}

/** Sum of per-token log-probabilities, the one way every scorer totals. */
export function sumLogprobs(tokenLogprobs: readonly number[]): number {
  let total = 0;
  for (const lp of tokenLogprobs) total += lp;
  return total;
}
