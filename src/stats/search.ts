/**
 * How the search spent its calls: per search, the scorer calls it made (a histogram, so runs add
 * up and the median is taken from the sum), how many used the run's whole budget, and how much
 * less log-loss the chosen reasoning gives the code than none (over the searches that record both).
 */
import type { RunSteps } from './types.ts';
import { countIn, ratio } from './tally.ts';

export interface SearchTally {
  refined: number;
  scorerCalls: number;
  rewardSum: number;
  /** Searches by their number of scorer calls. */
  calls: Map<string, number>;
  /** Searches that made as many calls as the run's budget (or more). */
  atBudget: number;
  /** Searches of runs whose budget is known. */
  withBudget: number;
  /** Sums of -log p of the code, without reasoning and with the chosen one. */
  baselineLoss: number;
  bestLoss: number;
}

export function tallySearch(run: RunSteps): SearchTally {
  const t: SearchTally = { refined: 0, scorerCalls: 0, rewardSum: 0, calls: new Map(), atBudget: 0, withBudget: 0, baselineLoss: 0, bestLoss: 0 };
  for (const s of run.search) {
    t.refined++;
    t.scorerCalls += s.scorerCalls;
    t.rewardSum += s.reward;
    countIn(t.calls, String(s.scorerCalls));
    if (run.budget !== undefined && run.budget > 0) {
      t.withBudget++;
      if (s.scorerCalls >= run.budget) t.atBudget++;
    }
    if (s.baselineLogprob !== undefined && s.bestLogprob !== undefined) {
      t.baselineLoss -= s.baselineLogprob;
      t.bestLoss -= s.bestLogprob;
    }
  }
  return t;
}

/** The median of a histogram of integers (the lower middle of an even count); null when empty. */
export function histogramMedian(counts: ReadonlyMap<string, number>): number | null {
  const values = [...counts].map(([v, n]) => [Number(v), n] as const).sort((a, b) => a[0] - b[0]);
  const total = values.reduce((n, [, c]) => n + c, 0);
  if (total === 0) return null;
  let seen = 0;
  for (const [v, c] of values) {
    seen += c;
    if (seen * 2 >= total) return v;
  }
  return values[values.length - 1]![0];
}

export function presentSearch(t: SearchTally) {
  return {
    refined: t.refined,
    scorerCalls: t.scorerCalls,
    meanReward: ratio(t.rewardSum, t.refined),
    medianScorerCalls: histogramMedian(t.calls),
    atBudgetShare: ratio(t.atBudget, t.withBudget),
    logLossReduction: t.baselineLoss > 0 ? 1 - t.bestLoss / t.baselineLoss : null,
  };
}
