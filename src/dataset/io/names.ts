/** Which names a dataset may have: JSON Lines by their ending, Parquet as a directory of shards. */

export type JsonlCodec = 'plain' | 'gzip' | 'zstd';

const JSONL_CODECS: ReadonlyArray<readonly [string, JsonlCodec]> = [
  ['.jsonl', 'plain'],
  ['.jsonl.gz', 'gzip'],
  ['.jsonl.zst', 'zstd'],
];

export const JSONL_ENDINGS: readonly string[] = JSONL_CODECS.map(([ending]) => ending);

/** The compression a JSON Lines name asks for, or null when the name is not a JSON Lines dataset's. */
export function jsonlCodec(path: string): JsonlCodec | null {
  return JSONL_CODECS.find(([ending]) => path.endsWith(ending))?.[1] ?? null;
}

export const PARQUET_ENDING = '.parquet';

/** Shards the sink writes: `part-00000.parquet`, `part-00001.parquet`, ... (name order is write order). */
export const SHARD_NAME = /^part-\d{5,}\.parquet$/;

export const shardName = (index: number): string => `part-${String(index).padStart(5, '0')}${PARQUET_ENDING}`;

/**
 * The dataset card's files, which `retrace run` writes beside the shards (README.md and its SVG
 * plots): a directory holding them besides shards is still a dataset's, and they stay.
 */
export const CARD_FILE = /^(README\.md|[\w.-]+\.svg)$/;
