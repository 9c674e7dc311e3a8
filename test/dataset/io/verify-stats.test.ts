/**
 * `retrace verify` and `retrace stats` read every format through readRecords: the same dataset
 * verifies and gives the same figures as JSON Lines (plain, gzip, zstd) and as Parquet shards;
 * only a record's `steps` are replayed and counted, never its `context`; old format-1 datasets
 * still verify; and their errors keep their classes and say where.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Zstd } from '@hpcc-js/wasm-zstd';
import { describe, expect, it } from 'vitest';
import type { DatasetRecordV2 } from '../../../src/dataset/record.ts';
import { openSink } from '../../../src/dataset/io/mod.ts';
import { DatasetFormatError, verifyDataset, type RepoFiles } from '../../../src/dataset/verify.ts';
import { computeStats, DatasetInputError } from '../../../src/stats/mod.ts';
import { tempDir } from '../../support/tmp.ts';
import { BARE_FILES, FILES, formatOneRecord, greetRecords } from './records.ts';

const repoOf = (files: Record<string, string>): RepoFiles => ({ files: Object.keys(files), read: (p) => Buffer.from(files[p] ?? '') });

async function writeDataset(out: string, recs: DatasetRecordV2[], format: 'jsonl' | 'parquet'): Promise<string> {
  const sink = await openSink(out, { format, shardTokens: 150 });
  for (const r of recs) await sink.write(r);
  await sink.close();
  return out;
}

const OUTPUTS = [
  ['greet.jsonl', 'jsonl'],
  ['greet.jsonl.gz', 'jsonl'],
  ['greet.jsonl.zst', 'jsonl'],
  ['greet-parquet', 'parquet'],
] as const;

describe('verify and stats read every format', () => {
  it('verify replays steps, never context, from every format', async () => {
    const dir = tempDir();
    for (const [name, format] of OUTPUTS) {
      const out = await writeDataset(join(dir, name), greetRecords(), format);
      const [report, ...more] = await verifyDataset(out, repoOf(FILES));
      expect(more).toEqual([]);
      // Replaying the second record's context would have spoiled src/greet.ts.
      expect(report).toEqual({ run: 'greet/greet-s7', repo: 'greet', records: 2, steps: 7, ok: true, identical: 2, missing: [], different: [], extra: [] });
    }
    // A context that is replayed is a verify that fails: the test above has teeth.
    const [first, second] = greetRecords();
    const withContextAsSteps = { ...second!, steps: [...second!.context, ...second!.steps] };
    const out = await writeDataset(join(dir, 'spoiled.jsonl'), [first!, withContextAsSteps], 'jsonl');
    expect((await verifyDataset(out, repoOf(FILES)))[0]).toMatchObject({ ok: false, different: ['src/greet.ts'] });
  });

  it('stats gives the same figures from every format, counting steps only', async () => {
    const dir = tempDir();
    const reports = [];
    for (const [name, format] of OUTPUTS) reports.push(await computeStats([await writeDataset(join(dir, name), greetRecords(), format)]));
    expect(reports[0]!.total).toMatchObject({ runs: 1, steps: 7, writes: 2 });
    for (const r of reports.slice(1)) expect(r).toEqual(reports[0]);
  });

  it('verifies an old format-1 dataset', async () => {
    const out = join(tempDir(), 'old.jsonl');
    writeFileSync(out, JSON.stringify(formatOneRecord()) + '\n');
    expect(await verifyDataset(out, repoOf(BARE_FILES))).toEqual([{ run: 'bare/old', repo: 'bare', records: 1, steps: 1, ok: true, identical: 1, missing: [], different: [], extra: [] }]);
    expect((await computeStats([out])).total).toMatchObject({ runs: 1, steps: 1, writes: 1 });
  });

  it('keeps the error classes, naming the file and line, in a compressed file too', async () => {
    const zstd = await Zstd.load();
    const out = join(tempDir(), 'bad.jsonl.zst');
    writeFileSync(out, zstd.compress(Buffer.from(JSON.stringify(greetRecords()[0]) + '\nnot json\n')));
    const verifyErr = await verifyDataset(out, repoOf(FILES)).catch((e: unknown) => e);
    expect(verifyErr).toBeInstanceOf(DatasetFormatError);
    expect((verifyErr as Error).message.startsWith(`${out}:2: not JSON (`)).toBe(true);
    const statsErr = await computeStats([out]).catch((e: unknown) => e);
    expect(statsErr).toBeInstanceOf(DatasetInputError);
    expect((statsErr as Error).message).toBe((verifyErr as Error).message);

    const missing = join(tempDir(), 'gone');
    await expect(verifyDataset(join(missing, 'x.parquet'), repoOf(FILES))).rejects.toThrow(new DatasetFormatError(`${join(missing, 'x.parquet')}: no such file`));
    await expect(computeStats([join(missing, 'x.jsonl.zst')])).rejects.toThrow(new DatasetInputError(`${join(missing, 'x.jsonl.zst')}: no such file`));
  });

  it('names the Parquet row of a record verify cannot take', async () => {
    const recs = greetRecords();
    const out = await writeDataset(join(tempDir(), 'ds'), [recs[1]!, recs[0]!], 'parquet');
    // Written out of order: the first row of the first shard is chunk 1.
    await expect(verifyDataset(out, repoOf(FILES))).rejects.toThrow(new DatasetFormatError(`${join(out, 'part-00000.parquet')}#0: greet/greet-s7 chunk 1 where chunk 0 was due`));
  });
});
