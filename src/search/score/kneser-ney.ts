/**
 * Interpolated modified Kneser-Ney n-gram model (Chen & Goodman 1998), trained incrementally.
 *
 * Storage: n-grams and their contexts are hashed to 63-bit keys (two chained 32-bit mixes over the
 * token ids, nearest token first, so the context of order n+1 extends that of order n) in two
 * open-addressing tables of typed arrays:
 * - `ngrams`: key(context, w) -> count. The highest order holds raw counts; every lower order holds
 *   continuation counts N1+(. h w), the number of distinct left extensions seen.
 * - `contexts`: key(context) -> [total, N1, N2, N3+]: the sum of the counts under the context and how
 *   many words follow it with count 1, 2 and 3 or more (for the modified discounts D1, D2, D3+).
 * Both are maintained exactly on every token trained, as are the count-of-counts n1..n4 per order
 * from which the discounts are re-estimated (lazily) after training.
 *
 * Distribution: P_0(w) = 1 / (V + 1) over the V known tokens and one unknown class; then for
 * n = 1..order while the context of order n has been seen:
 *   P_n(w | h) = (c(h w) - D(c)) / total(h) + gamma(h) P_{n-1}(w | h'),
 *   gamma(h)   = (D1 N1(h) + D2 N2(h) + D3+ N3+(h)) / total(h).
 * Since D(c) <= c and gamma makes up exactly the discounted mass, every P_n sums to 1 over the known
 * tokens plus the unknown class (test/score/embedded-distribution.test.ts checks it).
 * Contexts are suffix-closed (an unseen context has no seen extension), so the loop stops at the
 * first unseen context; once c(h w) = 0 at some order it is 0 at every higher one.
 */
import { HashTable, mixHi, mixLo } from './hash-table.ts';
import { tokenEnds } from './tokenize.ts';
import { BOS, UNK, Vocabulary } from './vocabulary.ts';

const SEED_HI = 0x2545f491;
const SEED_LO = 0x6a09e667;

export interface KneserNeyOptions {
  /** n-gram order, 1..8; 4 by default. */
  order?: number;
}

export class KneserNeyModel {
  readonly order: number;
  readonly vocab = new Vocabulary();
  private readonly ngrams = new HashTable(1, 1 << 12);
  private readonly contexts = new HashTable(4, 1 << 11);
  /** countOfCounts[n * 5 + k]: n-grams of order n whose count is k (k = 1..4). */
  private readonly countOfCounts: Float64Array;
  /** discounts[n * 3 + j]: D1, D2, D3+ of order n. */
  private readonly discounts: Float64Array;
  private discountsStale = true;
  private trained = 0;
  private readonly chainHi: Uint32Array;
  private readonly chainLo: Uint32Array;

  constructor(opts: KneserNeyOptions = {}) {
    const order = opts.order ?? 4;
    if (!Number.isInteger(order) || order < 1 || order > 8) throw new RangeError(`n-gram order must be 1..8, got ${order}`);
    this.order = order;
    this.countOfCounts = new Float64Array((order + 1) * 5);
    this.discounts = new Float64Array((order + 1) * 3);
    this.chainHi = new Uint32Array(order);
    this.chainLo = new Uint32Array(order);
  }

  /** Tokens trained so far. */
  get trainedTokens(): number {
    return this.trained;
  }

  /** Bytes held by the count tables. */
  get byteLength(): number {
    return this.ngrams.byteLength + this.contexts.byteLength;
  }

  get ngramEntries(): number {
    return this.ngrams.size;
  }

  /** Adds one document (a file the run has written). Its first token is predicted from BOS padding. */
  train(text: string): void {
    const ends = tokenEnds(text);
    const pad = this.order - 1;
    const seq = new Int32Array(pad + ends.length);
    let start = 0;
    for (let j = 0; j < ends.length; j++) {
      seq[pad + j] = this.vocab.internRange(text, start, ends[j]!);
      start = ends[j]!;
    }
    this.trainSequence(seq, pad);
  }

