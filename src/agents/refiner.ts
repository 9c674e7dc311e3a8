/**
 * Refining reasoning: the search over thought sequences for one target span. The local refiner
 * runs MCTS in this process against an embedded scorer trained on what the run has written before
 * the target's file (never on the file itself), so every process that refines the same target
 * computes the same result.
 */
import { guardOf, type BoundarySpec } from '../boundary/mod.ts';
import { Mcts } from '../search/mcts.ts';
import { GuardedProposer, type Proposer } from '../search/proposer.ts';
import { CorpusScorers, type Scorer } from '../search/score/mod.ts';
import type { SearchTree } from '../search/types.ts';
import type { SearchStats } from './types.ts';
import type { ProposerContext } from './policy.ts';

export interface RefineRequest {
  /** Identifies the corpus the scorer is trained on: one per run and repository. */
  corpusKey: string;
  /** The texts written before the target's file, in writing order. */
  written: readonly string[];
  context: string;
  target: string;
  proposer: Proposer;
  /**
   * The knowledge boundary (docs/reasoning.md): what of the code is the answer, and what was said
   * since the last write. No proposal that crosses it is scored or kept. Without it the whole target
   * is the answer.
   */
  boundary?: BoundarySpec;
  seed: number;
  /** Scorer calls; 0 takes the proposer's first steps without scoring. */
  budget: number;
  /** Steps to take without search (budget 0); 2 by default. */
  unsearchedSteps?: number;
  /**
   * For a search service: the run, the policy whose proposer it is, what the proposer was built
   * from, and the corpus as files: read from the graph service named `graph` when there is one,
   * else from `root` on a file system the processes share.
   */
  remote?: {
    run: string;
    policyId: string;
    proposerContext: ProposerContext;
    corpus: { root: string; files: string[]; graph?: string; digest?: string };
  };
}

export interface Refined {
  steps: string[];
  stats?: SearchStats;
  /** The search tree, for the trace viewer (plain data). */
  tree?: SearchTree;
}

export interface Refiner {
  refine(req: RefineRequest): Promise<Refined>;
}

export class LocalRefiner implements Refiner {
  private readonly corpora = new CorpusScorers();
  /** Where the time goes: searches run, and milliseconds spent in them (training included). */
  readonly stats = { refines: 0, ms: 0 };

  constructor(
    private readonly opts: {
      batchSize?: number;
      maxSteps?: number;
      /**
       * A fixed scorer (a served language model) instead of the embedded one trained per run:
       * the model already knows code, so nothing is trained on what the run writes.
       */
      scorer?: Scorer;
    } = {},
  ) {}

  async refine(req: RefineRequest): Promise<Refined> {
    const t0 = performance.now();
    try {
      return await this.refineUntimed(req);
    } finally {
      this.stats.refines++;
      this.stats.ms += performance.now() - t0;
    }
  }

  private async refineUntimed(req: RefineRequest): Promise<Refined> {
    const guard = req.boundary ? guardOf(req.boundary) : undefined;
    if (req.budget === 0 || req.target.trim().length === 0) {
      const guarded = new GuardedProposer(req.proposer, req.context, req.target, guard);
      const first = await guarded.propose([], req.unsearchedSteps ?? 2, req.seed);
      return { steps: first.map((p) => p.text) };
    }
    const search = (scorer: Scorer) =>
      new Mcts().search(
        { context: req.context, target: req.target, proposer: req.proposer, scorer, seed: req.seed, maxSteps: this.opts.maxSteps ?? 4, minSteps: 1, ...(guard ? { guard } : {}) },
        { scorerCalls: req.budget, batchSize: this.opts.batchSize ?? 8 },
      );
    const result = this.opts.scorer ? await search(this.opts.scorer) : await this.corpora.use(req.corpusKey, req.written.length, (i) => req.written[i]!, search);
    return {
      steps: result.steps,
      tree: result.tree,
      stats: {
        method: result.method,
        scorerCalls: result.scorerCalls,
        reward: result.reward,
        baselineLogprob: result.baseline.logprob,
        bestLogprob: result.logprob,
        targetTokens: result.baseline.targetTokens,
      },
    };
  }
}
