/**
 * REER-style segment refinement (reverse-engineered reasoning): start from a sequence of
 * `length` steps and refine one segment (step) at a time, in order: ask for the proposer's full
 * set of alternatives for that position (a rewrite request, as in hill-climbing: the proposer sees the
 * segment it replaces), score them together, and take the best when it improves
 * the objective. A pass that improves by less than `threshold` (nats per target token) ends the
 * search, as REER stops once the perplexity gain falls below a threshold.
 */
import { runSearch } from '../run.ts';
import type { SearchBudget, SearchMethod, SearchProblem, SearchResult } from '../types.ts';
import { scoredStart } from './initial.ts';
import { bestRewrite } from './rewrite.ts';

export interface SegmentRefinementOptions {
  length?: number;
  /** Alternatives per segment; 4 by default. */
  alternatives?: number;
  /** Minimum gain of a pass to go on; 1e-4 by default. */
  threshold?: number;
}

export class SegmentRefinement implements SearchMethod {
  readonly name = 'segment-refinement';
  constructor(private readonly opts: SegmentRefinementOptions = {}) {}

  search(problem: SearchProblem, budget: SearchBudget): Promise<SearchResult> {
    const alternatives = this.opts.alternatives ?? 4;
    const threshold = this.opts.threshold ?? 1e-4;
    return runSearch(this.name, problem, budget, async (ctx) => {
      const ev = ctx.evaluator;
      const start = await scoredStart(ctx, this.opts.length ?? 4);
      if (!start) return undefined;
      let current = start.steps;
      let currentReward = start.reward;
      for (let pass = 0; ev.remaining() > 0; pass++) {
        const before = currentReward;
        for (let i = 0; i < current.length && ev.remaining() > 0; i++) {
          const prefix = current.slice(0, i);
          const options = await ctx.proposer.propose(prefix, ctx.k, ctx.requestSeed(current, pass + 1, i), { step: current[i]!, after: current.slice(i + 1) });
          const picks = options.slice(0, alternatives);
          if (picks.length === 0) continue;
          const better = await bestRewrite(ev, current, currentReward, i, picks.map((p) => p.text));
          if (better) {
            current = better.steps;
            currentReward = better.reward;
          }
          ctx.progress();
        }
        if (currentReward - before < threshold) break;
      }
      return undefined;
    });
  }
}
