import { describe, expect, it } from 'vitest';
import { Mcts, type Proposer } from '../../src/search/mod.ts';
import { KeywordScorer, ListProposer } from './support.ts';

const steps = ['a1', 'b2', 'c3', 'd4', 'e5', 'f6', 'g7', 'h8'];
const base = { context: 'ctx', target: 'code', maxSteps: 3, objective: { lambda: 0 } };

describe('MCTS', () => {
  it('sends full batches: one scoreBatch call per batch of batchSize leaves', async () => {
    const scorer = new KeywordScorer({ a1: 1, c3: 2, h8: 3 });
    const r = await new Mcts().search({ ...base, proposer: new ListProposer(steps), scorer }, { scorerCalls: 40, batchSize: 8 });
    expect(r.scorerCalls).toBe(40);
    expect(scorer.batches).toEqual([1, 8, 8, 8, 8, 8]);
  });

  it('never scores a sequence twice (transpositions and repeats are free)', async () => {
    const echo: Proposer = { name: 'echo', propose: async (req) => [{ text: 'same' }, { text: 'same ' }, { text: `other${req.steps.length}` }, { text: 'x' }] };
    const scorer = new KeywordScorer({ same: 1 });
    const r = await new Mcts().search({ ...base, proposer: echo, scorer }, { scorerCalls: 100, batchSize: 4 });
    expect(new Set(scorer.contexts).size).toBe(scorer.contexts.length);
    expect(r.stopped).toBe('exhausted');
    expect(r.scorerCalls).toBeLessThan(100);
    expect(r.proposals.duplicates).toBeGreaterThan(0);
  });

  it('merges identical sequences reached from different parents into one node', async () => {
    // Steps that normalise to one key: 'p  q' at depth 2 via either first step.
    const prop: Proposer = { name: 'p', propose: async (req) => (req.steps.length === 0 ? [{ text: 'one' }, { text: 'one ' }] : [{ text: 'two' }]) };
    const r = await new Mcts().search({ ...base, proposer: prop, scorer: new KeywordScorer({ two: 1 }) }, { scorerCalls: 10 });
    const keys = r.tree.nodes.map((n) => `${n.parent}:${n.step}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(r.steps).toEqual(['one', 'two']);
  });

  it('widens progressively: the root holds ceil(N^0.3) children, not all candidates', async () => {
    const r = await new Mcts().search({ ...base, proposer: new ListProposer(steps), scorer: new KeywordScorer({ a1: 1 }) }, { scorerCalls: 30 });
    const root = r.tree.nodes.find((n) => n.parent === -1)!;
    const children = r.tree.nodes.filter((n) => n.parent === root.id);
    expect(children.length).toBeLessThanOrEqual(Math.ceil(Math.pow(root.visits + 1, 0.3)) + 1);
    expect(children.length).toBeLessThan(steps.length);
    expect(Math.max(...r.tree.nodes.map((n) => n.depth))).toBe(3);
  });

  it('follows the proposer priors: a strong prior on the good step finds it first', async () => {
    const priors = [1, 1, 1, 1, 1, 1, 1, 50];
    const r = await new Mcts().search({ ...base, maxSteps: 1, proposer: new ListProposer(steps, priors), scorer: new KeywordScorer({ h8: 5 }) }, { scorerCalls: 1 });
    expect(r.steps).toEqual(['h8']);
  });

  it('returns a tree whose best path spells the best steps', async () => {
    const r = await new Mcts().search({ ...base, proposer: new ListProposer(steps), scorer: new KeywordScorer({ b2: 1, e5: 2 }) }, { scorerCalls: 40 });
    const byId = new Map(r.tree.nodes.map((n) => [n.id, n]));
    expect(r.tree.bestPath.slice(1).map((id) => byId.get(id)!.step)).toEqual(r.steps);
    expect(byId.get(r.tree.bestPath[r.tree.bestPath.length - 1]!)!.reward).toBeCloseTo(r.reward, 12);
  });
});

/**
 * A space with dead ends: steps `a`..`f` at the root; below `a` nothing (a dead end found on the
 * first descent into it); below any other step, every root step not yet taken. With maxSteps 3
 * there are far more sequences than the budget, so a search that stops early stopped wrongly.
 */
const deadEndProposer: Proposer = {
  name: 'dead-end',
  propose: async (req) => {
    if (req.steps[0] === 'a') return [];
    return ['a', 'b', 'c', 'd', 'e', 'f'].filter((s) => !req.steps.includes(s)).map((text) => ({ text }));
  },
};

/** Every distinct sequence of 1..maxSteps distinct steps from `pool`, as the space MCTS may enumerate. */
function sequencesOf(pool: number, maxSteps: number): number {
  let total = 0;
  let perms = 1;
  for (let d = 1; d <= maxSteps; d++) {
    perms *= pool - d + 1;
    total += perms;
  }
  return total;
}

describe('MCTS uses its whole budget while unscored sequences are left', () => {
  it('does not stop at batch size 1 when one descent reaches a new dead end', async () => {
    const scorer = new KeywordScorer({ b: 1, c: 2 });
    const r = await new Mcts().search({ ...base, proposer: deadEndProposer, scorer }, { scorerCalls: 60 });
    expect(r.scorerCalls).toBe(60);
    expect(r.stopped).toBe('budget');
  });

  it('spends every call at batch sizes 1, 3 and 8 on a space larger than the budget', async () => {
    for (const batchSize of [1, 3, 8]) {
      const r = await new Mcts().search({ ...base, proposer: deadEndProposer, scorer: new KeywordScorer({ d: 1 }) }, { scorerCalls: 48, batchSize });
      expect({ batchSize, calls: r.scorerCalls, stopped: r.stopped }).toEqual({ batchSize, calls: 48, stopped: 'budget' });
    }
  });

  it('scores every sequence of a small space exactly once before it says exhausted', async () => {
    const pool = ['p', 'q', 'r', 's'];
    for (const batchSize of [1, 4]) {
      const scorer = new KeywordScorer({ q: 1 });
      const r = await new Mcts().search({ ...base, proposer: new ListProposer(pool), scorer }, { scorerCalls: 1000, batchSize });
      expect(r.stopped).toBe('exhausted');
      expect(r.scorerCalls).toBe(sequencesOf(pool.length, base.maxSteps));
      expect(new Set(scorer.contexts).size).toBe(scorer.contexts.length);
    }
  });

  it('asks for every proposal round before it counts a node proposed out', async () => {
    // The first two rounds at a node offer only `x`; the third (a new seed) offers `y` and `z` too.
    const calls = new Map<string, number>();
    const rounds: Proposer = {
      name: 'rounds',
      propose: async (req) => {
        const key = req.steps.join('|');
        const round = calls.get(key) ?? 0;
        calls.set(key, round + 1);
        return (round < 2 ? ['x'] : ['x', 'y', 'z']).map((text) => ({ text }));
      },
    };
    const r = await new Mcts().search({ ...base, maxSteps: 1, proposer: rounds, scorer: new KeywordScorer({ z: 1 }) }, { scorerCalls: 10 });
    expect(r.steps).toEqual(['z']);
    expect(r.scorerCalls).toBe(3);
    expect(r.stopped).toBe('exhausted');
  });

  it('is deterministic for a seed on a space with dead ends, at batch sizes 1 and 4', async () => {
    for (const batchSize of [1, 4]) {
      const run = () => new Mcts().search({ ...base, seed: 7, proposer: deadEndProposer, scorer: new KeywordScorer({ b: 1, e: 2 }) }, { scorerCalls: 40, batchSize });
      const [a, b] = [await run(), await run()];
      expect(b.curve).toEqual(a.curve);
      expect(b.tree).toEqual(a.tree);
      expect(b.steps).toEqual(a.steps);
    }
  });
});

describe('minSteps', () => {
  // Every step makes the code less likely: no reasoning scores best.
  const hurts = () => new KeywordScorer({ a1: -1, b2: -3, c3: -2 });
  const problem = { context: 'ctx', target: 'code', maxSteps: 2, proposer: new ListProposer(['a1', 'b2', 'c3']) };

  it('lets no reasoning win when every sequence scores below it, by default', async () => {
    const r = await new Mcts().search({ ...problem, scorer: hurts() }, { scorerCalls: 12 });
    expect(r.steps).toEqual([]);
    expect(r.reward).toBe(0);
  });

  it('answers with the best sequence of at least one step when minSteps is 1', async () => {
    const r = await new Mcts().search({ ...problem, scorer: hurts(), minSteps: 1 }, { scorerCalls: 12 });
    expect(r.steps).toEqual(['a1']);
    expect(r.reward).toBeLessThan(0);
  });
});
