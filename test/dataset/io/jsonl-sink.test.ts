/**
 * JSON Lines sinks: `.jsonl`, `.jsonl.gz` and `.jsonl.zst` by the name; what they write reads back
 * record for record, and decodes with tools that are not ours (zlib, fzstd); zstd is one frame; the
 * bytes reach the disk while records are still being written; other names are refused before any
 * file exists.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { decompress } from 'fzstd';
import { describe, expect, it } from 'vitest';
import type { DatasetRecordV2 } from '../../../src/dataset/record.ts';
import { DatasetOutputError, openSink, readRecords } from '../../../src/dataset/io/mod.ts';
import { tempDir } from '../../support/tmp.ts';
import { readAll, writeAll } from './round-trip.ts';
import { bareRecords, greetRecords, noisyRecord, sizedRecord } from './records.ts';
import { zstdFrames } from './zstd-frames.ts';

const records = (): DatasetRecordV2[] => [...greetRecords(), ...bareRecords()];
const expectedLines = (recs: DatasetRecordV2[]): string => recs.map((r) => JSON.stringify(r) + '\n').join('');

const decoders: Record<string, (bytes: Buffer) => string> = {
  'data.jsonl': (b) => b.toString('utf8'),
  'data.jsonl.gz': (b) => gunzipSync(b).toString('utf8'),
  'data.jsonl.zst': (b) => Buffer.from(decompress(b)).toString('utf8'),
};

describe('JSON Lines sinks', () => {
  for (const [name, decode] of Object.entries(decoders)) {
    it(`${name}: reads back deep-equal, and decodes independently to one line per record`, async () => {
      const out = join(tempDir(), name);
      const recs = records();
      const summary = await writeAll(out, recs);
      expect(summary).toEqual({ files: [out], bytes: statSync(out).size, records: 3 });
      const back = await readAll(out);
      expect(back.map((r) => r.record)).toStrictEqual(recs);
      expect(back.map((r) => r.where)).toEqual([`${out}:1`, `${out}:2`, `${out}:3`]);
      const text = decode(readFileSync(out));
      expect(text).toBe(expectedLines(recs));
      expect(text).toContain('こんにちは');
      expect(text).toContain('🎉');
    });
  }

  it('compresses .gz and .zst for real, and .zst is a single frame', async () => {
    const dir = tempDir();
    const recs = Array.from({ length: 200 }, (_, i) => sizedRecord(i, 400));
    const plain = (await writeAll(join(dir, 'd.jsonl'), recs)).bytes;
    const gz = (await writeAll(join(dir, 'd.jsonl.gz'), recs)).bytes;
    const zst = await writeAll(join(dir, 'd.jsonl.zst'), recs);
    expect(gz).toBeLessThan(plain / 5);
    expect(zst.bytes).toBeLessThan(plain / 5);
    expect(zstdFrames(readFileSync(zst.files[0]!))).toEqual({ frames: 1, skippable: 0 });
  });

  for (const name of Object.keys(decoders)) {
    it(`${name}: streams, compressed bytes reach the disk before the sink is closed`, async () => {
      const out = join(tempDir(), name);
      const sink = await openSink(out);
      let written = 0;
      // ~36 KB a record that barely compresses: 64 KiB on disk means records, not just a header.
      while (statSync(out).size < 64 << 10 && written < 300) await sink.write(noisyRecord(written++, 12_000));
      const onDisk = statSync(out).size;
      expect(onDisk).toBeGreaterThanOrEqual(64 << 10);
      expect(written).toBeLessThan(300);
      for (let i = 0; i < 20; i++) await sink.write(noisyRecord(written++, 12_000));
      const { bytes, records } = await sink.close();
      expect(records).toBe(written);
      expect(bytes).toBeGreaterThan(onDisk);
      expect((await readAll(out)).map((r) => (r.record as DatasetRecordV2).id)).toEqual(Array.from({ length: written }, (_, i) => `bare/bare-s1#${i}`));
    });
  }

  it('refuses any other name before creating a file, naming the endings it takes', async () => {
    const dir = tempDir();
    for (const name of ['data.json', 'data.zst', 'data.jsonl.bz2', 'data.jsonl.gz.tmp', 'data']) {
      const err = await openSink(join(dir, name)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatasetOutputError);
      expect((err as Error).message).toContain(`${join(dir, name)}: not a dataset name`);
      expect((err as Error).message).toContain('.jsonl, .jsonl.gz, .jsonl.zst');
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a second .zst sink while one is open (one zstd stream a process), and takes one after', async () => {
    const dir = tempDir();
    const first = await openSink(join(dir, 'a.jsonl.zst'));
    await expect(openSink(join(dir, 'b.jsonl.zst'))).rejects.toThrow(DatasetOutputError);
    expect(readdirSync(dir)).toEqual(['a.jsonl.zst']);
    await first.write(greetRecords()[0]!);
    await first.close();
    expect(await writeAll(join(dir, 'b.jsonl.zst'), bareRecords())).toMatchObject({ records: 1 });
    expect((await readAll(join(dir, 'a.jsonl.zst'))).map((r) => r.record)).toStrictEqual([greetRecords()[0]]);
    expect((await readAll(join(dir, 'b.jsonl.zst'))).map((r) => r.record)).toStrictEqual(bareRecords());
  });

  it('refuses a write after close, and a second close gives the same summary', async () => {
    const out = join(tempDir(), 'd.jsonl');
    const sink = await openSink(out);
    await sink.write(bareRecords()[0]!);
    const summary = await sink.close();
    await expect(sink.write(bareRecords()[0]!)).rejects.toThrow(/write after close/);
    expect(await sink.close()).toEqual(summary);
    expect(readFileSync(out, 'utf8').split('\n')).toHaveLength(2);
  });

  it('fails at open, as an output error, where the file cannot be created', async () => {
    const out = join(tempDir(), 'missing-dir', 'd.jsonl.zst');
    await expect(openSink(out)).rejects.toThrow(DatasetOutputError);
    // The zstd stream was given back: the next .zst sink opens.
    const ok = await openSink(join(tempDir(), 'd.jsonl.zst'));
    await ok.close();
  });
});
