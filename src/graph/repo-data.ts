/** Everything indexing found in a repository, as plain data; the graph is built from this. */
import type { FileFacts, ResolvedImport, SkippedFile, WalkedFile } from './types.ts';

export interface RepoData {
  /** Absolute, real path. */
  root: string;
  /** Files kept (sorted by path); parsed ones have facts. */
  files: WalkedFile[];
  skipped: SkippedFile[];
  facts: Map<string, FileFacts>;
  imports: ResolvedImport[];
  ignoredCount: number;
  /** A git work tree's untracked, ignored and deleted paths (walk.ts); not the repository's files. */
  excluded?: SkippedFile[];
}

export interface IndexStats {
  files: number;
  parsed: number;
  cacheHits: number;
  /** Bytes of source handed to the parser (cache misses). */
  parsedBytes: number;
  workers: number;
  /**
   * What became of the last run's result (result-cache.ts): `graph`, the graph of an unchanged
   * repo still held in this process was reused; `resolution`, resolved imports and references were
   * restored from the cache file; `computed`, neither (changed repo, first run, or no cache).
   */
  result: 'graph' | 'resolution' | 'computed';
  /** walk includes opening the facts cache. */
  ms: { walk: number; readAndParse: number; resolve: number; graph: number; total: number };
}
