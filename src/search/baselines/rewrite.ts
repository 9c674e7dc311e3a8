/**
 * One rewrite round at one position, as hill-climbing and segment refinement both do it: every
 * pick replaces step `i`, all are scored in one batch, and the best one that beats the current
 * reward is kept.
 */
import type { Evaluator } from '../evaluator.ts';

export async function bestRewrite(
  ev: Evaluator,
  current: readonly string[],
  currentReward: number,
  i: number,
  picks: readonly string[],
): Promise<{ steps: string[]; reward: number } | undefined> {
  const candidates = picks.map((p) => current.map((s, j) => (j === i ? p : s)));
  const evals = await ev.evaluate(candidates);
  let bestAt = -1;
  evals.forEach((e, j) => {
    if (e && e.reward > currentReward && (bestAt < 0 || e.reward > evals[bestAt]!.reward)) bestAt = j;
  });
  return bestAt >= 0 ? { steps: candidates[bestAt]!, reward: evals[bestAt]!.reward } : undefined;
}