  /** Trains the ids of `seq` from index `from` on; the `order - 1` ids before `from` are their history. */
  trainSequence(seq: Int32Array, from: number): void {
    const N = this.order;
    const chainHi = this.chainHi;
    const chainLo = this.chainLo;
    const coc = this.countOfCounts;
    for (let i = from; i < seq.length; i++) {
      const w = seq[i]!;
      let hHi = SEED_HI;
      let hLo = SEED_LO;
      chainHi[0] = hHi;
      chainLo[0] = hLo;
      for (let k = 1; k < N; k++) {
        const t = i - k >= 0 ? seq[i - k]! : BOS;
        hHi = mixHi(hHi, t);
        hLo = mixLo(hLo, t);
        chainHi[k] = hHi;
        chainLo[k] = hLo;
      }
      for (let n = N; n >= 1; n--) {
        const cHi = chainHi[n - 1]!;
        const cLo = chainLo[n - 1]!;
        const g = this.ngrams.upsert(mixHi(cHi, w), mixLo(cLo, w));
        const nd = this.ngrams.data;
        const old = nd[g]!;
        nd[g] = old + 1;
        if (old >= 1 && old <= 4) coc[n * 5 + old]!--;
        if (old + 1 <= 4) coc[n * 5 + old + 1]!++;
        const c = this.contexts.upsert(cHi, cLo);
        const cd = this.contexts.data;
        cd[c]!++;
        if (old === 0) cd[c + 1]!++;
        else if (old === 1) {
          cd[c + 1]!--;
          cd[c + 2]!++;
        } else if (old === 2) {
          cd[c + 2]!--;
          cd[c + 3]!++;
        }
        // A seen n-gram leaves every lower-order continuation count as it was.
        if (old !== 0) break;
      }
    }
    this.trained += seq.length - from;
    this.discountsStale = true;
  }

  /**
   * P(seq[i] | seq[i-1], seq[i-2], ...). `seq` holds known ids (>= 2), UNK, or BOS; at least
   * `order - 1` ids must precede `i` (pad with BOS). Predicting UNK gives the unknown class's mass.
   */
  prob(seq: Int32Array, i: number): number {
    if (this.discountsStale) this.estimateDiscounts();
    const w = seq[i]!;
    const disc = this.discounts;
    const contexts = this.contexts;
    const ngrams = this.ngrams;
    const cd = contexts.data;
    const nd = ngrams.data;
    let p = 1 / (this.vocab.size - 1);
    let hHi = SEED_HI;
    let hLo = SEED_LO;
    let alive = w > UNK;
    for (let n = 1; n <= this.order; n++) {
      if (n > 1) {
        const t = seq[i - n + 1]!;
        hHi = mixHi(hHi, t);
        hLo = mixLo(hLo, t);
      }
      const c = contexts.find(hHi, hLo);
      if (c < 0) break;
      const total = cd[c]!;
      const d1 = disc[n * 3]!;
      const d2 = disc[n * 3 + 1]!;
      const d3 = disc[n * 3 + 2]!;
      let count = 0;
      if (alive) {
        const g = ngrams.find(mixHi(hHi, w), mixLo(hLo, w));
        if (g < 0) alive = false;
        else count = nd[g]!;
      }
      const d = count === 0 ? 0 : count === 1 ? d1 : count === 2 ? d2 : d3;
      p = (count - d + (d1 * cd[c + 1]! + d2 * cd[c + 2]! + d3 * cd[c + 3]!) * p) / total;
    }
    return p;
  }

  private estimateDiscounts(): void {
    const coc = this.countOfCounts;
    for (let n = 1; n <= this.order; n++) {
      const n1 = coc[n * 5 + 1]!;
      const n2 = coc[n * 5 + 2]!;
      const n3 = coc[n * 5 + 3]!;
      const n4 = coc[n * 5 + 4]!;
      let d1 = 0.5;
      let d2 = 1.0;
      let d3 = 1.5;
      if (n1 > 0 && n2 > 0) {
        const y = n1 / (n1 + 2 * n2);
        d1 = 1 - (2 * y * n2) / n1;
        d2 = n3 > 0 ? 2 - (3 * y * n3) / n2 : d1;
        d3 = n3 > 0 && n4 > 0 ? 3 - (4 * y * n4) / n3 : d2;
      }
      // D(c) <= c keeps the distribution proper; D > 0 keeps mass for the lower orders and unknowns.
      this.discounts[n * 3] = clamp(d1, 0.05, 1);
      this.discounts[n * 3 + 1] = clamp(d2, 0.05, 2);
      this.discounts[n * 3 + 2] = clamp(d3, 0.05, 3);
    }
    this.discountsStale = false;
  }
}

function clamp(x: number, lo: number, hi: number): number {
  return Number.isFinite(x) ? Math.min(hi, Math.max(lo, x)) : lo;
}
