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
