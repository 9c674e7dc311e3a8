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
import { CacheModel, type CacheModelOptions, type CacheSnapshot } from './cache-model.ts';
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

/** Below this many shared tokens, resuming is not worth a snapshot. */
const MIN_PREFIX_TOKENS = 64;

interface PrefixState {
  text: string;
  ends: Uint32Array;
  kn: Int32Array;
  cache: Int32Array;
  unseen: Map<string, number>;
  cacheState: CacheSnapshot;
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
  /** The processed start shared by recent contexts (see `preparePrefix`). */
  private prefix: PrefixState | undefined;
  private lastContext = '';

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
    // New tokens move the ids of unseen ones: the processed prefix is stale.
    this.prefix = undefined;
  }

  async scoreBatch(items: readonly ScoreItem[]): Promise<ScoreResult[]> {
    if (items.length > 0) this.preparePrefix(items);
    const results = items.map((item) => this.score(item));
    if (items.length > 0) this.lastContext = items[items.length - 1]!.context;
    return results;
  }

  /** Synchronous scoring of one item. */
  score(item: ScoreItem): ScoreResult {
    const targetEnds = tokenEnds(item.target);
    if (targetEnds.length === 0) return { logprob: 0, tokenLogprobs: [], tokens: [] };
    let reused = this.reusablePrefix(item.context);
    let contextEnds = reused > 0 ? this.withPrefixEnds(item.context) : tokenEnds(item.context);
    if (reused > 0 && contextEnds.length > this.cacheWindow) {
      // The cache window cuts into the prefix: process this context from scratch.
      reused = 0;
      contextEnds = tokenEnds(item.context);
    }
    const seqs = this.sequences(item.context, contextEnds, item.target, targetEnds, 0, reused);
    const count = targetEnds.length;
    const from = seqs.kn.length - count;
    this.fillCache(seqs, from, reused);
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
  private sequences(
    context: string,
    contextEnds: Uint32Array,
    target: string,
    targetEnds: Uint32Array,
    extra: number,
    reused = 0,
  ): ItemSequences {
    const vocab = this.ngram.vocab;
    const skip = Math.max(0, contextEnds.length - this.cacheWindow);
    const pad = this.pad;
    const length = pad + contextEnds.length - skip + targetEnds.length + extra;
    const kn = new Int32Array(length);
    const cache = new Int32Array(length);
    let unseen = new Map<string, number>();
    let i = pad;
    const prefix = this.prefix;
    if (reused > 0 && prefix) {
      kn.set(prefix.kn.subarray(0, reused), pad);
      cache.set(prefix.cache.subarray(0, reused), pad);
      unseen = new Map(prefix.unseen);
      i += reused;
    }
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
    put(context, contextEnds, reused > 0 ? reused : skip);
    put(target, targetEnds, 0);
    return { kn, cache, start: pad, unseen };
  }

  private fillCache(seqs: ItemSequences, end: number, reused = 0): void {
    let from = seqs.start;
    if (reused > 0 && this.prefix) {
      this.cache.resume(this.prefix.cacheState);
      from += reused;
    } else this.cache.reset();
    for (let i = from; i < end; i++) this.cache.add(seqs.cache, i);
  }

  /**
   * Contexts in a search share a long start (plan, design, code so far) and differ in the
   * reasoning at their end. The tokens of the start common to this batch's contexts (or to the
   * previous call's) are processed once: their ids and the cache model's state after them are
   * kept, and each context that starts with them resumes from there. Results are identical to
   * processing every context from scratch (test/score/embedded-prefix.test.ts).
   */
  private preparePrefix(items: readonly ScoreItem[]): void {
    const first = items[0]!.context;
    let common = first.length;
    const others = items.length > 1 ? items.slice(1).map((i) => i.context) : [this.lastContext];
    for (const other of others) {
      const n = Math.min(common, other.length);
      let k = 0;
      while (k < n && first.charCodeAt(k) === other.charCodeAt(k)) k++;
      common = k;
    }
    if (this.prefix && this.prefix.text.length <= common && first.startsWith(this.prefix.text)) return;
    const ends = tokenEnds(first);
    if (ends.length > this.cacheWindow) return;
    // A token is safe when every character the tokenizer looked at to cut it (up to 2 past its
    // end) lies inside the common start: then every context that shares the start cuts it alike.
    let count = 0;
    while (count < ends.length && ends[count]! + 3 <= common) count++;
    if (count < MIN_PREFIX_TOKENS) return;
    const text = first.slice(0, ends[count - 1]!);
    const prefixEnds = ends.slice(0, count);
    const seqs = this.sequences(text, prefixEnds, '', new Uint32Array(0), 0);
    this.cache.reset();
    for (let i = seqs.start; i < seqs.kn.length; i++) this.cache.add(seqs.cache, i);
    this.prefix = {
      text,
      ends: prefixEnds,
      kn: seqs.kn.slice(seqs.start),
      cache: seqs.cache.slice(seqs.start),
      unseen: seqs.unseen,
      cacheState: this.cache.snapshot(),
    };
  }

  /** How many leading tokens of this context the kept prefix supplies (0: none). */
  private reusablePrefix(context: string): number {
    const prefix = this.prefix;
    if (!prefix || !context.startsWith(prefix.text)) return 0;
    const count = prefix.ends.length;
    // The prefix's last token must be cut where it was: re-cut it in this context.
    const lastStart = count > 1 ? prefix.ends[count - 2]! : 0;
    const again = tokenEnds(context.slice(0, Math.min(context.length, prefix.text.length + 8)), lastStart);
    if (again[0] !== prefix.ends[count - 1]) return 0;
    return count;
  }

  /** The context's token ends: the prefix's, then a cut of the rest. */
  private withPrefixEnds(context: string): Uint32Array {
    const prefix = this.prefix!;
    const rest = tokenEnds(context, prefix.text.length);
    const ends = new Uint32Array(prefix.ends.length + rest.length);
    ends.set(prefix.ends);
    ends.set(rest, prefix.ends.length);
    return ends;
  }
}
