/**
 * What every search method shares around its core loop: the evaluator (budget accounting), the
 * guarded proposer (copy guard), the seed, and the result's assembly. A method supplies only its
 * core, which spends the evaluator's budget and may return its own tree.
 */
import { Evaluator } from './evaluator.ts';
import { GuardedProposer } from './proposer.ts';
import { mixSeed } from './rng.ts';
import type { SearchBudget, SearchProblem, SearchResult, SearchTree, SearchTreeNode } from './types.ts';

export interface SearchContext {
  method: string;
  evaluator: Evaluator;
  proposer: GuardedProposer;
  seed: number;
  maxSteps: number;
  k: number;
  batchSize: number;
  /** A seed for a proposal request, stable for (method seed, sequence, attempt, position rewritten). */
  requestSeed(steps: readonly string[], attempt: number, rewriting?: number): number;
  progress(tree?: () => SearchTree): void;
}

export type SearchCore = (ctx: SearchContext) => Promise<SearchTree | undefined>;

export async function runSearch(method: string, problem: SearchProblem, budget: SearchBudget, core: SearchCore): Promise<SearchResult> {
  if (!(budget.scorerCalls >= 0)) throw new RangeError('budget.scorerCalls must be >= 0');
  const evaluator = await Evaluator.start(problem.scorer, problem.context, problem.target, budget, problem.objective);
  const proposer = new GuardedProposer(problem.proposer, problem.context, problem.target, problem.guard);
  const seed = problem.seed ?? 0;
  const ctx: SearchContext = {
    method,
    evaluator,
    proposer,
    seed,
    maxSteps: problem.maxSteps ?? 6,
    k: problem.proposalsPerRequest ?? 6,
    batchSize: Math.max(1, Math.floor(budget.batchSize ?? 1)),
    requestSeed: (steps, attempt, rewriting) => (rewriting === undefined ? mixSeed(seed, attempt, ...steps) : mixSeed(seed, attempt, 'rewrite', rewriting, ...steps)),
    progress(tree) {
      if (!budget.onProgress) return;
      const best = evaluator.best;
      const p: Parameters<NonNullable<SearchBudget['onProgress']>>[0] = { method, scorerCalls: evaluator.calls, bestReward: best.reward, bestSteps: best.steps };
      if (tree) p.tree = tree();
      budget.onProgress(p);
    },
  };
  const tree = (await core(ctx)) ?? trieOf(method, evaluator);
  const best = (problem.minSteps ?? 0) > 0 && evaluator.best.steps.length === 0 ? (evaluator.bestWithSteps ?? evaluator.best) : evaluator.best;
  return {
    method,
    steps: [...best.steps],
    reward: best.reward,
    logprob: best.logprob,
    baseline: { logprob: evaluator.baselineLogprob, targetTokens: evaluator.targetTokens },
    scorerCalls: evaluator.calls,
    batches: evaluator.batches,
    curve: [...evaluator.curve],
    tree,
    proposals: { ...proposer.stats },
    stopped: evaluator.stopReason() ?? 'exhausted',
    wallMs: evaluator.elapsedMs(),
  };
}

/** The prefix tree of every sequence a search scored: the tree of a search that keeps none. */
export function trieOf(method: string, evaluator: Evaluator): SearchTree {
  const nodes: SearchTreeNode[] = [{ id: 0, parent: -1, step: '', depth: 0, prior: 1, visits: 0, value: 0, reward: 0 }];
  const children = new Map<string, number>();
  const idOf = (steps: readonly string[]): number => {
    let id = 0;
    steps.forEach((step, depth) => {
      const key = `${id}\u0000${step}`;
      let next = children.get(key);
      if (next === undefined) {
        next = nodes.length;
        nodes.push({ id: next, parent: id, step, depth: depth + 1, prior: 0, visits: 0, value: 0 });
        children.set(key, next);
      }
      id = next;
    });
    return id;
  };
  for (const ev of evaluator.evaluations()) {
    const node = nodes[idOf(ev.steps)]!;
    node.reward = ev.reward;
    node.value = ev.reward;
    node.visits = 1;
  }
  const bestPath: number[] = [0];
  let id = 0;
  for (const step of evaluator.best.steps) {
    id = children.get(`${id}\u0000${step}`)!;
    bestPath.push(id);
  }
  return { method, nodes, bestPath };
}
