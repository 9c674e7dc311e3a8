/**
 * Monte Carlo tree search over reasoning steps.
 *
 * A node is a partial sequence of steps; its children extend it by one step the proposer offered.
 * There are no rollouts: a new node's sequence is scored directly (R of a partial sequence is well
 * defined), and that reward is backed up along the path that reached it.
 *
 * - Selection: PUCT, `Q + c * P * sqrt(N_parent) / (1 + N_child)`, with Q a mix of the mean and
 *   the best reward in the child's subtree, both normalised to [0, 1] over the rewards seen so far
 *   (rewards are nats per token, whose scale varies per target); P is the proposer's prior
 *   (uniform when it gives none).
 * - Progressive widening: a node may hold `ceil(widenC * N^widenAlpha)` children; the next
 *   candidate (highest prior first) is added when the count allows. Candidates come from the
 *   proposer lazily, a new request (a new variation seed) when a round is used up.
 * - Batches: `batchSize` selections are made before scoring; every node on a path takes a virtual
 *   visit of value 0 (the worst seen), so the next selection goes elsewhere, and nodes waiting for
 *   their score are not entered. The batch's new leaves go to the scorer in one scoreBatch call.
 * - Transpositions: nodes are keyed by their sequence; a sequence reached twice is one node.
 * - Exhaustion: a node is exhausted at the depth limit, or when all its proposal rounds are used,
 *   every candidate was added and every child is exhausted; it is never entered again. A descent
 *   that finds a dead end marks it and the batch goes on, so the search spends its whole budget
 *   unless the root is exhausted (every sequence of the space scored).
 * - Budget and time via the evaluator; deterministic for a seed (proposals are requested in a
 *   fixed order and scoring is pure).
 */
import type { GuardedProposal } from './proposer.ts';
import { runSearch, type SearchContext } from './run.ts';
import { sequenceKey } from './evaluator.ts';
import type { SearchBudget, SearchMethod, SearchProblem, SearchResult, SearchTree, SearchTreeNode } from './types.ts';

export interface MctsOptions {
  /** Exploration constant of PUCT (on normalised Q); 1 by default. */
  cPuct?: number;
  /** Progressive widening: children allowed = ceil(widenC * visits^widenAlpha); 1 and 0.3 by default. */
  widenC?: number;
  widenAlpha?: number;
  /** Weight of the subtree's best reward in Q (the rest is the mean); 0.5 by default. */
  maxWeight?: number;
  /** Proposal rounds per node before it counts as fully proposed; 3 by default. */
  proposalRounds?: number;
  /** Widen with the step whose gain elsewhere was best (all-moves-as-first); true by default. */
  gainOrdering?: boolean;
}

interface Edge {
  node: TreeNode;
  prior: number;
}

interface TreeNode {
  id: number;
  key: string;
  steps: string[];
  depth: number;
  parent: number;
  otherParents: number[];
  prior: number;
  edges: Edge[];
  candidates: GuardedProposal[];
  nextCandidate: number;
  rounds: number;
  proposedOut: boolean;
  visits: number;
  valueSum: number;
  best: number;
  virtual: number;
  reward: number | undefined;
  pending: boolean;
  exhausted: boolean;
}

export class Mcts implements SearchMethod {
  readonly name: string;
  constructor(
    private readonly opts: MctsOptions = {},
    name = 'mcts',
  ) {
    this.name = name;
  }

  search(problem: SearchProblem, budget: SearchBudget): Promise<SearchResult> {
    return runSearch(this.name, problem, budget, (ctx) => new MctsRun(ctx, this.opts).run());
  }
}

function stepKey(step: string): string {
  return step.trim().replace(/\s+/g, ' ');
}

class MctsRun {
  private readonly nodes: TreeNode[] = [];
  private readonly byKey = new Map<string, TreeNode>();
  private readonly root: TreeNode;
  private lo = 0;
  private hi = 0;
  /** Per step (normalised text): how much adding it changed the reward, over every scored node. */
  private readonly stepGain = new Map<string, { n: number; sum: number }>();
  private readonly cPuct: number;
  private readonly widenC: number;
  private readonly widenAlpha: number;
  private readonly maxWeight: number;
  private readonly rounds: number;
  private readonly gainOrdering: boolean;

  constructor(
    private readonly ctx: SearchContext,
    opts: MctsOptions,
  ) {
    this.cPuct = opts.cPuct ?? 1;
    this.widenC = opts.widenC ?? 1;
    this.widenAlpha = opts.widenAlpha ?? 0.3;
    this.maxWeight = opts.maxWeight ?? 0.5;
    this.rounds = opts.proposalRounds ?? 3;
    this.gainOrdering = opts.gainOrdering ?? true;
    this.root = this.newNode([], -1, 1);
    this.root.reward = 0;
    this.root.best = 0;
  }

