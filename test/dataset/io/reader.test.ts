/**
 * readRecords: every format a dataset comes in, format-1 records of old datasets included, and the
 * errors a bad input gets, each naming the file and, for a bad record, its line or row.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Zstd } from '@hpcc-js/wasm-zstd';
import { describe, expect, it } from 'vitest';
import type { DatasetRecordV2 } from '../../../src/dataset/record.ts';
import { DatasetReadError, openSink, readRecords, type ReadRecord } from '../../../src/dataset/io/mod.ts';
import { tempDir } from '../../support/tmp.ts';
import { duck } from './duck.ts';
import { bareRecords, formatOneRecord, greetRecords, noisyRecord, sizedRecord } from './records.ts';

const zstd = await Zstd.load();
const lines = (recs: object[]): string => recs.map((r) => JSON.stringify(r) + '\n').join('');
const compressors: Record<string, (text: string) => Uint8Array> = {
  '.jsonl': (t) => Buffer.from(t),
  '.jsonl.gz': (t) => gzipSync(t),
  '.jsonl.zst': (t) => zstd.compress(Buffer.from(t)),
};

/** The records read before `path` fails, and the error (null when it does not). */
async function readUntilError(path: string): Promise<{ read: ReadRecord[]; error: unknown }> {
  const read: ReadRecord[] = [];
  try {
    for await (const r of readRecords(path)) read.push(r);
    return { read, error: null };
  } catch (error) {
    return { read, error };
  }
}

async function expectReadError(path: string, message: string | RegExp): Promise<ReadRecord[]> {
  const { read, error } = await readUntilError(path);
  expect(error).toBeInstanceOf(DatasetReadError);
  if (typeof message === 'string') expect((error as Error).message).toBe(message);
  else expect((error as Error).message).toMatch(message);
  return read;
}

