/**
 * Greedy: take the proposer's first proposal at each step, score every prefix, and keep the best
 * prefix. It spends at most `maxSteps` calls; the rest of a larger budget stays unused.
 */
import { runSearch } from '../run.ts';
import type { SearchBudget, SearchMethod, SearchProblem, SearchResult } from '../types.ts';

export class Greedy implements SearchMethod {
  readonly name = 'greedy';

  search(problem: SearchProblem, budget: SearchBudget): Promise<SearchResult> {
    return runSearch(this.name, problem, budget, async (ctx) => {
      const steps: string[] = [];
      while (steps.length < ctx.maxSteps && ctx.evaluator.remaining() > 0) {
        const [first] = await ctx.proposer.propose(steps, ctx.k, ctx.requestSeed(steps, 0));
        if (!first) break;
        steps.push(first.text);
        const [ev] = await ctx.evaluator.evaluate([steps]);
        if (!ev) break;
        ctx.progress();
      }
      return undefined;
    });
  }
}
