/**
 * Records of a Parquet file, a batch of rows at a time (parquet-wasm reads the file through a
 * file-backed Blob, so only the row groups being read are in memory). The file's columns are
 * checked against ours first; a row is named `file#row`, counting from 0 as DuckDB's
 * `file_row_number` does.
 */
import { openAsBlob } from 'node:fs';
import { tableFromIPC, type Schema } from 'apache-arrow';
import { ParquetFile, type RecordBatch } from 'parquet-wasm';
import { DatasetReadError, describeError } from './errors.ts';
import { checkSchema, decodeRecord } from './parquet-schema.ts';
import type { ReadRecord } from './reader.ts';

const BATCH_ROWS = 64;

async function openParquet(file: string): Promise<ParquetFile> {
  try {
    return await ParquetFile.fromFile(await openAsBlob(file));
  } catch (err) {
    throw new DatasetReadError(`${file}: not Parquet (${describeError(err)})`, { cause: err });
  }
}

function arrowSchema(pq: ParquetFile): Schema {
  return tableFromIPC(pq.schema().intoIPCStream()).schema;
}

export async function* readParquet(file: string): AsyncGenerator<ReadRecord> {
  const pq = await openParquet(file);
  let row = 0;
  try {
    checkSchema(file, arrowSchema(pq));
    const batches = (await pq.stream({ batchSize: BATCH_ROWS })) as AsyncIterable<RecordBatch>;
    for await (const batch of batches) {
      const table = tableFromIPC(batch.intoIPCStream());
      for (let i = 0; i < table.numRows; i++, row++) {
        const where = `${file}#${row}`;
        yield { record: decodeRecord(table.get(i)!, where), where };
      }
    }
  } catch (err) {
    if (err instanceof DatasetReadError) throw err;
    throw new DatasetReadError(`${file}#${row}: unreadable (${describeError(err)})`, { cause: err });
  } finally {
    pq.free();
  }
}