describe('readRecords', () => {
  for (const [ending, compress] of Object.entries(compressors)) {
    it(`reads format-1 records of an old dataset, and format 2, from ${ending}`, async () => {
      const file = join(tempDir(), `old${ending}`);
      const recs = [formatOneRecord(), ...bareRecords()];
      writeFileSync(file, compress(lines(recs)));
      const { read, error } = await readUntilError(file);
      expect(error).toBeNull();
      expect(read.map((r) => r.record)).toStrictEqual(recs);
      expect(read[0]!.record.format).toBe(1);
    });

    it(`names the file and line of a line that is not JSON in ${ending}`, async () => {
      const file = join(tempDir(), `bad${ending}`);
      writeFileSync(file, compress(lines(bareRecords()) + '\n{"id": 1\n'));
      const read = await expectReadError(file, new RegExp(`^${file.replace(/[.]/g, '\\.')}:3: not JSON \\(`));
      expect(read.map((r) => r.where)).toEqual([`${file}:1`]);
    });
  }

  it('counts blank lines and takes CRLF line ends', async () => {
    const file = join(tempDir(), 'crlf.jsonl');
    const [a, b] = greetRecords();
    writeFileSync(file, `${JSON.stringify(a)}\r\n\r\n${JSON.stringify(b)}\r\n`);
    const { read } = await readUntilError(file);
    expect(read.map((r) => r.where)).toEqual([`${file}:1`, `${file}:3`]);
    expect(read.map((r) => r.record)).toStrictEqual([a, b]);
  });

  it('reads a line longer than many read chunks, and zstd files of several frames', async () => {
    const file = join(tempDir(), 'frames.jsonl.zst');
    const long = noisyRecord(0, 1_000_000); // ~3 MB of text on one line
    const recs: DatasetRecordV2[] = [long, ...greetRecords()];
    writeFileSync(file, Buffer.concat([zstd.compress(Buffer.from(lines([long]))), zstd.compress(Buffer.from(lines(greetRecords())))]));
    const { read, error } = await readUntilError(file);
    expect(error).toBeNull();
    expect(read.map((r) => r.record)).toStrictEqual(recs);
  });

  for (const ending of ['.jsonl.gz', '.jsonl.zst']) {
    it(`fails on a truncated ${ending} as unreadable at the line it stopped in, after the lines before`, async () => {
      const file = join(tempDir(), `cut${ending}`);
      const recs = Array.from({ length: 40 }, (_, i) => noisyRecord(i, 2_000));
      const whole = compressors[ending]!(lines(recs));
      writeFileSync(file, whole.subarray(0, Math.floor(whole.length * 0.6)));
      const read = await expectReadError(file, new RegExp(`^${file.replace(/[.]/g, '\\.')}:(\\d+): unreadable \\(`));
      expect(read.length).toBeGreaterThan(0);
      expect(read.length).toBeLessThan(40);
      expect(read.map((r) => r.record)).toStrictEqual(recs.slice(0, read.length));
    });
  }

  it('refuses a missing file, another extension and a directory with no shards, as stats always said', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'data.csv'), 'a,b\n');
    mkdirSync(join(dir, 'empty'));
    await expectReadError(join(dir, 'missing.jsonl'), `${join(dir, 'missing.jsonl')}: no such file`);
    await expectReadError(join(dir, 'missing.parquet'), `${join(dir, 'missing.parquet')}: no such file`);
    await expectReadError(join(dir, 'data.csv'), /data\.csv: not a dataset \(\.jsonl, \.jsonl\.gz, \.jsonl\.zst, a \.parquet file or a directory of \.parquet shards\)$/);
    await expectReadError(join(dir, 'empty'), `${join(dir, 'empty')}: no .parquet shards`);
    mkdirSync(join(dir, 'dir.jsonl'));
    await expectReadError(join(dir, 'dir.jsonl'), `${join(dir, 'dir.jsonl')}: not a file`);
  });

  it('reads a directory of shards in name order, rows named file#row across batches', async () => {
    const dir = tempDir();
    const src = join(dir, 'src');
    const recs = Array.from({ length: 100 }, (_, i) => sizedRecord(i, 10));
    const sink = await openSink(src, { format: 'parquet', shardTokens: 700 });
    for (const r of recs) await sink.write(r);
    const { files } = await sink.close();
    expect(files).toHaveLength(2);
    // Name order, not write order: b-first.parquet holds the first 70 records, a-second.parquet the rest.
    const shuffled = join(dir, 'shuffled');
    mkdirSync(shuffled);
    copyFileSync(files[0]!, join(shuffled, 'b-first.parquet'));
    copyFileSync(files[1]!, join(shuffled, 'a-second.parquet'));
    writeFileSync(join(shuffled, 'README.md'), 'not a shard');
    const { read, error } = await readUntilError(shuffled);
    expect(error).toBeNull();
    expect(read.map((r) => r.record)).toStrictEqual([...recs.slice(70), ...recs.slice(0, 70)]);
    expect(read[29]!.where).toBe(`${join(shuffled, 'a-second.parquet')}#29`);
    expect(read[99]!.where).toBe(`${join(shuffled, 'b-first.parquet')}#69`);
  });

  it('refuses a file that is not Parquet, and Parquet that is not a dataset', async () => {
    const dir = tempDir();
    const garbage = join(dir, 'garbage.parquet');
    writeFileSync(garbage, 'PAR1 but not really');
    await expectReadError(garbage, /garbage\.parquet: not Parquet \(/);
    const foreign = join(dir, 'foreign.parquet');
    await duck(`COPY (SELECT 'x' AS id, 2 AS format) TO '${foreign}' (FORMAT parquet)`);
    await expectReadError(foreign, `${foreign}: not a Retrace dataset (no column repo, run, chunk, context, steps, search, text, mask, tokens, stats)`);
    const retyped = join(dir, 'retyped.parquet');
    await duck(`COPY (SELECT * REPLACE (CAST(format AS BIGINT) AS format) FROM read_parquet('${await oneShard(dir)}')) TO '${retyped}' (FORMAT parquet)`);
    await expectReadError(retyped, `${retyped}: not a Retrace dataset (column format is Int64, not Int32)`);
  });
});

async function oneShard(dir: string): Promise<string> {
  const sink = await openSink(join(dir, 'one'), { format: 'parquet' });
  await sink.write(bareRecords()[0]!);
  const { files } = await sink.close();
  expect(readFileSync(files[0]!).subarray(0, 4).toString()).toBe('PAR1');
  return files[0]!;
}
