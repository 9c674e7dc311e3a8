/**
 * The paper's hill-climbing (arXiv 2603.11103): start from a sequence of `length` steps; in each
 * iteration, for each step in turn, ask for 2 rewrites of that step (a rewrite request: the
 * proposer sees the step it rewrites and the steps around it; a new variation per iteration),
 * score the sequence with each, and keep the better
 * rewrite when it improves the objective (lower perplexity of the real code, less the length
 * penalty). The paper stops after 3 iterations; here, by default, iterations go on while the
 * budget lasts, so this baseline is never starved at large budgets (set `iterations: 3` for the
 * paper's exact setting, 1 + 6 * length calls).
 */
import { runSearch } from '../run.ts';
import type { SearchBudget, SearchMethod, SearchProblem, SearchResult } from '../types.ts';
import { scoredStart } from './initial.ts';
import { bestRewrite } from './rewrite.ts';

export interface HillClimbingOptions {
  /** Steps in the sequence; 4 by default. */
  length?: number;
  /** Rewrites per step; 2 (the paper). */
  rewrites?: number;
  /** Iterations; unlimited (until the budget) by default, 3 in the paper. */
  iterations?: number;
}

export class HillClimbing implements SearchMethod {
  readonly name: string;
  constructor(private readonly opts: HillClimbingOptions = {}) {
    this.name = opts.iterations !== undefined ? `hill-climbing-${opts.iterations}it` : 'hill-climbing';
  }

  search(problem: SearchProblem, budget: SearchBudget): Promise<SearchResult> {
    const rewrites = this.opts.rewrites ?? 2;
    const iterations = this.opts.iterations ?? Infinity;
    return runSearch(this.name, problem, budget, async (ctx) => {
      const ev = ctx.evaluator;
      const start = await scoredStart(ctx, this.opts.length ?? 4);
      if (!start) return undefined;
      let current = start.steps;
      let currentReward = start.reward;
      ctx.progress();
      // Rewrites already scored cost nothing; when iterations stop finding new ones, stop.
      let fruitless = 0;
      for (let it = 0; it < iterations && ev.remaining() > 0 && fruitless < 3; it++) {
        const callsBefore = ev.calls;
        let proposedAny = false;
        for (let i = 0; i < current.length && ev.remaining() > 0; i++) {
          const prefix = current.slice(0, i);
          const options = await ctx.proposer.propose(prefix, ctx.k, ctx.requestSeed(current, it + 1, i), { step: current[i]!, after: current.slice(i + 1) });
          const picks = options.slice(0, rewrites);
          if (picks.length === 0) continue;
          proposedAny = true;
          const better = await bestRewrite(ev, current, currentReward, i, picks.map((p) => p.text));
          if (better) {
            current = better.steps;
            currentReward = better.reward;
          }
          ctx.progress();
        }
        if (!proposedAny) break;
        fruitless = ev.calls === callsBefore ? fruitless + 1 : 0;
      }
      return undefined;
    });
  }
}
