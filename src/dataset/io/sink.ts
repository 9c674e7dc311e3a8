/**
 * Where dataset records go: a JSON Lines file (plain, gzip or zstd, by the name's ending) or a
 * directory of Parquet shards. Records stream through: a JSON Lines sink holds one record (plus
 * its compressor's buffer), a Parquet sink one batch of rows and the row group being encoded.
 * docs/dataset.md ("Formats") describes the files.
 */
import type { DatasetRecordV2 } from '../record.ts';
import { DatasetOutputError } from './errors.ts';
import { openJsonlSink } from './jsonl-sink.ts';

export interface SinkSummary {
  /** The files written, in order (one for JSON Lines, the shards for Parquet). */
  files: string[];
  /** Their size on disk, summed. */
  bytes: number;
  records: number;
}

/** `write` calls are awaited one at a time; `close` finishes the files and may be called again. */
export interface RecordSink {
  write(rec: DatasetRecordV2): Promise<void>;
  close(): Promise<SinkSummary>;
}

export interface SinkOptions {
  /** `jsonl` (default): `out` is a file; `parquet`: `out` is a directory of shards. */
  format?: 'jsonl' | 'parquet';
  /** Parquet: tokens (summed `tokens.count`) per shard at most, unless one record alone has more. */
  shardTokens?: number;
}

/**
 * 100M tokens: about 400 MB of text, as much again of steps' JSON, a few hundred MB once zstd has
 * had them (an estimate: code compresses 3-4x). Files of that size are what Hugging Face, DuckDB
 * and Spark read well and split across workers. Memory does not depend on it: rows go out in row
 * groups as they come.
 */
export const DEFAULT_SHARD_TOKENS = 100_000_000;

export async function openSink(out: string, opts: SinkOptions = {}): Promise<RecordSink> {
  const format = opts.format ?? 'jsonl';
  if (format === 'jsonl') return guarded(out, await openJsonlSink(out));
  if (format === 'parquet') {
    // Loaded when asked for: Arrow and parquet-wasm are hundreds of modules a JSON Lines run never needs.
    const { openParquetSink } = await import('./parquet-sink.ts');
    return guarded(out, await openParquetSink(out, shardTokensOf(opts.shardTokens)));
  }
  throw new DatasetOutputError(`${out}: unknown dataset format ${JSON.stringify(format)} (jsonl or parquet)`);
}

function shardTokensOf(shardTokens: number | undefined): number {
  if (shardTokens === undefined) return DEFAULT_SHARD_TOKENS;
  if (!Number.isSafeInteger(shardTokens) || shardTokens <= 0) throw new DatasetOutputError(`shardTokens: ${shardTokens} is not a positive integer`);
  return shardTokens;
}

/** The contract every sink keeps: one write at a time, none after close, close once (then its summary again). */
function guarded(out: string, inner: RecordSink): RecordSink {
  let writing = false;
  let closing: Promise<SinkSummary> | null = null;
  return {
    async write(rec) {
      if (closing) throw new DatasetOutputError(`${out}: write after close`);
      if (writing) throw new DatasetOutputError(`${out}: write while another write is pending (await each write)`);
      writing = true;
      try {
        await inner.write(rec);
      } finally {
        writing = false;
      }
    },
    close() {
      closing ??= inner.close();
      return closing;
    },
  };
}
