/**
 * One measured phase of bench/graph.ts, run in a fresh process so its peak RSS is its own.
 * Prints one JSON line: { ms, cpuMs, rssMiB, note }.
 *
 *   node --import tsx bench/graph/phase.ts <plain|tags|inline|1w|2w|warm|reindex> <corpus> <cacheDir>
 *
 * `reindex` is the long-running service's case: a cold index (1 worker, empty cache), then the
 * unchanged repo indexed again in the same process while the first graph is still held (as the
 * service holds it); `ms` is the second run, `coldMs` the first. `reindex-released` is the same
 * with the first graph dropped and the second run told not to reuse a live graph (restored from
 * the cache file, as in `warm`, but with the JIT warm).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Parser from 'tree-sitter';
import { adaptedTags, indexRepo, languageFor, walkRepo, type LanguageId } from '../../src/graph/mod.ts';

const [phase, corpus, cacheDir] = process.argv.slice(2) as [string, string, string];

const measure = async (fn: () => unknown | Promise<unknown>): Promise<{ ms: number; cpuMs: number; note: string }> => {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const note = String((await fn()) ?? '');
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { ms, cpuMs: (c.user + c.system) / 1000, note };
};

let result: { ms: number; cpuMs: number; note: string };
if (phase === 'plain' || phase === 'tags') {
  // Texts are read before the clock starts: this is the parser's time alone.
  const files = walkRepo(corpus).files.filter((f) => f.language !== null);
  const texts = files.map((f) => ({ language: f.language as LanguageId, text: readFileSync(join(corpus, f.path), 'utf8') }));
  const parser = new Parser();
  const langs = new Map<LanguageId, Parser.Language>();
  const queries = new Map<LanguageId, Parser.Query>();
  for (const t of texts) {
    if (!langs.has(t.language)) {
      const l = languageFor(t.language);
      langs.set(t.language, l);
      queries.set(t.language, new Parser.Query(l, adaptedTags(t.language, { keepDocCaptures: true })));
    }
  }
  result = await measure(() => {
    let matches = 0;
    for (const t of texts) {
      parser.setLanguage(langs.get(t.language)!);
      const tree = parser.parse(t.text);
      if (phase === 'tags') matches += queries.get(t.language)!.matches(tree.rootNode).length;
    }
    return phase === 'tags' ? `${matches} tag matches` : `${texts.length} files`;
  });
} else if (phase === 'reindex' || phase === 'reindex-released') {
  let held: unknown;
  const cold = await measure(async () => {
    held = await indexRepo(corpus, { workers: 1, cache: { dir: cacheDir } });
  });
  const release = phase === 'reindex-released';
  if (release) held = undefined;
  const warm = await measure(async () => {
    const s = (await indexRepo(corpus, { workers: 1, cache: { dir: cacheDir }, reuseLiveGraph: !release })).stats!;
    return `cold ${cold.ms.toFixed(0)} ms in this process; parsed ${s.parsed}, cache hits ${s.cacheHits}, result ${s.result}`;
  });
  result = { ...warm, coldMs: cold.ms, held: held !== undefined } as typeof warm;
} else {
  const workers = phase === 'inline' ? 0 : phase === '2w' ? 2 : 1;
  result = await measure(async () => {
    const g = await indexRepo(corpus, { workers, cache: { dir: cacheDir } });
    const s = g.stats!;
    return `parsed ${s.parsed}, cache hits ${s.cacheHits}, result ${s.result}, ${g.graph.order} nodes, ${g.graph.size} edges; walk ${s.ms.walk.toFixed(0)} read+parse ${s.ms.readAndParse.toFixed(0)} resolve ${s.ms.resolve.toFixed(0)} graph ${s.ms.graph.toFixed(0)} ms`;
  });
}
process.stdout.write(`${JSON.stringify({ ...result, rssMiB: process.resourceUsage().maxRSS / 1024 })}\n`);
