/**
 * What `retrace stats` reads: plain and gzipped JSON Lines, several files and runs at once; and
 * what it refuses, clearly, with exit code 2 through the CLI: a missing file, another extension,
 * a malformed line (named by file and line).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/program.ts';
import { computeStats, DatasetInputError } from '../../src/stats/mod.ts';
import { tempDir } from '../support/tmp.ts';
import { dataset, think, write } from './helpers.ts';

const steps = [think('coder', 'a.js', 'It keeps `localCounter`.'), write('a.js', 'let localCounter = 0;\nlocalCounter++;\n')];

async function cli(args: string[]): Promise<{ out: string; err: string; code: number | undefined }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  const before = process.exitCode;
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'retrace', 'stats', ...args]);
    return { out, err, code: process.exitCode === undefined ? undefined : Number(process.exitCode) };
  } finally {
    vi.restoreAllMocks();
    process.exitCode = before;
  }
}

describe('reading datasets', () => {
  afterEach(() => vi.restoreAllMocks());

  it('reads .jsonl.gz as .jsonl, and several runs with a total that adds them up', async () => {
    const dir = tempDir();
    const plain = await dataset(steps, { dir, run: 'one' });
    const gz = join(dir, 'two.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(await dataset(steps, { dir, run: 'two' }))));
    const r = await computeStats([plain, gz]);
    expect(r.runs.map((x) => x.run)).toEqual(['hand/one', 'hand/two']);
    expect(r.runs.map((x) => x.boundary.segments.nameViolations)).toEqual([1, 1]);
    expect(r.total).toMatchObject({ runs: 2, steps: 4, writes: 2 });
    expect(r.total.boundary.segments.nameViolations).toBe(2);
    expect(r.total.boundary.segments.examples.name).toHaveLength(2);
  });

  it('takes records in memory as files', async () => {
    const recs = readFileSync(await dataset(steps), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect((await computeStats(recs)).total.boundary.segments.nameViolations).toBe(1);
  });

  it('names the file and line of a malformed line', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, readFileSync(await dataset(steps, { dir }), 'utf8') + '{"id": 1\n');
    const err = await computeStats([bad]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatasetInputError);
    expect((err as Error).message.startsWith(`${bad}:2: not JSON (`)).toBe(true);
    const notRecord = join(dir, 'not-record.jsonl');
    writeFileSync(notRecord, '{"id": "x"}\n');
    await expect(computeStats([notRecord])).rejects.toThrow(/not-record\.jsonl:1: not a Retrace dataset record \(repo: /);
  });

  it('exits 2 through the CLI on a missing file, another extension or a bad line; 0 with a report otherwise', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, 'not json\n');
    const csv = join(dir, 'data.csv');
    writeFileSync(csv, 'a,b\n');
    for (const [file, message] of [
      [join(dir, 'missing.jsonl'), 'missing.jsonl: no such file'],
      [csv, 'data.csv: not a dataset (.jsonl, .jsonl.gz, .jsonl.zst, a .parquet file or a directory of .parquet shards)'],
      [bad, 'bad.jsonl:1: not JSON'],
    ] as const) {
      const r = await cli([file]);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`retrace stats: ${file.slice(0, file.lastIndexOf('/') + 1)}${message}`);
    }
    const good = await cli([await dataset(steps)]);
    expect(good.code).toBeUndefined();
    expect(good.out).toMatch(/^1 run: 1 records, 2 steps, 1 files, 1 writes$/m);
    expect(good.out).toMatch(/1 segments checked, 0 with a copy leak .*, 0 literal leaks, 1 boundary violations/);
    const json = JSON.parse((await cli([await dataset(steps), '--json'])).out) as { runs: unknown[]; total: { boundary: { segments: { nameViolations: number } } } };
    expect(json.runs).toHaveLength(1);
    expect(json.total.boundary.segments.nameViolations).toBe(1);
  });
});
