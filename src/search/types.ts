/**
 * The search contract shared by MCTS and every baseline: one problem, one budget, one result
 * shape, one accounting (evaluator.ts). A method is a function of (problem, budget) and nothing
 * else, deterministic for the problem's seed.
 */
import type { SequenceGuard } from '../boundary/mod.ts';
import type { ObjectiveOptions } from './objective.ts';
import type { Proposer } from './proposer.ts';
import type { Scorer } from './score/mod.ts';

export interface SearchProblem {
  /** c: plan, design, trajectory so far, ranked repo context. */
  context: string;
  /** y: the code the reasoning must predict. */
  target: string;
  proposer: Proposer;
  scorer: Scorer;
  /**
   * The knowledge boundary for this target (docs/reasoning.md): a proposal is scored only when the
   * guard admits the sequence it ends. Without one, the whole target is the answer: no name, literal
   * or run of it may be stated.
   */
  guard?: SequenceGuard;
  objective?: ObjectiveOptions;
  /** 0 by default. */
  seed?: number;
  /** Longest reasoning, in steps; 6 by default. */
  maxSteps?: number;
  /** Proposals asked for per request; 6 by default. */
  proposalsPerRequest?: number;
  /**
   * Fewest steps the answer may have: 0 by default (no reasoning may win). With 1, the answer is
   * the best sequence of at least one step that was scored, even when none beats no reasoning:
   * the search then chooses which thought comes before the code, not whether one does.
   */
  minSteps?: number;
}

export interface SearchBudget {
  /**
   * Scorer calls: (context, target) items scored for candidate reasoning. Sequences already
   * scored are answered from the evaluator's table and cost nothing. The one no-reasoning
   * baseline item every method scores first is not counted.
   */
  scorerCalls: number;
  /** Wall-clock limit; the search stops at the next batch boundary after it. */
  wallMs?: number;
  /** Items per scoreBatch call, for the methods that can batch (MCTS, best-of-N); 1 by default. */
  batchSize?: number;
  signal?: AbortSignal;
  /** Called after every batch, with the tree when the method keeps one. */
  onProgress?: (progress: SearchProgress) => void;
}

export interface SearchProgress {
  method: string;
  scorerCalls: number;
  bestReward: number;
  bestSteps: readonly string[];
  tree?: SearchTree;
}

/** A node of the search tree as the trace viewer reads it: plain data, JSON-safe. */
export interface SearchTreeNode {
  id: number;
  /** -1 for the root (the empty reasoning). */
  parent: number;
  /** The step this node adds to its parent's sequence ('' at the root). */
  step: string;
  depth: number;
  prior: number;
  visits: number;
  /** Mean backed-up value (MCTS), or the reward for searches without visits. */
  value: number;
  /** R of this node's sequence, when it was scored. */
  reward?: number;
  /** Ids of other parents whose sequences transposed into this node. */
  transpositions?: number[];
}

export interface SearchTree {
  method: string;
  nodes: SearchTreeNode[];
  bestPath: number[];
}

export type StopReason = 'budget' | 'time' | 'exhausted' | 'aborted';

export interface SearchResult {
  method: string;
  /** The best reasoning found (possibly empty: no reasoning beat none). */
  steps: string[];
  reward: number;
  /** log P(y | c, z) of the best steps. */
  logprob: number;
  /** The no-reasoning baseline: log P(y | c) and tokens(y). */
  baseline: { logprob: number; targetTokens: number };
  scorerCalls: number;
  /** scoreBatch invocations, the baseline's included. */
  batches: number;
  /** Best reward after each scorer call: `curve[i]` is the anytime answer at budget i + 1. */
  curve: number[];
  tree: SearchTree;
  proposals: { requests: number; proposed: number; copyRejections: number; duplicates: number };
  stopped: StopReason;
  wallMs: number;
}

export interface SearchMethod {
  readonly name: string;
  search(problem: SearchProblem, budget: SearchBudget): Promise<SearchResult>;
}
