/**
 * Reading any dataset, record by record: JSON Lines (`.jsonl`, `.jsonl.gz`, `.jsonl.zst`), a
 * `.parquet` file, or a directory of `.parquet` shards (in name order). Records are what the file
 * holds, format 1 or 2, parsed but not checked: callers check the fields they use. `where` names
 * the record in errors (`file:line`, `file#row`).
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetRecord } from '../format.ts';
import type { DatasetRecordV2 } from '../record.ts';
import { DatasetReadError, describeError } from './errors.ts';
import { readJsonl } from './jsonl-reader.ts';
import { jsonlCodec, PARQUET_ENDING, type JsonlCodec } from './names.ts';

export interface ReadRecord {
  record: DatasetRecordV2 | DatasetRecord;
  where: string;
}

type Source = { kind: 'jsonl'; codec: JsonlCodec } | { kind: 'parquet'; files: string[] };

const notADataset = (path: string): string => `${path}: not a dataset (.jsonl, .jsonl.gz, .jsonl.zst, a .parquet file or a directory of .parquet shards)`;

export async function* readRecords(path: string): AsyncGenerator<ReadRecord> {
  const source = await locate(path);
  if (source.kind === 'jsonl') yield* readJsonl(path, source.codec);
  else {
    // Loaded when asked for, as the sink does: Arrow is hundreds of modules.
    const { readParquet } = await import('./parquet-reader.ts');
    for (const file of source.files) yield* readParquet(file);
  }
}

async function locate(path: string): Promise<Source> {
  const codec = jsonlCodec(path);
  const found = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw new DatasetReadError(`${path}: unreadable (${describeError(err)})`, { cause: err });
  });
  if (!found) throw new DatasetReadError(codec || path.endsWith(PARQUET_ENDING) ? `${path}: no such file` : notADataset(path));
  if (found.isDirectory() && !codec) return { kind: 'parquet', files: await shardsOf(path) };
  if (!found.isFile()) throw new DatasetReadError(`${path}: not a file`);
  if (codec) return { kind: 'jsonl', codec };
  if (path.endsWith(PARQUET_ENDING)) return { kind: 'parquet', files: [path] };
  throw new DatasetReadError(notADataset(path));
}

async function shardsOf(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith(PARQUET_ENDING)).sort();
  if (names.length === 0) throw new DatasetReadError(`${dir}: no .parquet shards`);
  return names.map((n) => join(dir, n));
}
