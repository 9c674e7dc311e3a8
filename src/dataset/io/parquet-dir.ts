/**
 * Whether a directory can take a Parquet dataset, apart from the Parquet writer itself, so a run
 * can check its output before it starts without loading Arrow.
 */
import { readdir, stat } from 'node:fs/promises';
import { DatasetOutputError } from './errors.ts';
import { CARD_FILE, jsonlCodec, SHARD_NAME } from './names.ts';

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
