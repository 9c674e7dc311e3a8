/**
 * Indexing a repository: walk, read and hash, parse what the cache does not hold (in worker
 * threads), resolve imports, build the graph.
 *
 * Memory: source text is held only until its batch is parsed, at most `maxInFlight` batches per
 * worker are outstanding, and trees never leave the workers. Workers start only when some file
 * misses the cache, so a warm run spends no time on them — except on a cold run (no cache, or an
 * empty one) with `workers` given: then they start before the walk, which hides their boot.
 *
 * An unchanged repo (same files, contents, config files and code) skips resolution: see
 * result-cache.ts.
 */
import { realpathSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { FactsCache, defaultCacheDir, fingerprint } from './cache.ts';
import { startParsePool, type ParsePool } from './pool.ts';
import type { ParseResult, ParseTask } from './pool-protocol.ts';
import { RepoGraph } from './repo-graph.ts';
import type { IndexStats, RepoData } from './repo-data.ts';
import { createResolveContext } from './resolve/context.ts';
import { resolveImports } from './resolve/resolve-imports.ts';
import { configsUnchanged, decodeImports, decodeReferences, encodeResult, hashText, resultKey, symbolPositions } from './result-cache.ts';
import { checkSource, isSkipped, probeBinary, readSourceBytes } from './source.ts';
import type { FileFacts, SkippedFile, WalkedFile } from './types.ts';
import { type WalkOptions, compareText, walkRepo } from './walk.ts';

export interface IndexOptions extends WalkOptions {
  /**
   * Parse worker threads; 0 parses on this thread. Default: available cores, at most 4, and none
   * for repos under 512 KiB of source (starting a worker costs more than it saves there).
   */
  workers?: number;
  /** false: no cache; otherwise the cache directory (default ~/.cache/retrace/graph). */
  cache?: false | { dir?: string };
  /** Characters of source per batch sent to a worker; 256 Ki by default. */
  batchChars?: number;
  /**
   * Reuse the graph of an earlier run in this process when the repo is unchanged and that graph
   * is still alive (the two share one read-only graphology graph); true by default, and only
   * with a cache.
   */
  reuseLiveGraph?: boolean;
  /**
   * Told how indexing goes, for a progress display: each phase as it begins, and in `parse`, the
   * source files settled so far (parsed, taken from the cache, or skipped as binary, oversized or
   * generated) out of every file the walk found in a known language. `done` only grows, and ends
   * at `total`; it is reported at most about 200 times however large the repository. `walk`,
   * `resolve` and `graph` have no count (0 of 0).
   */
  onProgress?: (p: IndexProgress) => void;
}

export interface IndexProgress {
  phase: 'walk' | 'parse' | 'resolve' | 'graph';
  done: number;
  total: number;
}

/** Reports `parse` progress in steps of about 1/200 of the files, and always the last one. */
function parseProgress(onProgress: (p: IndexProgress) => void, files: readonly WalkedFile[]): (n: number) => void {
  let total = 0;
  for (const f of files) if (f.language !== null) total++;
  const step = Math.max(1, Math.ceil(total / 200));
  let done = 0;
  let next = step;
  onProgress({ phase: 'parse', done, total });
  return (n) => {
    done += n;
    if (done >= next || done === total) {
      next = done + step;
      onProgress({ phase: 'parse', done, total });
    }
  };
}

const maxInFlight = 3;
const smallRepoBytes = 512 * 1024;

/**
 * The last graph indexed per root in this process, while something still holds it, with its
 * result key and config files: re-indexing the unchanged repo reuses its built graph.
 */
const lastGraph = new Map<string, { graph: WeakRef<RepoGraph>; key: string; configs: Array<[string, string]> }>();

export async function indexRepo(rootPath: string, opts: IndexOptions = {}): Promise<RepoGraph> {
  const t0 = performance.now();
  const onProgress = opts.onProgress;
  onProgress?.({ phase: 'walk', done: 0, total: 0 });
  const cache = opts.cache === false ? undefined : FactsCache.open(opts.cache?.dir ?? defaultCacheDir(), realpathSync(rootPath));
  // Started on the first cache miss and not awaited there: reading goes on while workers boot.
  // On a cold run with a worker count given, started now: they boot while the walk runs.
  let poolStart: Promise<ParsePool> | undefined;
  if (opts.workers !== undefined && opts.workers > 0 && (!cache || cache.isEmpty)) {
    poolStart = startParsePool(opts.workers);
    poolStart.catch(() => undefined);
  }
  let walked: ReturnType<typeof walkRepo>;
  try {
    walked = walkRepo(rootPath, opts);
  } catch (err) {
    if (poolStart) await poolStart.then((pool) => pool.close(), () => undefined);
    throw err;
  }
  const t1 = performance.now();
  const root = walked.root;
  const sourceBytes = walked.files.reduce((n, f) => n + (f.language ? f.size : 0), 0);
  const workerCount = opts.workers ?? (sourceBytes < smallRepoBytes ? 0 : Math.min(4, availableParallelism()));
  const batchChars = opts.batchChars ?? 256 * 1024;
  // Called with the number of source files settled; absent without a progress callback.
  const settled = onProgress ? parseProgress(onProgress, walked.files) : undefined;

  const files: WalkedFile[] = [];
  const skipped: SkippedFile[] = [...walked.skipped];
  const facts = new Map<string, FileFacts>();
  const hashes = new Map<string, string>();
  let parsed = 0;
  let parsedBytes = 0;

  const inFlight: Array<Promise<void>> = [];
  let batch: ParseTask[] = [];
  let chars = 0;
  const accept = (results: ParseResult[]) => {
    for (const r of results) {
      facts.set(r.path, r.facts);
      cache?.set(hashes.get(r.path)!, r.facts.language, r.facts);
    }
    settled?.(results.length);
  };
  const flush = async () => {
    if (batch.length === 0) return;
    const send = batch;
    batch = [];
    chars = 0;
    poolStart ??= startParsePool(workerCount);
    const p = poolStart.then((pool) => pool.parse(send)).then(accept);
    inFlight.push(p);
    if (inFlight.length >= Math.max(1, workerCount) * maxInFlight) await inFlight.shift();
  };

  try {
    for (const f of walked.files) {
      if (f.language === null) {
        const bin = probeBinary(root, f.path);
        if (bin) skipped.push(bin);
        else files.push(f);
        continue;
      }
      const raw = readSourceBytes(root, f.path);
      if (isSkipped(raw)) {
        skipped.push(raw);
        settled?.(1);
        continue;
      }
      const hit = cache?.get(raw.hash, f.language);
      if (hit) {
        files.push(f);
        facts.set(f.path, hit);
        hashes.set(f.path, raw.hash);
        settled?.(1);
        continue;
      }
      const src = checkSource(f.path, raw);
      if (isSkipped(src)) {
        skipped.push(src);
        settled?.(1);
        continue;
      }
      files.push(f);
      hashes.set(f.path, src.hash);
      batch.push({ path: f.path, language: f.language, text: src.text });
      chars += src.text.length;
      parsed++;
      parsedBytes += f.size;
      if (chars >= batchChars) await flush();
    }
    await flush();
    await Promise.all(inFlight);
  } finally {
    // Settle every batch before closing, even when one failed, so no worker is left running.
    await Promise.allSettled(inFlight);
    if (poolStart) await poolStart.then((pool) => pool.close(), () => undefined);
  }
  const t2 = performance.now();
  onProgress?.({ phase: 'resolve', done: 0, total: 0 });

  skipped.sort((a, b) => compareText(a.path, b.path));
  // Facts in path order, so everything downstream iterates deterministically.
  const orderedFacts = new Map([...facts.entries()].sort((a, b) => compareText(a[0], b[0])));
  const data: RepoData = { root, files, skipped, facts: orderedFacts, imports: [], ignoredCount: walked.ignoredCount, excluded: walked.excluded };
  const key = cache ? resultKey(fingerprint(), files, skipped, hashes) : undefined;
  const last = key !== undefined && opts.reuseLiveGraph !== false ? lastGraph.get(root) : undefined;
  const lastAlive = last?.key === key ? last?.graph.deref() : undefined;
  const stored = key !== undefined && cache?.result?.key === key ? cache.result : undefined;
  let from: ConstructorParameters<typeof RepoGraph>[2];
  let configs: Array<[string, string]> | undefined;
  let storedValid = false;
  let result: IndexStats['result'] = 'computed';
  if (lastAlive && last && configsUnchanged(root, last.configs)) {
    data.imports = lastAlive.data.imports;
    from = { built: lastAlive.builtGraph };
    configs = last.configs;
    result = 'graph';
    storedValid = stored !== undefined && JSON.stringify(stored.configs) === JSON.stringify(configs);
  } else if (stored && configsUnchanged(root, stored.configs)) {
    data.imports = decodeImports(stored, orderedFacts);
    from = { references: decodeReferences(stored, orderedFacts) };
    configs = stored.configs;
    storedValid = true;
    result = 'resolution';
  } else {
    const ctx = createResolveContext(
      root,
      [...files.map((f) => f.path), ...skipped.filter((s) => !s.path.endsWith('/') && !s.reason.startsWith('symlink')).map((s) => s.path)],
      facts,
      new Map(skipped.filter((s) => s.reason === 'symlink' && s.detail !== undefined).map((s) => [s.path, s.detail!])),
    );
    // Which config files resolution read, and what they held: part of the result's validity.
    const read = new Map<string, string>();
    const readText = ctx.readText;
    const recorded = { ...ctx, facts: orderedFacts, readText: (path: string) => {
      const text = readText(path);
      if (ctx.files.has(path) && !read.has(path)) read.set(path, hashText(text));
      return text;
    } };
    data.imports = resolveImports(recorded);
    configs = [...read.entries()].sort((a, b) => compareText(a[0], b[0]));
  }
  const t3 = performance.now();
  onProgress?.({ phase: 'graph', done: 0, total: 0 });
  const stats: IndexStats = {
    files: files.length,
    parsed,
    cacheHits: cache?.hits ?? 0,
    parsedBytes,
    workers: parsed > 0 ? workerCount : 0,
    result,
    ms: { walk: t1 - t0, readAndParse: t2 - t1, resolve: t3 - t2, graph: 0, total: 0 },
  };
  const graph = new RepoGraph(data, stats, from);
  if (key !== undefined && configs !== undefined) {
    if (cache && !storedValid) {
      const built = graph.builtGraph;
      cache.setResult(encodeResult(key, configs, orderedFacts, data.imports, built.references, symbolPositions(orderedFacts, built.symbolsByFile)));
    }
    lastGraph.set(root, { graph: new WeakRef(graph), key, configs });
  }
  cache?.save();
  const t4 = performance.now();
  stats.ms.graph = t4 - t3;
  stats.ms.total = t4 - t0;
  return graph;
}
