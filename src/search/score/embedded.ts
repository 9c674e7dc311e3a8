/**
 * The embedded scorer, the default: no weights, no network, one CPU core. A mixture of
 *   - an interpolated modified Kneser-Ney n-gram model (kneser-ney.ts) trained on the code the run
 *     has written so far (`train`), never on the target being scored, and
 *   - a cache (copy) model (cache-model.ts) over the context and the target's own prefix,
 * so reasoning that names the target's identifiers and structure makes the target more likely.
 *
 * For a history h the next token's distribution is
 *   P(w | h) = (1 - lambda(h)) P_KN(w | h) + lambda(h) P_cache(w | h)
 * over the trained vocabulary, the tokens in the cache, and one unknown class holding
 * (1 - lambda) P_KN(unknown | h); an unknown token's log-probability is that class's plus a spelling
 * model's (a geometric length, 1/256 per ASCII character), so long novel names cost more.
 * Deterministic: the same training and the same items give the same numbers, in any batch.
 */
import { CacheModel, type CacheModelOptions } from './cache-model.ts';
import { KneserNeyModel } from './kneser-ney.ts';
import { tokenEnds } from './tokenize.ts';
import type { ScoreItem, ScoreResult, Scorer } from './types.ts';
import { UNK } from './vocabulary.ts';

export interface EmbeddedScorerOptions {
  /** n-gram order, 4 by default. */
  order?: number;
  cache?: CacheModelOptions;
  /** The cache sees at most this many of the context's last tokens (8192 by default). */
  cacheWindow?: number;
  /** Model name; `embedded-kn<order>` by default. */
  model?: string;
}

const LOG_ASCII_CHAR = Math.log(1 / 256);
const LOG_OTHER_CHAR = Math.log(0.5 / 65536);
const LOG_CONTINUE = Math.log(0.75);
const LOG_END = Math.log(0.25);

/** log-probability of a token's spelling, given that it is unknown: a sub-distribution over strings. */
export function logSpelling(token: string): number {
  let lp = LOG_END + LOG_CONTINUE * (token.length - 1);
  for (let i = 0; i < token.length; i++) lp += token.charCodeAt(i) < 128 ? LOG_ASCII_CHAR : LOG_OTHER_CHAR;
  return lp;
}

/** The next-token distribution after a context, for inspection and tests. */
export interface NextTokenDistribution {
  /** Probability of every token the model can name: trained tokens and tokens in the cache. */
  probs: Map<string, number>;
  /** Mass of every other string. */
  unknown: number;
}

/** Ids for one item: `kn` maps unseen tokens to UNK, `cache` gives each unseen string its own id. */
interface ItemSequences {
  kn: Int32Array;
  cache: Int32Array;
  /** Index of the first token after the padding. */
  start: number;
  /** Tokens outside the vocabulary, by their cache ids. */
  unseen: Map<string, number>;
}

export class EmbeddedScorer implements Scorer {
  readonly model: string;
  readonly ngram: KneserNeyModel;
  private readonly cache: CacheModel;
  private readonly cacheWindow: number;
  private readonly pad: number;

  constructor(opts: EmbeddedScorerOptions = {}) {
    this.ngram = new KneserNeyModel({ order: opts.order ?? 4 });
    this.cache = new CacheModel(opts.cache);
    this.cacheWindow = opts.cacheWindow ?? 8192;
    this.model = opts.model ?? `embedded-kn${this.ngram.order}`;
    this.pad = Math.max(this.ngram.order, this.cache.order) - 1;
  }

  /** Trains the n-gram model on one more written document (a file). Never pass a target here. */
  train(code: string): void {
    this.ngram.train(code);
  }

  async scoreBatch(items: readonly ScoreItem[]): Promise<ScoreResult[]> {
    return items.map((item) => this.score(item));
  }

