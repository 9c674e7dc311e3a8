/**
 * How much reasoning precedes how much code: per write, the characters of the trained thinks of
 * its segment that are about its file (a tester's verdict on the file before is not reasoning
 * for this one), bucketed by the write's length; and for test files, how much of their code has
 * any reasoning before it.
 */
import { isTestFile } from '../graph/mod.ts';
import type { RunContext } from './run-context.ts';
import type { Segment } from './segments.ts';
import { ratio } from './tally.ts';

export const BUCKETS = [
  { key: 'lt500', below: 500 },
  { key: 'lt2k', below: 2_000 },
  { key: 'lt10k', below: 10_000 },
  { key: 'ge10k', below: Infinity },
] as const;
export type BucketKey = (typeof BUCKETS)[number]['key'];

export interface BucketTally {
  writes: number;
  codeChars: number;
  reasoningChars: number;
  writesWithoutReasoning: number;
}

export interface ReasoningTally {
  buckets: Record<BucketKey, BucketTally>;
  testFiles: { writes: number; codeChars: number; reasonedChars: number; reasoningChars: number };
}

export function tallyReasoning(ctx: RunContext, segments: readonly Segment[]): ReasoningTally {
  const empty = (): BucketTally => ({ writes: 0, codeChars: 0, reasoningChars: 0, writesWithoutReasoning: 0 });
  const buckets = { lt500: empty(), lt2k: empty(), lt10k: empty(), ge10k: empty() };
  const testFiles = { writes: 0, codeChars: 0, reasonedChars: 0, reasoningChars: 0 };
  for (const seg of segments) {
    const w = ctx.steps[seg.writePos]!;
    const code = w.tool === 'edit' ? (w.edit?.new.length ?? 0) : w.text.length;
    let reasoning = 0;
    for (const s of seg.steps) if (s.kind === 'think' && (s.path === undefined || s.path === w.path)) reasoning += s.text.length;
    const b = buckets[BUCKETS.find((x) => code < x.below)!.key];
    b.writes++;
    b.codeChars += code;
    b.reasoningChars += reasoning;
    if (reasoning === 0) b.writesWithoutReasoning++;
    if (isTestFile(w.path!)) {
      testFiles.writes++;
      testFiles.codeChars += code;
      testFiles.reasoningChars += reasoning;
      if (reasoning > 0) testFiles.reasonedChars += code;
    }
  }
  return { buckets, testFiles };
}

export function presentReasoning(t: ReasoningTally) {
  const buckets = Object.fromEntries(
    BUCKETS.map(({ key }) => {
      const b = t.buckets[key];
      return [key, { ...b, reasoningPerCode: ratio(b.reasoningChars, b.codeChars), noReasoningShare: ratio(b.writesWithoutReasoning, b.writes) }];
    }),
  ) as Record<BucketKey, BucketTally & { reasoningPerCode: number | null; noReasoningShare: number | null }>;
  const big = [t.buckets.lt10k, t.buckets.ge10k];
  const sum = (key: keyof BucketTally) => big.reduce((n, b) => n + b[key], 0);
  return {
    reasoningPerCode: buckets,
    /** Writes of 2,000 characters or more, together: where reasoning used to thin out. */
    over2k: { writes: sum('writes'), codeChars: sum('codeChars'), reasoningChars: sum('reasoningChars'), reasoningPerCode: ratio(sum('reasoningChars'), sum('codeChars')) },
    testFiles: { ...t.testFiles, share: ratio(t.testFiles.reasonedChars, t.testFiles.codeChars), reasoningPerCode: ratio(t.testFiles.reasoningChars, t.testFiles.codeChars) },
  };
}
