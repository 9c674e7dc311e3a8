/**
 * Figures of the trajectory's shape: reads of unwritten files, false "already written" claims,
 * faulty drafts trained on, checks narrated as failures on real code, openings, reasoning per code,
 * test files, characters and search.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { DatasetRecord } from '../../src/dataset/format.ts';
import { computeStats } from '../../src/stats/mod.ts';
import { append, check, dataset, edit, read, think, write } from './helpers.ts';
import { tempDir } from '../support/tmp.ts';

describe('reads of files not yet written', () => {
  it('counts a read of an unwritten file unless it returned the design', async () => {
    const steps = [
      ...read('src/b.js', 'src/b.js: design of b', { source: 'design' }),
      ...read('src/b.js', 'function b() {}\n'),
      write('src/a.js', 'b();\n'),
      write('src/b.js', 'function b() {}\n'),
      ...read('src/b.js', 'function b() {}\n', { source: 'file' }),
    ];
    const f = (await computeStats([await dataset(steps)])).total.unwrittenReads;
    expect(f.count).toBe(1);
    expect(f.examples).toEqual([{ step: 3, path: 'src/b.js', detail: 'read of src/b.js before it is written' }]);
  });

  it('counts "already written" about a file not written yet, not about one that is', async () => {
    const steps = [
      write('src/a.js', 'a();\n'),
      think('coder', 'src/c.js', 'Next: `src/c.js`. I read `src/a.js` and `src/b.js`, already written.'),
      write('src/c.js', 'c();\n'),
      write('src/b.js', 'b();\n'),
    ];
    const f = (await computeStats([await dataset(steps)])).total.falseAlreadyWritten;
    expect(f.count).toBe(1);
    expect(f.examples[0]).toMatchObject({ step: 1, path: 'src/b.js' });
  });
});

describe('faulty drafts trained on', () => {
  const draft = 'function f() {\n  retrun 1;\n}\n';
  it('counts a trained draft the debugger later repairs (datasets before `untrained`)', async () => {
    const steps = [write('x.js', draft), ...check('x.js', 'x.js:2: syntax: syntax error\n1 problem'), edit('x.js', '  retrun 1;', '  return 1;')];
    expect((await computeStats([await dataset(steps)])).total.faultyDrafts).toMatchObject({ trained: 1, inconsistent: 0 });
  });

  it('a draft marked untrained and not trained is fine; marked and trained is inconsistent', async () => {
    const marked = [write('x.js', draft, { train: false, untrained: 'faulty-draft' }), ...check('x.js', 'x.js:2: syntax: syntax error\n1 problem', { findings: 1, baseline: 0 }), edit('x.js', '  retrun 1;', '  return 1;')];
    expect((await computeStats([await dataset(marked)])).total.faultyDrafts).toMatchObject({ trained: 0, inconsistent: 0 });
    const inconsistent = [write('x.js', draft, { untrained: 'faulty-draft' }), edit('x.js', '  retrun 1;', '  return 1;')];
    expect((await computeStats([await dataset(inconsistent)])).total.faultyDrafts).toMatchObject({ trained: 0, inconsistent: 1 });
  });
});

describe('checks narrated as failures on real, unmodified code', () => {
  const narrate = async (counts: { findings: number; baseline: number } | undefined, verdict: string, faulty = false) => {
    const steps = [
      write('y.js', 'f(1, 2);\n', faulty ? { train: false, untrained: 'faulty-draft' } : {}),
      ...check('y.js', 'y.js:1: arity: f takes 1 argument\n1 problem', counts),
      think('tester', 'y.js', verdict),
    ];
    return (await computeStats([await dataset(steps)])).total.narratedFailures.count;
  };

  it('counts a failure told on a finding the real file has too (findings == baseline)', async () => {
    expect(await narrate({ findings: 1, baseline: 1 }, '`y.js` fails the arity check at line 1; it must be fixed.')).toBe(1);
  });

  it('not a real fault, a faulty draft, a verdict that tells no failure, or a path that merely holds "fix"', async () => {
    expect(await narrate({ findings: 1, baseline: 0 }, '`y.js` fails the arity check at line 1.')).toBe(0);
    expect(await narrate({ findings: 1, baseline: 1 }, '`y.js` fails the arity check at line 1.', true)).toBe(0);
    expect(await narrate({ findings: 1, baseline: 1 }, 'The arity finding is one the real file has too: the checker cannot see the overload.')).toBe(0);
    expect(await narrate({ findings: 0, baseline: 0 }, 'Checks pass on `test/fixtures/y.js`.')).toBe(0);
  });

  it('datasets without check counts: findings and no faulty draft before', async () => {
    expect(await narrate(undefined, '`y.js` fails the arity check at line 1.')).toBe(1);
  });
});

describe('openings, reasoning per code, test files, characters, search', () => {
  const steps = [
    think('coder', 'a.js', 'Next: `a.js`. Go.'),
    write('a.js', 'x'.repeat(100)),
    think('coder', 'b.js', 'Next: `b.js`. Go.'),
    think('coder', 'b.js', 'It calls `f` 12 times.'),
    write('b.js', 'y'.repeat(600)),
    think('tester', 'b.js', 'Next: `c.js`. Go.'),
    write('c.js', 'z'.repeat(600)),
    think('tester', 'test/a.test.js', 'It tests `a`.'),
    write('test/a.test.js', 't'.repeat(300)),
    write('test/b.test.js', 'u'.repeat(100)),
    append('test/b.test.js', 'v'.repeat(50)),
  ];

  it('counts openings with code spans as X and numbers as N', async () => {
    const o = (await computeStats([await dataset(steps)])).total.openings;
    expect(o).toMatchObject({ thinks: 5, distinct: 3, cover50: 1, cover90: 3 });
    expect(o.top[0]).toEqual({ opening: 'Next: X. Go.', count: 3 });
  });

  it('buckets reasoning by the length of the write; a tester verdict on another file is not reasoning', async () => {
    const f = (await computeStats([await dataset(steps)])).total;
    expect(f.reasoningPerCode.lt500).toMatchObject({ writes: 4, codeChars: 550, reasoningChars: 17 + 13, writesWithoutReasoning: 2 });
    expect(f.reasoningPerCode.lt2k).toMatchObject({ writes: 2, codeChars: 1200, reasoningChars: 17 + 22, writesWithoutReasoning: 1, noReasoningShare: 0.5 });
    expect(f.reasoningPerCode.lt2k.reasoningPerCode).toBeCloseTo(39 / 1200);
    expect(f.testFiles).toMatchObject({ writes: 3, codeChars: 450, reasonedChars: 300 });
    expect(f.testFiles.share).toBeCloseTo(300 / 450);
    expect(f.testFiles.reasoningPerCode).toBeCloseTo(13 / 450);
    expect(f.over2k).toMatchObject({ writes: 0, codeChars: 0, reasoningPerCode: null });
  });

  it('adds up reasoning before writes of 2,000 characters or more', async () => {
    const big = [think('coder', 'a.js', 'r'.repeat(50)), write('a.js', 'x'.repeat(2_500)), think('coder', 'b.js', 'r'.repeat(150)), write('b.js', 'y'.repeat(12_000)), write('c.js', 'z'.repeat(1_999))];
    const f = (await computeStats([await dataset(big)])).total;
    expect(f.over2k).toMatchObject({ writes: 2, codeChars: 14_500, reasoningChars: 200 });
    expect(f.over2k.reasoningPerCode).toBeCloseTo(200 / 14_500);
  });

  it("adds up to the records' trained and masked characters", async () => {
    const path = await dataset([...steps, ...read('a.js', 'x'.repeat(100))], { contextTokens: 200 });
    const records = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as DatasetRecord);
    expect(records.length).toBeGreaterThan(1);
    const c = (await computeStats([path])).total.chars;
    expect(c.trained.total).toBe(records.reduce((n, r) => n + r.stats.train_chars, 0));
    expect(c.masked.total).toBe(records.reduce((n, r) => n + r.stats.masked_chars, 0));
    expect(c.masked.byRole.coder!['observation:read']).toBeGreaterThan(100);
    expect(c.trained.byRole.coder!['action:write']).toBeGreaterThan(1700);
  });

  it('totals the search of refined steps', async () => {
    const s = { method: 'mcts', scorerCalls: 10, reward: 0.5, baselineLogprob: -9, bestLogprob: -4, targetTokens: 10 };
    const refined = [think('coder', 'a.js', 'one'), write('a.js', 'a'), { ...think('coder', 'b.js', 'two'), search: s }, write('b.js', 'b'), { ...think('coder', 'c.js', 'three'), search: { ...s, scorerCalls: 6, reward: 1.5 } }, write('c.js', 'c')];
    refined[0] = { ...refined[0]!, search: { ...s, scorerCalls: 0, reward: 0 } };
    const search = (await computeStats([await dataset(refined, { budget: 8 })])).total.search;
    expect(search).toMatchObject({ refined: 3, scorerCalls: 16, meanReward: 2 / 3, medianScorerCalls: 6 });
    expect(search.atBudgetShare).toBeCloseTo(1 / 3);
    expect(search.logLossReduction).toBeCloseTo(1 - 12 / 27);
  });

  it('leaves the budget share unknown when the run gives no budget', async () => {
    const s = { method: 'mcts', scorerCalls: 4, reward: 0.5, baselineLogprob: -9, bestLogprob: -4, targetTokens: 10 };
    const search = (await computeStats([await dataset([{ ...think('coder', 'a.js', 'one'), search: s }, write('a.js', 'a')])])).total.search;
    expect(search.atBudgetShare).toBeNull();
    expect(search.medianScorerCalls).toBe(4);
  });

  it('takes the median of scorer calls over the searches of all runs, and openings per 100 thinks', async () => {
    const s = { method: 'mcts', scorerCalls: 8, reward: 0.5, baselineLogprob: -9, bestLogprob: -4, targetTokens: 10 };
    const dir = tempDir('retrace-stats-');
    const a = await dataset([{ ...think('coder', 'a.js', 'Alpha beta gamma.'), search: s }, write('a.js', 'a')], { run: 'a', dir, budget: 8 });
    const b = await dataset(
      [{ ...think('coder', 'b.js', 'Delta one.'), search: { ...s, scorerCalls: 2 } }, write('b.js', 'b'), { ...think('coder', 'c.js', 'Delta two.'), search: { ...s, scorerCalls: 3 } }, write('c.js', 'c')],
      { run: 'b', dir, budget: 8 },
    );
    const t = (await computeStats([a, b])).total;
    expect(t.search.medianScorerCalls).toBe(3);
    expect(t.search.atBudgetShare).toBeCloseTo(1 / 3);
    expect(t.openings.cover50).toBe(2);
    expect(t.openings.cover50Per100).toBeCloseTo((2 * 100) / 3);
  });
});
