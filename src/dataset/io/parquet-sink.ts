/**
 * A Parquet sink: a directory of shards `part-00000.parquet`, ... A record that would take the
 * shard past `shardTokens` starts the next one, so a shard holds at most `shardTokens` tokens unless
 * a single record has more (it then has its shard alone). The directory must be new, empty, or hold
 * only an earlier dataset: its shards, removed first so none is left to mix in, and its card.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetRecordV2 } from '../record.ts';
import { checkParquetDir } from './parquet-dir.ts';
import { shardName } from './names.ts';
import { encodeRecord } from './parquet-schema.ts';
import { ParquetShard, writeEmptyShard } from './parquet-shard.ts';
import type { RecordSink, SinkSummary } from './sink.ts';

export async function openParquetSink(dir: string, shardTokens: number): Promise<RecordSink> {
  const shards = await checkParquetDir(dir);
  if (shards === null) await mkdir(dir, { recursive: true });
  else for (const name of shards) await rm(join(dir, name));
  return new ParquetSink(dir, shardTokens);
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
