/**
 * A Parquet sink: a directory of shards `part-00000.parquet`, ... A record that would take the
 * shard past `shardTokens` starts the next one, so a shard holds at most `shardTokens` tokens unless
 * a single record has more (it then has its shard alone). The directory must be new, empty, or hold
 * only an earlier dataset: its shards, removed first so none is left to mix in, and its card.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetRecordV2 } from '../record.ts';
import { DatasetOutputError } from './errors.ts';
import { CARD_FILE, jsonlCodec, SHARD_NAME, shardName } from './names.ts';
import { encodeRecord } from './parquet-schema.ts';
import { ParquetShard, writeEmptyShard } from './parquet-shard.ts';
import type { RecordSink, SinkSummary } from './sink.ts';

export async function openParquetSink(dir: string, shardTokens: number): Promise<RecordSink> {
  const shards = await checkParquetDir(dir);
  if (shards === null) await mkdir(dir, { recursive: true });
  else for (const name of shards) await rm(join(dir, name));
  return new ParquetSink(dir, shardTokens);
}

/**
 * Throws DatasetOutputError unless `dir` can take a Parquet dataset; creates and removes nothing
 * (a run checks before it starts). The shards already there, or null when `dir` does not exist.
 */
export async function checkParquetDir(dir: string): Promise<string[] | null> {
  if (jsonlCodec(dir) !== null) throw new DatasetOutputError(`${dir}: names a JSON Lines file; a Parquet dataset is a directory (e.g. ${dir.replace(/\.jsonl(\.\w+)?$/, '')}/)`);
  const found = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (!found) return null;
  if (!found.isDirectory()) throw new DatasetOutputError(`${dir}: exists and is not a directory; a Parquet dataset is a directory of shards`);
  const names = await readdir(dir);
  const foreign = names.filter((n) => !SHARD_NAME.test(n) && !CARD_FILE.test(n));
  if (foreign.length > 0) {
    const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? `, ... (${foreign.length} in all)` : '');
    throw new DatasetOutputError(`${dir}: holds files that are not a dataset's (${shown}); give a new or empty directory`);
  }
  return names.filter((n) => SHARD_NAME.test(n));
}

class ParquetSink implements RecordSink {
  private shard: ParquetShard | null = null;
  private readonly files: string[] = [];
  private bytes = 0;
  private records = 0;

  constructor(
    private readonly dir: string,
    private readonly shardTokens: number,
  ) {}

  async write(rec: DatasetRecordV2): Promise<void> {
    const row = encodeRecord(rec);
    if (this.shard && this.shard.tokens + rec.tokens.count > this.shardTokens) await this.closeShard();
    this.shard ??= this.openShard();
    await this.shard.add(rec, row);
    this.records++;
  }

  async close(): Promise<SinkSummary> {
    if (this.shard) await this.closeShard();
    else if (this.files.length === 0) {
      const path = join(this.dir, shardName(0));
      this.bytes += await writeEmptyShard(path);
      this.files.push(path);
    }
    return { files: [...this.files], bytes: this.bytes, records: this.records };
  }

  private openShard(): ParquetShard {
    const shard = ParquetShard.create(join(this.dir, shardName(this.files.length)));
    this.files.push(shard.path);
    return shard;
  }

  private async closeShard(): Promise<void> {
    const shard = this.shard!;
    this.shard = null;
    this.bytes += await shard.close();
  }
}