  async run(): Promise<SearchTree> {
    const ev = this.ctx.evaluator;
    while (!this.root.exhausted && ev.remaining() > 0) {
      const leaves = await this.selectBatch(Math.min(this.ctx.batchSize, ev.remaining()));
      if (leaves.length === 0) break;
      const evals = await ev.evaluate(leaves.map((l) => l.node.steps));
      leaves.forEach(({ node, path }, i) => {
        for (const n of path) n.virtual--;
        const e = evals[i];
        node.pending = false;
        if (!e) {
          this.forget(node, path[path.length - 2]!);
          return;
        }
        node.reward = e.reward;
        const parentReward = path[path.length - 2]?.reward;
        if (parentReward !== undefined) {
          const key = stepKey(node.steps[node.steps.length - 1]!);
          const g = this.stepGain.get(key) ?? { n: 0, sum: 0 };
          g.n++;
          g.sum += e.reward - parentReward;
          this.stepGain.set(key, g);
        }
        this.lo = Math.min(this.lo, e.reward);
        this.hi = Math.max(this.hi, e.reward);
        for (const n of path) {
          n.visits++;
          n.valueSum += e.reward;
          n.best = Math.max(n.best, e.reward);
        }
        if (node.depth >= this.ctx.maxSteps) node.exhausted = true;
        this.propagateExhaustion(path);
      });
      this.ctx.progress(() => this.tree());
    }
    return this.tree();
  }

  /**
   * Up to `want` new leaves, one descent each. A descent that ends in a dead end (a node with no
   * candidate left and every child exhausted) marks that node exhausted and is tried again: each
   * such descent exhausts one more node, so the loop ends, and it ends with fewer than `want`
   * leaves only when the root itself is exhausted (every sequence of the space was reached).
   */
  private async selectBatch(want: number): Promise<{ node: TreeNode; path: TreeNode[] }[]> {
    const leaves: { node: TreeNode; path: TreeNode[] }[] = [];
    while (leaves.length < want && !this.root.exhausted) {
      const picked = await this.select();
      if (picked.leaf) leaves.push({ node: picked.leaf, path: picked.path });
      else if (!picked.path[picked.path.length - 1]!.exhausted) throw new Error('MCTS: a dead end was not marked exhausted');
    }
    return leaves;
  }

  /**
   * One descent from the root with virtual visits; returns the new leaf, or none if blocked.
   * Nodes still waiting for their score may be passed through (their estimate stands in for the
   * score, as in batched AlphaZero), so one batch can go deeper than one level.
   */
  private async select(): Promise<{ leaf?: TreeNode; path: TreeNode[] }> {
    const path: TreeNode[] = [this.root];
    let node = this.root;
    node.virtual++;
    for (;;) {
      const allowed = Math.ceil(this.widenC * Math.pow(node.visits + node.virtual, this.widenAlpha));
      let step = node.edges.length < allowed ? await this.widen(node) : undefined;
      if (!step) {
        const best = this.bestChild(node);
        step = best ? { node: best, created: false } : await this.widen(node); // all busy: widen past the limit
      }
      if (!step) {
        this.propagateExhaustion(path);
        for (const n of path) n.virtual--;
        return { path };
      }
      const child = step.node;
      child.virtual++;
      path.push(child);
      if (step.created) return { leaf: child, path };
      node = child;
    }
  }

  /** Adds the next candidate as a child (a new pending leaf, or a transposition), if any remain. */
  private async widen(node: TreeNode): Promise<{ node: TreeNode; created: boolean } | undefined> {
    if (node.depth >= this.ctx.maxSteps) return undefined;
    for (;;) {
      if (node.nextCandidate >= node.candidates.length) {
        if (node.proposedOut || node.rounds >= this.rounds) {
          node.proposedOut = true;
          return undefined;
        }
        const got = await this.ctx.proposer.propose(node.steps, this.ctx.k, this.ctx.requestSeed(node.steps, node.rounds));
        node.rounds++;
        const have = new Set(node.edges.map((e) => e.node.key));
        const fresh = got.filter((p) => !have.has(sequenceKey([...node.steps, p.text])));
        // A round with nothing new says nothing of the next one (a new seed): only the last round
        // used up makes the node proposed out.
        if (fresh.length === 0) continue;
        fresh.sort((a, b) => b.prior - a.prior);
        node.candidates = fresh;
        node.nextCandidate = 0;
      }
      if (this.gainOrdering) this.orderCandidates(node);
      const cand = node.candidates[node.nextCandidate++]!;
      const steps = [...node.steps, cand.text];
      const key = sequenceKey(steps);
      const known = this.byKey.get(key);
      if (known) {
        if (node.edges.some((e) => e.node === known)) continue;
        known.otherParents.push(node.id);
        node.edges.push({ node: known, prior: cand.prior });
        if (known.exhausted) continue;
        return { node: known, created: false };
      }
      const child = this.newNode(steps, node.id, cand.prior);
      child.pending = true;
      // At the depth limit a node is scored but never entered.
      if (child.depth >= this.ctx.maxSteps) child.exhausted = true;
      node.edges.push({ node: child, prior: cand.prior });
      return { node: child, created: true };
    }
  }

