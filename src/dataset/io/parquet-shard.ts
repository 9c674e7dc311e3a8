/**
 * One Parquet shard, written as rows come: rows gather into a batch (`ROW_GROUP_ROWS` rows, fewer
 * when they weigh `BATCH_BYTES`), each batch goes to parquet-wasm's streaming writer, which closes
 * a row group every `ROW_GROUP_ROWS` rows, or sooner once it holds `ROW_GROUP_BYTES` encoded (that
 * limit counts compressed pages, so it is the row count that bounds a row group's unpacked size).
 * Memory holds one batch and the row group being encoded, whatever the shard's size.
 */
import { createWriteStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { RecordBatch as ArrowBatch, Struct, Table as ArrowTable, tableToIPC, vectorFromArray } from 'apache-arrow';
import { Compression, RecordBatch, Table, transformParquetStream, writeParquet, WriterPropertiesBuilder, type WriterProperties } from 'parquet-wasm';
import type { DatasetRecordV2 } from '../record.ts';
import { Handoff } from './handoff.ts';
import { RECORD_SCHEMA, rowWeight, type EncodedRow } from './parquet-schema.ts';

/** A reader unpacks a row group at a time, and a record can be a whole context long. */
const ROW_GROUP_ROWS = 256;
const ROW_GROUP_BYTES = 32 << 20;
const BATCH_BYTES = 16 << 20;

function writerProperties(): WriterProperties {
  return new WriterPropertiesBuilder().setCompression(Compression.ZSTD).setMaxRowGroupSize(ROW_GROUP_ROWS).setMaxRowGroupBytes(ROW_GROUP_BYTES).build();
}

/** Rows into the wasm writer's batches (Arrow IPC is the way across). */
function wasmBatches(rows: readonly EncodedRow[]): RecordBatch[] {
  const rowType = new Struct(RECORD_SCHEMA.fields);
  const batches = vectorFromArray(rows, rowType).data.map((data) => new ArrowBatch(RECORD_SCHEMA, data));
  const table = Table.fromIPCStream(tableToIPC(new ArrowTable(batches), 'stream'));
  try {
    return table.recordBatches();
  } finally {
    table.free();
  }
}

export class ParquetShard {
  /** Summed `tokens.count` of the records added. */
  tokens = 0;
  private rows: EncodedRow[] = [];
  private rowsWeight = 0;

  private constructor(
    readonly path: string,
    private readonly input: Handoff<RecordBatch>,
    /** Settles when the file is written; rejects on the encoder's or the file's first error. */
    private readonly done: Promise<void>,
  ) {}

  static create(path: string): ParquetShard {
    const input = new Handoff<RecordBatch>();
    // The encoder settles its output stream once it has the first batch (the schema comes with it).
    const done = transformParquetStream(input.stream, writerProperties()).then((bytes) =>
      pipeline(Readable.fromWeb(bytes as WebReadableStream<Uint8Array>), createWriteStream(path)),
    );
    done.catch((err: unknown) => input.fail(err));
    return new ParquetShard(path, input, done);
  }

  /** `row` is `rec` encoded (encodeRecord): a record that cannot be encoded never opens a shard. */
  async add(rec: DatasetRecordV2, row: EncodedRow): Promise<void> {
    this.rows.push(row);
    this.rowsWeight += rowWeight(rec, row);
    this.tokens += rec.tokens.count;
    if (this.rows.length >= ROW_GROUP_ROWS || this.rowsWeight >= BATCH_BYTES) await this.flushRows();
  }

  /** Writes what is left and the footer; the shard's size on disk. */
  async close(): Promise<number> {
    await this.flushRows();
    this.input.end();
    await this.done;
    return (await stat(this.path)).size;
  }

  private async flushRows(): Promise<void> {
    if (this.rows.length === 0) return;
    const batches = wasmBatches(this.rows);
    this.rows = [];
    this.rowsWeight = 0;
    try {
      for (const batch of batches) await this.input.push(batch);
    } catch (err) {
      // A push fails because the encoder or the file did: theirs is the error worth reporting.
      await this.done;
      throw err;
    }
  }
}

/** A dataset of no records is one shard of no rows: the schema, readable as an empty table. */
export async function writeEmptyShard(path: string): Promise<number> {
  const table = Table.fromIPCStream(tableToIPC(new ArrowTable(RECORD_SCHEMA), 'stream'));
  const bytes = writeParquet(table, writerProperties());
  await writeFile(path, bytes);
  return bytes.length;
}
