/**
 * What a run tells its progress display: the phases in order, indexing counted up to every source
 * file, the files written, and the files the verification replays, up to the run's files.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { walkRepo } from '../../src/graph/mod.ts';
import { runJob, type RunProgress } from '../../src/run/run-job.ts';

const tmp = mkdtempSync(join(tmpdir(), 'retrace-progress-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const commander = join(import.meta.dirname, '../../node_modules/commander');

type Call = { call: 'phase'; name: string; total?: number } | { call: 'file' | 'index' | 'verify'; done: number; total: number; step?: string };

function recording(): RunProgress & { calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    phase(name, detail) {
      calls.push(detail?.total === undefined ? { call: 'phase', name } : { call: 'phase', name, total: detail.total });
    },
    file(done, total) {
      calls.push({ call: 'file', done, total });
    },
    index(done, total, step) {
      calls.push({ call: 'index', done, total, step });
    },
    verify(done, total) {
      calls.push({ call: 'verify', done, total });
    },
  };
}

const counts = (calls: Call[], kind: 'file' | 'index' | 'verify') =>
  calls.filter((c): c is Extract<Call, { done: number }> => c.call === kind);

function expectMonotone(list: Array<{ done: number; total: number }>, total: number): void {
  for (let i = 1; i < list.length; i++) expect(list[i]!.done).toBeGreaterThanOrEqual(list[i - 1]!.done);
  expect(list.at(-1)).toMatchObject({ done: total, total });
  for (const c of list) expect(c.done).toBeLessThanOrEqual(c.total);
}

describe('run progress', () => {
  it('reports indexing up to every source file and verification up to every file', async () => {
    const progress = recording();
    const s = await runJob({ repoPath: commander, out: join(tmp, 'commander.jsonl'), seed: 1, budget: 0, faultRate: 0.2, contextTokens: 2048, resume: false, progress });
    expect(s.failures).toEqual([]);
    expect(s.verify?.[0]?.ok).toBe(true);
    const { calls } = progress;

    // Each kind of call within its phase.
    const phaseAt = (name: string) => calls.findIndex((c) => c.call === 'phase' && c.name === name);
    expect(calls.filter((c) => c.call === 'phase').map((c) => (c as { name: string }).name)).toEqual(['index', 'plan', 'files', 'verify']);
    expect(phaseAt('index')).toBe(0);
    calls.forEach((c, i) => {
      if (c.call === 'index') expect(i).toBeLessThan(phaseAt('plan'));
      if (c.call === 'file') expect(i).toBeGreaterThan(phaseAt('files'));
      if (c.call === 'verify') expect(i).toBeGreaterThan(phaseAt('verify'));
    });

    const index = counts(calls, 'index');
    expect(index.map((c) => c.step).filter((p, i, all) => p !== all[i - 1])).toEqual(['walk', 'parse', 'resolve', 'graph']);
    const sources = walkRepo(commander).files.filter((f) => f.language !== null).length;
    expectMonotone(index.filter((c) => c.step === 'parse'), sources);

    expectMonotone(counts(calls, 'file'), s.files);
    const verify = counts(calls, 'verify');
    expectMonotone(verify, s.files);
    expect(verify.length).toBeGreaterThan(2);
  }, 120_000);

  it('without verification, no verify calls; a display with only phase and file still works', async () => {
    const progress = recording();
    const s = await runJob({ repoPath: commander, out: join(tmp, 'nv.jsonl'), seed: 2, budget: 0, faultRate: 0, resume: false, verify: false, progress });
    expect(s.verify).toBeNull();
    expect(counts(progress.calls, 'verify')).toEqual([]);
    expect(counts(progress.calls, 'index').length).toBeGreaterThan(2);

    const phases: string[] = [];
    const plain: RunProgress = { phase: (name) => phases.push(name), file() {} };
    const t = await runJob({ repoPath: commander, out: join(tmp, 'plain.jsonl'), seed: 3, budget: 0, faultRate: 0, resume: false, progress: plain });
    expect(t.verify?.[0]?.ok).toBe(true);
    expect(phases).toEqual(['index', 'plan', 'files', 'verify']);
  }, 120_000);
});
