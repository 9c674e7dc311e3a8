/** One suite for every search method: budget, determinism, anytime answers, accounting. */
import { describe, expect, it } from 'vitest';
import { BestOfN, Greedy, GuardedProposer, HillClimbing, Mcts, SegmentRefinement, type ProposalRequest, type Proposer, type SearchMethod } from '../../src/search/mod.ts';
import { KeywordScorer, ListProposer } from './support.ts';

const steps = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa'];
const gains = { alpha: 3, gamma: 5, delta: -2, zeta: 4, theta: 1, kappa: 2 };
const factories: Array<[string, () => SearchMethod, number]> = [
  ['greedy', () => new Greedy(), 1],
  ['best-of-n', () => new BestOfN(), 4],
  ['hill-climbing', () => new HillClimbing(), 1],
  ['segment-refinement', () => new SegmentRefinement(), 1],
  ['mcts', () => new Mcts(), 1],
  ['mcts batch 4', () => new Mcts(), 4],
];

const problem = (seed = 3) => ({
  context: 'ctx',
  target: 'code',
  proposer: new ListProposer(steps),
  scorer: new KeywordScorer(gains),
  seed,
  maxSteps: 4,
  objective: { lambda: 0 },
});

describe.each(factories)('%s', (_name, make, batchSize) => {
  it('stays within the budget, reports the baseline and the reward of its steps', async () => {
    const p = problem();
    const r = await make().search(p, { scorerCalls: 12, batchSize });
    expect(r.scorerCalls).toBeLessThanOrEqual(12);
    expect(r.baseline).toEqual({ logprob: -50, targetTokens: 10 });
    const expected = r.steps.reduce((s, w) => s + ((gains as Record<string, number>)[w] ?? 0), 0) / 10;
    expect(r.reward).toBeCloseTo(expected, 12);
    expect(r.reward).toBeGreaterThan(0);
    expect(r.curve).toHaveLength(r.scorerCalls);
    expect(p.scorer.batches.reduce((a, b) => a + b, 0)).toBe(r.scorerCalls + 1);
    expect(JSON.parse(JSON.stringify(r.tree))).toEqual(r.tree);
  });

  it('is deterministic for a seed', async () => {
    const a = await make().search(problem(5), { scorerCalls: 20, batchSize });
    const b = await make().search(problem(5), { scorerCalls: 20, batchSize });
    expect(b.steps).toEqual(a.steps);
    expect(b.curve).toEqual(a.curve);
    expect(b.tree).toEqual(a.tree);
  });

  it('answers at budget b what its longer run had after b calls (anytime, budget-independent)', async () => {
    const long = await make().search(problem(), { scorerCalls: 32, batchSize });
    for (const b of [4, 8, 16]) {
      const short = await make().search(problem(), { scorerCalls: b, batchSize });
      const at = long.curve.length === 0 ? 0 : long.curve[Math.min(b, long.curve.length) - 1]!;
      expect(short.reward).toBeCloseTo(at, 12);
    }
  });

  it('stops on a spent wall-time budget and on abort', async () => {
    const r = await make().search(problem(), { scorerCalls: 50, wallMs: 0.000001, batchSize });
    expect(r.stopped).toBe('time');
    expect(r.scorerCalls).toBe(0);
    const ac = new AbortController();
    ac.abort();
    expect((await make().search(problem(), { scorerCalls: 50, signal: ac.signal, batchSize })).stopped).toBe('aborted');
  });
});

it('tree search finds the best set of steps the baselines do not find at the same budget', async () => {
  const r = await new Mcts().search(problem(), { scorerCalls: 64 });
  expect([...r.steps].sort()).toEqual(['alpha', 'gamma', 'kappa', 'zeta']);
  expect(r.reward).toBeCloseTo(1.4, 12);
});

describe.each([
  ['hill-climbing', () => new HillClimbing({ iterations: 3 })],
  ['segment-refinement', () => new SegmentRefinement()],
] as Array<[string, () => SearchMethod]>)('%s rewrites', (_name, make) => {
  it('asks for a rewrite with the step it replaces and the steps after it, and never proposes them back', async () => {
    const inner = new ListProposer(steps);
    const requests: ProposalRequest[] = [];
    const recording: Proposer = { name: 'recording', propose: (req) => (requests.push(req), inner.propose(req)) };
    const r = await make().search({ ...problem(), proposer: recording }, { scorerCalls: 40 });
    const rewrites = requests.filter((q) => q.rewrite);
    expect(rewrites.length).toBeGreaterThan(0);
    for (const q of rewrites) {
      expect(q.rewrite!.step.length).toBeGreaterThan(0);
      expect(q.steps.length + 1 + q.rewrite!.after.length).toBeLessThanOrEqual(4);
    }
    // Every scored sequence holds distinct steps: a rewrite never repeats a step of its sequence.
    expect(new Set(r.steps).size).toBe(r.steps.length);
  });
});

it('the guarded proposer holds a rewrite to the boundary as the whole new sequence', async () => {
  // The answer's run `one two three four five six` is split over the rewrite and the step after it.
  const target = 'one two three four five six seven';
  const proposer: Proposer = { name: 'p', propose: async () => [{ text: 'one two three' }, { text: 'unrelated words' }] };
  const guarded = new GuardedProposer(proposer, 'ctx', target);
  const asStep = await guarded.propose([], 6, 1);
  expect(asStep.map((p) => p.text)).toEqual(['one two three', 'unrelated words']);
  const asRewrite = await guarded.propose([], 6, 1, { step: 'old', after: ['four five six'] });
  expect(asRewrite.map((p) => p.text)).toEqual(['unrelated words']);
  expect(guarded.stats.copyRejections).toBe(1);
});
