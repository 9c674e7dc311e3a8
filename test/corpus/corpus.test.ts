/**
 * `retrace corpus` as a user runs it, over real repositories nobody here wrote (packages from
 * node_modules, a Python standard-library package) beside a git checkout and a broken repository:
 * shards, a manifest and a card; the broken one reported and the rest packed; each repository's
 * records those of `retrace run`; a SIGKILL mid-corpus and a rerun give the same shards.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecords } from '../../src/dataset/io/mod.ts';
import type { DatasetRecordV2 } from '../../src/dataset/record.ts';
import { commitAll, git } from '../support/git.ts';
import { Processes } from '../support/processes.ts';
import { tempDir } from '../support/tmp.ts';
import { waitFor } from '../support/wait.ts';

const nodeModules = join(import.meta.dirname, '../../node_modules');
const scratch = tempDir('retrace-corpus-');
const holder = join(scratch, 'repos');
const list = join(scratch, 'more.txt');
const procs = new Processes();
// No search: the corpus's own behaviour is under test, and CI's time is short.
const settings = ['--budget', '0', '--seed', '3'];
let first: { code: number | null; out: string; dir: string };

function makeInputs(): void {
  for (const pkg of ['dequal', 'ansi-regex']) cpSync(join(nodeModules, pkg), join(holder, pkg), { recursive: true });
  cpSync(join(import.meta.dirname, '../agents/fixtures/mini'), join(holder, 'mini'), { recursive: true });
  writeFileSync(join(holder, 'mini/.gitignore'), 'test\n');
  commitAll(join(holder, 'mini'));
  mkdirSync(join(holder, 'empty'));
  git(join(holder, 'empty'), 'init', '-q');
  cpSync('/usr/lib/python3.11/json', join(scratch, 'json'), { recursive: true, filter: (p) => !p.includes('__pycache__') });
  writeFileSync(list, 'json\n');
}

async function corpus(name: string, args: string[]): Promise<{ code: number | null; out: string }> {
  const p = procs.start(name, ['corpus', ...args]);
  const code = await p.exited;
  return { code, out: p.output() };
}

const manifest = (dir: string) => readFileSync(join(dir, 'manifest.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; status: string; error?: { class: string; message: string }; figures?: { resumedResults: number } });
const shards = (dir: string) => readdirSync(join(dir, 'data')).filter((n) => n.endsWith('.parquet')).sort();

beforeAll(async () => {
  makeInputs();
  const dir = join(scratch, 'uninterrupted');
  first = { ...(await corpus('first', [holder, list, '--out-dir', dir, '--jobs', '2', ...settings])), dir };
}, 240_000);
afterAll(() => procs.stopAll());

describe('retrace corpus', () => {
  it('packs every repository that finished, reports the broken one with its class, and exits 3', async () => {
    expect(first.code, first.out).toBe(3);
    const outcomes = manifest(first.dir);
    expect(outcomes.map((o) => [o.key, o.status])).toEqual([
      ['ansi-regex', 'finished'],
      ['dequal', 'finished'],
      ['empty', 'failed'],
      ['mini', 'finished'],
      ['json', 'finished'],
    ]);
    expect(outcomes[2]!.error).toMatchObject({ class: 'InputError', message: expect.stringMatching(/no files to rebuild/) });
    expect(first.out).toMatch(/failed: empty .*InputError/);
    const names: string[] = [];
    for await (const { record } of readRecords(join(first.dir, 'data'))) {
      const r = record as DatasetRecordV2;
      if (names.at(-1) !== r.repo.name) names.push(r.repo.name);
    }
    expect(names).toEqual(['ansi-regex', 'dequal', 'mini', 'json']);
    expect(readFileSync(join(first.dir, 'data/README.md'), 'utf8')).toMatch(/ansi-regex/);
  });

  it("writes each repository's records exactly as retrace run of it", async () => {
    const out = join(scratch, 'mini-run.jsonl');
    const run = procs.start('run-mini', ['run', join(holder, 'mini'), '-o', out, '--no-card', '--no-trace', ...settings]);
    expect(await run.exited, run.output()).toBe(0);
    const fromCorpus = gunzipSync(readFileSync(join(first.dir, 'repos/mini/records.jsonl.gz')));
    expect(fromCorpus.equals(readFileSync(out))).toBe(true);
    // The git checkout's tracked test file is rebuilt although its .gitignore names `test`.
    expect(fromCorpus.toString()).toMatch(/test\/math\.test\.ts/);
  });

  it('after a SIGKILL mid-corpus, a rerun resumes and writes the same shards as an uninterrupted run', async () => {
    const dir = join(scratch, 'killed');
    const p = procs.start('killed', ['corpus', holder, list, '--out-dir', dir, '--jobs', '1', ...settings]);
    // Killed while the second repository is under way: the first finished, the second checkpointed.
    const checkpoint = join(dir, 'repos/dequal/records.jsonl.gz.checkpoint');
    await waitFor(() => existsSync(join(dir, 'repos/ansi-regex/outcome.json')) && existsSync(checkpoint) && readFileSync(checkpoint, 'utf8').split('\n').length > 2, 'a finished repository and a checkpointed one', 120_000);
    p.child.kill('SIGKILL');
    await p.exited;
    expect(existsSync(join(dir, 'data'))).toBe(false);
    const again = await corpus('rerun', [holder, list, '--out-dir', dir, '--jobs', '1', ...settings]);
    expect(again.code, again.out).toBe(3);
    expect(again.out).toMatch(/1 by an earlier run/);
    expect(manifest(dir).find((o) => o.key === 'dequal')?.figures?.resumedResults).toBeGreaterThan(0);
    expect(shards(dir)).toEqual(shards(first.dir));
    for (const s of shards(dir)) expect(readFileSync(join(dir, 'data', s)).equals(readFileSync(join(first.dir, 'data', s)))).toBe(true);
  }, 240_000);

  it('refuses to add to a corpus made with other settings, with exit 2', async () => {
    const r = await corpus('other-seed', [holder, '--out-dir', first.dir, '--budget', '0', '--seed', '4']);
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/other settings \(seed: 3 there, 4 here\)/);
  });

  it('records a worker that runs out of its heap as Crashed, with what it said, and exits 3', async () => {
    const dir = join(scratch, 'small-heap');
    const r = await corpus('small-heap', [join(holder, 'dequal'), '--out-dir', dir, '--worker-heap', '64', ...settings]);
    expect(r.code, r.out).toBe(3);
    const [o] = manifest(dir);
    expect(o).toMatchObject({ key: 'dequal', status: 'failed', error: { class: 'Crashed' } });
    expect(o!.error!.message).toMatch(/heap out of memory/i);
  }, 120_000);
});
