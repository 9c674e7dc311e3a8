/**
 * Parquet sinks: a directory of zstd shards that reads back record for record, that DuckDB reads
 * with the documented column types, that rolls over to a new shard at `shardTokens`, and that
 * never writes into a directory holding someone else's files.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DatasetRecordV2 } from '../../../src/dataset/record.ts';
import { DatasetOutputError, openSink, readRecords, type SinkOptions } from '../../../src/dataset/io/mod.ts';
import { tempDir } from '../../support/tmp.ts';
import { duck } from './duck.ts';
import { readAll, writeAll as writeWith } from './round-trip.ts';
import { bareRecords, greetRecords, sizedRecord } from './records.ts';

const writeAll = (out: string, recs: DatasetRecordV2[], opts: SinkOptions = {}) => writeWith(out, recs, { format: 'parquet', ...opts });

const codePoints = (s: string): number => [...s].length;

/** The schema docs/dataset.md ("Formats") documents, as DuckDB names the types. */
const DOCUMENTED_TYPES = {
  id: 'VARCHAR',
  format: 'INTEGER',
  repo: 'STRUCT("name" VARCHAR, origin VARCHAR, "commit" VARCHAR, licence VARCHAR, licence_source VARCHAR, languages VARCHAR, files VARCHAR[])',
  run: 'STRUCT(id VARCHAR, seed BIGINT, budget BIGINT, fault_rate DOUBLE, policies VARCHAR, scorer STRUCT(kind VARCHAR, model VARCHAR), "search" STRUCT("method" VARCHAR, batch BIGINT), tokenizer VARCHAR, context_tokens BIGINT, model_calls VARCHAR)',
  chunk: 'STRUCT("index" BIGINT, count BIGINT, first_step BIGINT)',
  context: 'VARCHAR',
  steps: 'VARCHAR',
  search: 'VARCHAR',
  text: 'VARCHAR',
  mask: 'BIGINT[][]',
  tokens: 'STRUCT(count BIGINT, train BIGINT, masked BIGINT, mask BIGINT[][], blocks BIGINT[], ids INTEGER[])',
  stats: 'STRUCT(steps BIGINT, chars BIGINT, train_chars BIGINT, masked_chars BIGINT)',
};

