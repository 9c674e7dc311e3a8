/** The starting sequence of the local searches: the proposer's first proposal at each step. */
import type { SearchContext } from '../run.ts';

export async function initialSequence(ctx: SearchContext, length: number): Promise<string[]> {
  const steps: string[] = [];
  while (steps.length < length) {
    const [first] = await ctx.proposer.propose(steps, ctx.k, ctx.requestSeed(steps, 0));
    if (!first) break;
    steps.push(first.text);
  }
  return steps;
}

/**
 * Where both local searches start: the initial sequence of `length` steps (capped at the
 * problem's maximum) and its reward; undefined when there is nothing to start from.
 */
export async function scoredStart(ctx: SearchContext, length: number): Promise<{ steps: string[]; reward: number } | undefined> {
  const steps = await initialSequence(ctx, Math.min(length, ctx.maxSteps));
  if (steps.length === 0) return undefined;
  const [first] = await ctx.evaluator.evaluate([steps]);
  return first ? { steps, reward: first.reward } : undefined;
}
