/**
 * The length of a copy, as the issue states its bound: the longest run of consecutive tokens of a
 * sequence that is also a run of the answer and is not wholly held by the known texts. The guard
 * flags copies at COPY_NGRAM tokens (stricter on purpose); the figure counts runs of more than
 * MAX_COPY_RUN. Read from the same spec the guard reads (its tokens, its known n-grams), so the two
 * never disagree on what is known.
 */
import { COPY_NGRAM, copyTokens, type AnswerSpec } from '../boundary/mod.ts';

const SEP = '\u0000';

export interface CopiedRun {
  /** Tokens in the run. */
  length: number;
  tokens: string[];
}

/**
 * Runs are chains of the answer's COPY_NGRAM-grams met at consecutive positions of the sequence
 * and of the answer (one diagonal); a chain counts once one of its grams is not known.
 */
export function longestCopiedRun(spec: AnswerSpec, sequence: readonly string[]): CopiedRun | null {
  const n = COPY_NGRAM;
  const answer = copyTokens(spec.text);
  const known = new Set(spec.knownRuns);
  const at = new Map<string, number[]>();
  for (let j = 0; j + n <= answer.length; j++) {
    const key = answer.slice(j, j + n).join(SEP);
    const list = at.get(key);
    if (list) list.push(j);
    else at.set(key, [j]);
  }
  const tokens = sequence.flatMap(copyTokens);
  let best: { end: number; grams: number } | null = null;
  // Chains ending at the previous position of the sequence, by the answer position of their last gram.
  let prev = new Map<number, { grams: number; unknown: boolean }>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const cur = new Map<number, { grams: number; unknown: boolean }>();
    for (const j of at.get(tokens.slice(i, i + n).join(SEP)) ?? []) {
      const before = prev.get(j - 1);
      const chain = { grams: (before?.grams ?? 0) + 1, unknown: (before?.unknown ?? false) || !known.has(j) };
      cur.set(j, chain);
      if (chain.unknown && (!best || chain.grams > best.grams)) best = { end: i, grams: chain.grams };
    }
    prev = cur;
  }
  if (!best) return null;
  const start = best.end - best.grams + 1;
  const run = tokens.slice(start, best.end + n);
  return { length: run.length, tokens: run };
}