describe('Parquet sinks', () => {
  it('write shards that read back deep-equal, in order, naming each row by file and row', async () => {
    const out = join(tempDir(), 'ds');
    const recs = [...greetRecords(), ...bareRecords()];
    const summary = await writeAll(out, recs);
    expect(summary).toMatchObject({ files: [join(out, 'part-00000.parquet')], records: 3 });
    expect(summary.bytes).toBe(readFileSync(summary.files[0]!).length);
    const back = await readAll(out);
    expect(back.map((r) => r.record)).toStrictEqual(recs);
    expect(back.map((r) => r.where)).toEqual([0, 1, 2].map((i) => `${join(out, 'part-00000.parquet')}#${i}`));
    expect((await readAll(summary.files[0]!)).map((r) => r.record)).toStrictEqual(recs);
  });

  it('are read by DuckDB: documented column types, zstd, texts with emoji and CJK, token ids, nulls', async () => {
    const out = join(tempDir(), 'ds');
    const recs = [...greetRecords(), ...bareRecords()];
    await writeAll(out, recs);
    const glob = `read_parquet('${out}/*.parquet')`;
    const types = Object.fromEntries((await duck(`DESCRIBE SELECT * FROM ${glob}`)).map((r) => [r.column_name, r.column_type]));
    expect(types).toEqual(DOCUMENTED_TYPES);
    expect(await duck(`SELECT DISTINCT compression FROM parquet_metadata('${out}/*.parquet')`)).toEqual([{ compression: 'ZSTD' }]);

    const rows = await duck(`SELECT id, text, length(text) AS points, tokens.count AS tokens, tokens.ids AS ids, repo.origin AS origin, run.search AS search, mask FROM ${glob} ORDER BY id`);
    const byId = [...recs].sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(rows.map((r) => r.id)).toEqual(byId.map((r) => r.id));
    expect(rows.map((r) => r.text)).toEqual(byId.map((r) => r.text));
    expect(rows.map((r) => Number(r.points))).toEqual(byId.map((r) => codePoints(r.text)));
    expect(rows.map((r) => Number(r.tokens))).toEqual(byId.map((r) => r.tokens.count));
    expect(rows.map((r) => r.ids)).toEqual(byId.map((r) => r.tokens.ids ?? null));
    expect(rows.map((r) => r.origin)).toEqual([null, 'https://github.com/example/greet.git', 'https://github.com/example/greet.git']);
    expect(rows[0]!.search).toBeNull();
    expect(rows.map((r) => (r.mask as bigint[][]).map((s) => s.map(Number)))).toEqual(byId.map((r) => r.mask));
    // A mask span cuts `text` where Python would: in code points, after the emoji, not in UTF-16 units.
    const [check] = await duck(`SELECT substring(text, mask[2][1] + 1, 22) AS masked FROM ${glob} WHERE id = 'greet/greet-s7#0'`);
    const start = recs[0]!.mask[1]![0];
    expect(check!.masked).toBe('### tester observation');
    expect(recs[0]!.text.slice(start, start + 22)).not.toBe('### tester observation');
    const [steps] = await duck(`SELECT json_extract_string(steps, '$[3].text') AS written FROM ${glob} WHERE id = 'greet/greet-s7#0'`);
    expect(steps!.written).toBe(recs[0]!.steps[3]!.text);
  });

  it('start a new shard where a record would take one past shardTokens; a bigger record has its shard alone', async () => {
    const out = join(tempDir(), 'ds');
    const tokens = [40, 40, 20, 30, 150, 10, 90, 10];
    const recs = tokens.map((t, i) => sizedRecord(i, t));
    const summary = await writeAll(out, recs, { shardTokens: 100 });
    // 40+40+20 = 100 fits; 30 opens part 1; 150 alone; 10+90 = 100; 10.
    expect(summary.files.map((f) => f.slice(out.length + 1))).toEqual(['part-00000.parquet', 'part-00001.parquet', 'part-00002.parquet', 'part-00003.parquet', 'part-00004.parquet']);
    const shards = await duck(`SELECT parse_filename(filename) AS shard, sum(tokens.count) AS tokens, list(chunk.index ORDER BY chunk.index) AS records FROM read_parquet('${out}/*.parquet', filename = true) GROUP BY ALL ORDER BY shard`);
    expect(shards.map((s) => [s.shard, Number(s.tokens), (s.records as bigint[]).map(Number)])).toEqual([
      ['part-00000.parquet', 100, [0, 1, 2]],
      ['part-00001.parquet', 30, [3]],
      ['part-00002.parquet', 150, [4]],
      ['part-00003.parquet', 100, [5, 6]],
      ['part-00004.parquet', 10, [7]],
    ]);
    expect((await readAll(out)).map((r) => r.record)).toStrictEqual(recs);
  });

  it('stream many records through batches and row groups of at most 256 rows, in order', async () => {
    const out = join(tempDir(), 'ds');
    const recs = Array.from({ length: 600 }, (_, i) => sizedRecord(i, 50));
    await writeAll(out, recs);
    const groups = await duck(`SELECT DISTINCT row_group_id AS id, row_group_num_rows AS n FROM parquet_metadata('${out}/*.parquet') ORDER BY id`);
    expect(groups.map((g) => Number(g.n))).toEqual([256, 256, 88]);
    const back = await readAll(out);
    expect(back.map((r) => (r.record as DatasetRecordV2).id)).toEqual(recs.map((r) => r.id));
    expect(back.at(-1)!.record).toStrictEqual(recs.at(-1));
  });

  it('write one empty shard for no records: a table with the schema and no rows', async () => {
    const out = join(tempDir(), 'ds');
    const summary = await writeAll(out, []);
    expect(summary).toMatchObject({ files: [join(out, 'part-00000.parquet')], records: 0 });
    expect(await duck(`SELECT count(*) AS n FROM read_parquet('${out}/*.parquet')`)).toEqual([{ n: 0n }]);
    expect((await duck(`DESCRIBE SELECT * FROM read_parquet('${out}/*.parquet')`)).map((r) => r.column_name)).toEqual(Object.keys(DOCUMENTED_TYPES));
    expect(await readAll(out)).toEqual([]);
  });

  it('refuse a directory holding other files, a file, or a JSON Lines name, and leave them as they were', async () => {
    const dir = tempDir();
    const foreign = join(dir, 'mine');
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'notes.txt'), 'keep me');
    writeFileSync(join(foreign, 'part-00000.parquet'), 'an old shard');
    await expect(openSink(foreign, { format: 'parquet' })).rejects.toThrow(new DatasetOutputError(`${foreign}: holds files that are not a dataset's (notes.txt); give a new or empty directory`));
    expect(readdirSync(foreign).sort()).toEqual(['notes.txt', 'part-00000.parquet']);

    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    await expect(openSink(file, { format: 'parquet' })).rejects.toThrow(/file: exists and is not a directory/);
    expect(readFileSync(file, 'utf8')).toBe('x');

    await expect(openSink(join(dir, 'ds.jsonl.gz'), { format: 'parquet' })).rejects.toThrow(DatasetOutputError);
    expect(readdirSync(dir).sort()).toEqual(['file', 'mine']);
  });

  it('replace an earlier dataset in the directory: its shards go, however many, its card stays', async () => {
    const out = join(tempDir(), 'ds');
    await writeAll(out, [10, 10, 10].map((t, i) => sizedRecord(i, t)), { shardTokens: 10 });
    writeFileSync(join(out, 'README.md'), '---\nlicense: mit\n---\n');
    writeFileSync(join(out, 'tokens-per-repo.svg'), '<svg/>');
    expect(readdirSync(out)).toHaveLength(5);
    const summary = await writeAll(out, bareRecords());
    expect(readdirSync(out).sort()).toEqual(['README.md', 'part-00000.parquet', 'tokens-per-repo.svg']);
    expect(summary.files).toEqual([join(out, 'part-00000.parquet')]);
    expect((await readAll(out)).map((r) => r.record)).toStrictEqual(bareRecords());
  });

  it('refuse a record with a field that has no column, rather than drop it', async () => {
    const [rec] = bareRecords();
    const widened = { ...rec!, tokens: { ...rec!.tokens, weights: [1] } } as DatasetRecordV2;
    const out = join(tempDir(), 'ds');
    const sink = await openSink(out, { format: 'parquet' });
    await expect(sink.write(widened)).rejects.toThrow(new DatasetOutputError('bare/bare-s1#0: no Parquet column for tokens.weights'));
    await sink.write(rec!);
    expect(await sink.close()).toMatchObject({ files: [join(out, 'part-00000.parquet')], records: 1 });
    expect((await readAll(out)).map((r) => r.record)).toStrictEqual([rec]);
    await expect(openSink(join(tempDir(), 'ds'), { format: 'parquet', shardTokens: 0 })).rejects.toThrow(/shardTokens: 0 is not a positive integer/);
  });
});
