/**
 * A JSON Lines sink: one record per line, through gzip or zstd when the name ends in `.gz` or
 * `.zst`. A write waits while the file lags (the stream's backpressure), so memory holds the
 * current line and the compressor's buffer, never the file.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Transform, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { DatasetRecordV2 } from '../record.ts';
import { DatasetOutputError, describeError } from './errors.ts';
import { JSONL_ENDINGS, jsonlCodec, type JsonlCodec } from './names.ts';
import type { RecordSink, SinkSummary } from './sink.ts';
import { ZstdCompressStream } from './zstd-compress.ts';

/** Checks the name before anything is created: a refused name leaves no file behind. */
export async function openJsonlSink(out: string): Promise<RecordSink> {
  const codec = jsonlCodec(out);
  if (codec === null) {
    throw new DatasetOutputError(`${out}: not a dataset name: a JSON Lines dataset ends in ${JSONL_ENDINGS.join(', ')} (a Parquet dataset is a directory: format 'parquet')`);
  }
  const compressor = await compressorFor(codec, out);
  const file = createWriteStream(out);
  const done = compressor ? pipeline(compressor, file) : finished(file);
  try {
    await once(file, 'open');
  } catch (err) {
    await done.catch(() => {});
    throw new DatasetOutputError(`${out}: cannot be written (${describeError(err)})`, { cause: err });
  }
  return new JsonlSink(out, compressor ?? file, done);
}

async function compressorFor(codec: JsonlCodec, out: string): Promise<Transform | null> {
  if (codec === 'gzip') return createGzip();
  if (codec === 'zstd') return ZstdCompressStream.open(out);
  return null;
}

class JsonlSink implements RecordSink {
  private records = 0;
  private failure: unknown = null;

  constructor(
    private readonly out: string,
    /** Where lines go in: the compressor, or the file itself. */
    private readonly head: Writable,
    /** Settles when the file is written and closed; rejects on the first error of any stage. */
    private readonly done: Promise<void>,
  ) {
    done.catch((err: unknown) => {
      this.failure = err;
    });
  }

  async write(rec: DatasetRecordV2): Promise<void> {
    if (this.failure) throw this.failure;
    if (!this.head.write(JSON.stringify(rec) + '\n')) await Promise.race([once(this.head, 'drain'), this.done]);
    this.records++;
  }

  async close(): Promise<SinkSummary> {
    this.head.end();
    await this.done;
    return { files: [this.out], bytes: (await stat(this.out)).size, records: this.records };
  }
}