  /**
   * Puts the most promising untried candidate next: a step that raised the reward wherever it was
   * added before (all-moves-as-first, since gains of steps are close to additive), then untried
   * steps by prior, then steps that never helped.
   */
  private orderCandidates(node: TreeNode): void {
    const rest = node.candidates.slice(node.nextCandidate);
    if (rest.length < 2) return;
    const rank = (c: GuardedProposal): number => {
      const g = this.stepGain.get(stepKey(c.text));
      if (!g) return 1 + c.prior;
      const mean = g.sum / g.n;
      return mean > 0 ? 2 + mean : mean;
    };
    const ranked = rest.map((c, i) => ({ c, i, r: rank(c) })).sort((a, b) => b.r - a.r || a.i - b.i);
    ranked.forEach((x, j) => (node.candidates[node.nextCandidate + j] = x.c));
  }

  private bestChild(node: TreeNode): TreeNode | undefined {
    const range = this.hi - this.lo;
    const norm = (x: number): number => (range > 0 ? (x - this.lo) / range : 0.5);
    const sqrtN = Math.sqrt(Math.max(1, node.visits + node.virtual));
    const base = node.reward ?? this.estimate(node);
    let best: TreeNode | undefined;
    let bestScore = -Infinity;
    for (const { node: c, prior } of node.edges) {
      if (c.exhausted) continue;
      const n = c.visits + c.virtual;
      const own = c.visits > 0 ? c.best : c.reward ?? base;
      const mean = n > 0 ? (c.valueSum + (n - c.visits) * this.lo) / n : own;
      const q = (1 - this.maxWeight) * norm(mean) + this.maxWeight * norm(own);
      const score = q + (this.cPuct * prior * sqrtN) / (1 + n);
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    return best;
  }

  /** A pending node's stand-in value: its parent's reward plus its step's gain elsewhere. */
  private estimate(node: TreeNode): number {
    if (node.reward !== undefined) return node.reward;
    const parent = this.nodes[node.parent];
    const g = this.stepGain.get(stepKey(node.steps[node.steps.length - 1] ?? ''));
    return (parent ? this.estimate(parent) : 0) + (g ? g.sum / g.n : 0);
  }

  private propagateExhaustion(path: readonly TreeNode[]): void {
    for (let i = path.length - 1; i >= 0; i--) {
      const n = path[i]!;
      if (n.exhausted) continue;
      const done = n.depth >= this.ctx.maxSteps || (n.proposedOut && n.nextCandidate >= n.candidates.length && n.edges.every((e) => e.node.exhausted));
      if (!done) return;
      n.exhausted = true;
    }
  }

  /** A leaf the budget did not reach: unlinked and forgotten. */
  private forget(node: TreeNode, parent: TreeNode): void {
    parent.edges = parent.edges.filter((e) => e.node !== node);
    this.byKey.delete(node.key);
  }

  private newNode(steps: string[], parent: number, prior: number): TreeNode {
    const node: TreeNode = {
      id: this.nodes.length,
      key: sequenceKey(steps),
      steps,
      depth: steps.length,
      parent,
      otherParents: [],
      prior,
      edges: [],
      candidates: [],
      nextCandidate: 0,
      rounds: 0,
      proposedOut: false,
      visits: 0,
      valueSum: 0,
      best: -Infinity,
      virtual: 0,
      reward: undefined,
      pending: false,
      exhausted: false,
    };
    this.nodes.push(node);
    this.byKey.set(node.key, node);
    return node;
  }

  private tree(): SearchTree {
    const live = this.nodes.filter((n) => this.byKey.get(n.key) === n);
    const nodes: SearchTreeNode[] = live.map((n) => {
      const out: SearchTreeNode = {
        id: n.id,
        parent: n.parent,
        step: n.steps[n.steps.length - 1] ?? '',
        depth: n.depth,
        prior: n.prior,
        visits: n.visits,
        value: n.visits > 0 ? n.valueSum / n.visits : 0,
      };
      if (n.reward !== undefined) out.reward = n.reward;
      if (n.otherParents.length > 0) out.transpositions = [...n.otherParents];
      return out;
    });
    const bestPath: number[] = [];
    const best = this.ctx.evaluator.best.steps;
    for (let d = 0; d <= best.length; d++) {
      const n = this.byKey.get(sequenceKey(best.slice(0, d)));
      if (n) bestPath.push(n.id);
    }
    return { method: this.ctx.method, nodes, bestPath };
  }
}