  /** Synchronous scoring of one item. */
  score(item: ScoreItem): ScoreResult {
    const targetEnds = tokenEnds(item.target);
    if (targetEnds.length === 0) return { logprob: 0, tokenLogprobs: [], tokens: [] };
    const seqs = this.sequences(item.context, tokenEnds(item.context), item.target, targetEnds, 0);
    const count = targetEnds.length;
    const from = seqs.kn.length - count;
    this.fillCache(seqs, from);
    const tokens = new Array<string>(count);
    const tokenLogprobs = new Array<number>(count);
    const cache = this.cache;
    let logprob = 0;
    let start = 0;
    for (let i = from, j = 0; i < seqs.kn.length; i++, j++) {
      const token = item.target.slice(start, targetEnds[j]);
      start = targetEnds[j]!;
      const pCache = cache.probThenAdd(seqs.cache, i);
      const lambda = cache.lambda;
      let lp: number;
      if (seqs.kn[i] !== UNK) lp = Math.log((1 - lambda) * this.ngram.prob(seqs.kn, i) + lambda * pCache);
      else if (cache.seen) lp = Math.log(lambda * pCache);
      else lp = Math.log((1 - lambda) * this.ngram.prob(seqs.kn, i)) + logSpelling(token);
      tokens[j] = token;
      tokenLogprobs[j] = lp;
      logprob += lp;
    }
    return { logprob, tokenLogprobs, tokens };
  }

  /** The full next-token distribution after `context` (+ `prefix`, a target's first part). */
  distribution(context: string, prefix = ''): NextTokenDistribution {
    const seqs = this.sequences(context, tokenEnds(context), prefix, tokenEnds(prefix), 1);
    const i = seqs.kn.length - 1;
    this.fillCache(seqs, i);
    const probs = new Map<string, number>();
    const vocab = this.ngram.vocab;
    for (let id = UNK + 1; id < vocab.size; id++) {
      seqs.kn[i] = id;
      seqs.cache[i] = id;
      probs.set(vocab.token(id), this.mixture(seqs, i));
    }
    // Unseen strings that the cache knows: they carry cache ids above the vocabulary.
    for (const [token, cacheId] of seqs.unseen) {
      seqs.kn[i] = UNK;
      seqs.cache[i] = cacheId;
      probs.set(token, this.cache.prob(seqs.cache, i) * this.cache.lambda);
    }
    seqs.kn[i] = UNK;
    seqs.cache[i] = -1;
    const unknown = (1 - this.cacheLambda(seqs, i)) * this.ngram.prob(seqs.kn, i);
    return { probs, unknown };
  }

  async close(): Promise<void> {}

  /** P(seq[i] | history) under the mixture, without the spelling of an unknown token. */
  private mixture(seqs: ItemSequences, i: number): number {
    const pCache = this.cache.prob(seqs.cache, i);
    const lambda = this.cache.lambda;
    if (seqs.kn[i] !== UNK) return (1 - lambda) * this.ngram.prob(seqs.kn, i) + lambda * pCache;
    if (pCache > 0) return lambda * pCache;
    return (1 - lambda) * this.ngram.prob(seqs.kn, i);
  }

  private cacheLambda(seqs: ItemSequences, i: number): number {
    this.cache.prob(seqs.cache, i);
    return this.cache.lambda;
  }

  /**
   * Builds the id sequences for the last `cacheWindow` tokens of `context`, then `target`'s tokens,
   * then `extra` free slots. Tokens are found in the vocabulary in place; only unseen ones are copied.
   */
  private sequences(context: string, contextEnds: Uint32Array, target: string, targetEnds: Uint32Array, extra: number): ItemSequences {
    const vocab = this.ngram.vocab;
    const skip = Math.max(0, contextEnds.length - this.cacheWindow);
    const pad = this.pad;
    const length = pad + contextEnds.length - skip + targetEnds.length + extra;
    const kn = new Int32Array(length);
    const cache = new Int32Array(length);
    const unseen = new Map<string, number>();
    let i = pad;
    const put = (text: string, ends: Uint32Array, from: number): void => {
      let start = from > 0 ? ends[from - 1]! : 0;
      for (let k = from; k < ends.length; k++) {
        const end = ends[k]!;
        const id = vocab.idOf(text, start, end);
        if (id >= 0) {
          kn[i] = id;
          cache[i] = id;
        } else {
          const token = text.slice(start, end);
          let cacheId = unseen.get(token);
          if (cacheId === undefined) {
            cacheId = vocab.size + unseen.size;
            unseen.set(token, cacheId);
          }
          kn[i] = UNK;
          cache[i] = cacheId;
        }
        i++;
        start = end;
      }
    };
    put(context, contextEnds, skip);
    put(target, targetEnds, 0);
    return { kn, cache, start: pad, unseen };
  }

  private fillCache(seqs: ItemSequences, end: number): void {
    this.cache.reset();
    for (let i = seqs.start; i < end; i++) this.cache.add(seqs.cache, i);
  }
}
