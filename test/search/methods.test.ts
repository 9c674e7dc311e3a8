/** One suite for every search method: budget, determinism, anytime answers, accounting. */
import { describe, expect, it } from 'vitest';
import { BestOfN, Greedy, HillClimbing, Mcts, SegmentRefinement, type SearchMethod } from '../../src/search/mod.ts';
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
