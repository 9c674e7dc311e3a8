/**
 * Best-of-N: N independent sequences, each drawn step by step from the proposer (a proposal drawn
 * by prior at each step) to a length drawn uniformly from 1..maxSteps, each scored once as a
 * whole; the best wins. N is as many as the budget allows; sequences go to the scorer in batches.
 */
import { createRng, mixSeed } from '../rng.ts';
import { runSearch } from '../run.ts';
import type { SearchBudget, SearchMethod, SearchProblem, SearchResult } from '../types.ts';
import { drawByPrior } from './sampling.ts';

export class BestOfN implements SearchMethod {
  readonly name = 'best-of-n';

  search(problem: SearchProblem, budget: SearchBudget): Promise<SearchResult> {
    return runSearch(this.name, problem, budget, async (ctx) => {
      const ev = ctx.evaluator;
      let sample = 0;
      let fruitless = 0;
      while (ev.remaining() > 0 && fruitless < 4 * ctx.batchSize + 8) {
        const batch: string[][] = [];
        const want = Math.min(ctx.batchSize, ev.remaining());
        while (batch.length < want && fruitless < 4 * ctx.batchSize + 8) {
          const rng = createRng(mixSeed(ctx.seed, 'sample', sample++));
          const length = 1 + rng.int(ctx.maxSteps);
          const steps: string[] = [];
          while (steps.length < length) {
            const proposals = await ctx.proposer.propose(steps, ctx.k, rng.int(0x7fffffff));
            const p = drawByPrior(proposals, rng);
            if (!p) break;
            steps.push(p.text);
          }
          const fresh = steps.length > 0 && !ev.lookup(steps) && !batch.some((b) => b.join('\n') === steps.join('\n'));
          if (fresh) batch.push(steps);
          else fruitless++;
        }
        if (batch.length === 0) break;
        await ev.evaluate(batch);
        fruitless = 0;
        ctx.progress();
      }
      return undefined;
    });
  }
}
