/**
 * A whole reconstruction in one process (MemoryBus, grounded policies, embedded scorer): the
 * trajectory replays to the repository byte for byte, debugging episodes are real, and the same
 * seed gives the same trajectory.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runEmbedded } from '../../src/run/embedded.ts';
import { replay, verifyFiles } from '../../src/run/replay.ts';
import { Workspace } from '../../src/agents/workspace.ts';

const root = join(import.meta.dirname, 'fixtures/mini');
const repo = { name: 'mini', root };

describe('embedded reconstruction', () => {
  it('rebuilds the fixture exactly, with searched reasoning and debugging episodes', async () => {
    const record = await runEmbedded({ run: 'r1', repo, seed: 7, budget: 8, faultRate: 1 });
    const ws = await Workspace.open(repo);
    const expected = ws.graph.data.files.map((f) => f.path);
    const report = verifyFiles(replay(record.steps), root, expected);
    expect(report).toMatchObject({ ok: true, missing: [], different: [], extra: [] });
    expect(report.identical).toBe(expected.length);
    expect(record.failures).toEqual([]);

    const roles = new Set(record.steps.map((s) => s.role));
    expect([...roles].sort()).toEqual(['architect', 'coder', 'debugger', 'planner', 'tester']);
    // Observations are never trained on; reads observe the real content.
    for (const s of record.steps.filter((x) => x.kind === 'observation')) expect(s.train).toBe(false);
    const reads = record.steps.filter((s) => s.kind === 'observation' && s.tool === 'read');
    expect(reads.length).toBeGreaterThan(0);
    for (const r of reads) expect(r.text).toBe(ws.read(r.path!));
    // Searched reasoning carries its statistics.
    const searched = record.steps.filter((s) => s.search);
    expect(searched.length).toBeGreaterThan(0);
    for (const s of searched) expect(s.search!.scorerCalls).toBeLessThanOrEqual(8);
    // With every file drafted with a fault, some episodes happen and all are repaired.
    expect(record.episodes.length).toBeGreaterThan(0);
    for (const e of record.episodes) expect(e).toMatchObject({ repaired: true });
    const failedChecks = record.steps.filter((s) => s.role === 'tester' && s.kind === 'observation' && /problem/.test(s.text));
    expect(failedChecks.length).toBe(record.episodes.length);
    // The test file is written by the tester, the python file by the coder.
    expect(record.steps.find((s) => s.tool === 'write' && s.path === 'test/math.test.ts')?.role).toBe('tester');
    expect(record.steps.find((s) => s.tool === 'write' && s.path === 'tools/summarize.py')?.role).toBe('coder');
  }, 120_000);

  it('gives the same trajectory for the same seed, and another for another seed', async () => {
    const a = await runEmbedded({ run: 'ra', repo, seed: 3, budget: 4, faultRate: 0.5 });
    const b = await runEmbedded({ run: 'rb', repo, seed: 3, budget: 4, faultRate: 0.5 });
    const c = await runEmbedded({ run: 'rc', repo, seed: 4, budget: 4, faultRate: 0.5 });
    const text = (r: typeof a) => JSON.stringify(r.steps);
    expect(text(a)).toBe(text(b));
    expect(text(a)).not.toBe(text(c));
  }, 120_000);
});
