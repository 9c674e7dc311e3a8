/**
 * A repository with what real ones have: a binary file, a symlink out of the root, a file that is
 * not UTF-8, a syntax error, an empty file, a .gitignore. The run skips what it must, with a
 * reason, rebuilds the rest byte for byte, and verify agrees.
 */
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/run/run-job.ts';
import { commitAll } from '../support/git.ts';

const tmp = mkdtempSync(join(tmpdir(), 'retrace-broken-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a run over a broken repository', () => {
  it('skips with reasons, rebuilds the rest exactly', async () => {
    const repo = join(tmp, 'repo');
    cpSync(join(import.meta.dirname, '../agents/fixtures/mini'), repo, { recursive: true });
    writeFileSync(join(repo, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
    writeFileSync(join(repo, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    writeFileSync(join(repo, 'src/broken.ts'), 'export function broken( {\n  return 1;\n');
    writeFileSync(join(repo, 'src/empty.ts'), '');
    writeFileSync(join(repo, '.gitignore'), 'build/\n');
    cpSync(join(repo, 'src'), join(repo, 'build'), { recursive: true });
    symlinkSync('/etc', join(repo, 'etc-link'));
    const out = join(tmp, 'out.jsonl');
    const s = await runJob({ repoPath: repo, out, seed: 2, budget: 4, faultRate: 0.5, contextTokens: 4000, resume: false });
    const reasons = Object.fromEntries(s.skipped.map((k) => [k.path, k.reason]));
    expect(reasons['logo.png']).toBe('binary');
    expect(reasons['latin1.txt']).toBe('non-utf8');
    expect(reasons['etc-link']).toBe('symlink-outside');
    expect(s.failures).toEqual([]);
    expect(s.verify?.[0]).toMatchObject({ ok: true, different: [], missing: [], extra: [] });
    // The file with a syntax error is rebuilt as it is; the empty file too; build/ is ignored.
    expect(s.verify?.[0]?.identical).toBe(s.files);
    expect(s.files).toBe(10); // 7 fixture files + broken.ts + empty.ts + .gitignore
  }, 60_000);

  it("rebuilds a git checkout's tracked files, those its .gitignore matches included, lists what it left out, and makes the output's folder", async () => {
    const repo = join(tmp, 'checkout');
    cpSync(join(import.meta.dirname, '../agents/fixtures/mini'), repo, { recursive: true });
    writeFileSync(join(repo, '.gitignore'), 'test\n*.log\n');
    commitAll(repo);
    writeFileSync(join(repo, 'scratch.ts'), 'export const scratch = 1;\n');
    writeFileSync(join(repo, 'run.log'), 'log\n');
    // Written into a folder that does not exist yet, with its trace beside it.
    const out = join(tmp, 'not/made/yet/checkout.jsonl');
    const s = await runJob({ repoPath: repo, out, traceFile: `${out}.trace.jsonl`, seed: 1, budget: 0, faultRate: 0, resume: false });
    expect(existsSync(out) && existsSync(`${out}.trace.jsonl`)).toBe(true);
    expect(s.files).toBe(8); // the fixture's 7 files and .gitignore; test/math.test.ts among them
    expect(s.skipped).toEqual([
      { path: 'run.log', reason: 'ignored' },
      { path: 'scratch.ts', reason: 'untracked' },
    ]);
    expect(s.verify?.[0]).toMatchObject({ ok: true, identical: 8, different: [], missing: [], extra: [] });
  }, 60_000);
});
