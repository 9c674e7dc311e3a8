/**
 * The repo graph, measured side by side in one run on a real corpus (JS/TS packages copied out of
 * node_modules into a temporary repo):
 *
 *   plain     tree-sitter parse of every file, one thread (texts already in memory)
 *   tags      parse + the grammars' tags query (rejected predicates stripped), one thread
 *   full 1w   our indexing, cold: walk, read, hash, parse + extraction in 1 worker, resolution, graph
 *   full 2w   the same with 2 workers
 *   warm      re-indexing the unchanged corpus from the facts cache
 *
 * Each timing is the best of --repeat runs (default 2). Ratios are what count: the machines are
 * shared and absolute times are noisy. Peak RSS is the process's (workers included).
 *
 *   npx tsx bench/graph.ts [--mb 8] [--repeat 2]
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Parser from 'tree-sitter';
import { adaptedTags, indexRepo, languageFor, walkRepo, type IndexStats, type LanguageId } from '../src/graph/mod.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const targetMb = arg('mb', 8);
const repeat = arg('repeat', 2);
const nodeModules = join(import.meta.dirname, '..', 'node_modules');
const candidates = ['zod', 'openai', 'fastify', 'dependency-cruiser', 'pino', 'rxjs', '@nats-io/nats-core', 'xstate', 'graphology', 'commander', 'vitest', 'vite', 'esbuild', 'tsx', 'msgpackr', 'lru-cache', 'ignore', 'p-limit', '@types/node', 'typescript'];

// Corpus: whole packages until the source reaches the target size.
const corpus = mkdtempSync(join(tmpdir(), 'retrace-bench-graph-'));
const used: string[] = [];
let bytes = 0;
for (const pkg of candidates) {
  if (bytes >= targetMb * 1e6) break;
  try {
    cpSync(join(nodeModules, pkg), join(corpus, pkg), { recursive: true, dereference: false, filter: (src) => !src.includes('/node_modules/', nodeModules.length + pkg.length + 2) });
  } catch {
    continue;
  }
  used.push(pkg);
  bytes = walkRepo(corpus).files.reduce((n, f) => n + (f.language ? f.size : 0), 0);
}
const files = walkRepo(corpus).files.filter((f) => f.language !== null);
const texts = files.map((f) => ({ language: f.language as LanguageId, text: readFileSync(join(corpus, f.path), 'utf8') }));
const mb = bytes / 1e6;
console.log(`corpus: ${files.length} files, ${mb.toFixed(1)} MB of JS/TS from ${used.join(', ')}`);
console.log(`date ${new Date().toISOString()}; node ${process.version}; ${process.platform}/${process.arch}\n`);

const best = async (fn: () => Promise<void> | void): Promise<number> => {
  let min = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    await fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
};
const rss = () => process.resourceUsage().maxRSS / 1024;
const rows: Array<[string, number, number]> = [];
const record = (name: string, ms: number) => {
  rows.push([name, ms, rss()]);
  console.log(`${name.padEnd(26)} ${ms.toFixed(0).padStart(7)} ms  ${(mb / (ms / 1000)).toFixed(2).padStart(6)} MB/s  peak RSS ${rss().toFixed(0)} MiB`);
};

const parser = new Parser();
const langs = new Map<LanguageId, Parser.Language>();
const lang = (id: LanguageId) => {
  let l = langs.get(id);
  if (!l) langs.set(id, (l = languageFor(id)));
  return l;
};
const tagQueries = new Map<LanguageId, Parser.Query>();
const tags = (id: LanguageId) => {
  let q = tagQueries.get(id);
  if (!q) tagQueries.set(id, (q = new Parser.Query(lang(id), adaptedTags(id, { keepDocCaptures: true }))));
  return q;
};

const plain = await best(() => {
  for (const t of texts) {
    parser.setLanguage(lang(t.language));
    parser.parse(t.text);
  }
});
record('plain parse, 1 thread', plain);

const withTags = await best(() => {
  for (const t of texts) {
    parser.setLanguage(lang(t.language));
    const tree = parser.parse(t.text);
    tags(t.language).matches(tree.rootNode);
  }
});
record('parse + tags query', withTags);

const cacheDirs: string[] = [];
const freshCache = () => {
  const dir = mkdtempSync(join(tmpdir(), 'retrace-bench-cache-'));
  cacheDirs.push(dir);
  return { dir };
};
let lastCache = freshCache();
const inline = await best(async () => {
  await indexRepo(corpus, { workers: 0, cache: (lastCache = freshCache()) });
});
record('full index, inline, cold', inline);
const one = await best(async () => {
  await indexRepo(corpus, { workers: 1, cache: (lastCache = freshCache()) });
});
record('full index, 1 worker, cold', one);
const two = await best(async () => {
  await indexRepo(corpus, { workers: 2, cache: freshCache() });
});
record('full index, 2 workers, cold', two);
const warmCache = lastCache;
let stats: IndexStats | undefined;
const warm = await best(async () => {
  stats = (await indexRepo(corpus, { workers: 1, cache: warmCache })).stats;
});
record('full index, warm cache', warm);
if (stats) console.log(`  (warm run: parsed ${stats.parsed}, cache hits ${stats.cacheHits})`);

const g = await indexRepo(corpus, { workers: 1, cache: warmCache });
console.log(`\ngraph: ${g.graph.order} nodes, ${g.graph.size} edges; import edges resolved ${g.data.imports.filter((i) => i.target).length}, external ${g.data.imports.filter((i) => i.external).length}, unresolved ${g.data.imports.filter((i) => i.unresolved).length}`);
console.log(`\nratios (targets from issue 3):`);
console.log(`  parse + tags / plain parse          ${(withTags / plain).toFixed(2)}x`);
console.log(`  full 1 worker / plain parse         ${(one / plain).toFixed(2)}x   (target <= 2.0x)`);
console.log(`  full inline / plain parse           ${(inline / plain).toFixed(2)}x`);
console.log(`  full 1 worker / parse + tags        ${(one / withTags).toFixed(2)}x`);
console.log(`  2 workers speed-up over 1           ${(one / two).toFixed(2)}x   (target >= 1.6x)`);
console.log(`  cold (1 worker) / warm              ${(one / warm).toFixed(1)}x   (target >= 10x)`);
console.log(`  peak RSS                            ${rss().toFixed(0)} MiB for ${mb.toFixed(1)} MB of source (target < 1 GiB for 50 MB)`);

rmSync(corpus, { recursive: true, force: true });
for (const d of cacheDirs) rmSync(d, { recursive: true, force: true });
