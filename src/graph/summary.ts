/**
 * What `retrace graph` prints: files per language, skipped files with reasons, edges, cycles and
 * the build order. `summarize` gives the data (for --json); `formatSummary` the text.
 */
import type { RepoGraph } from './repo-graph.ts';
import type { IndexStats } from './repo-data.ts';
import type { SkippedFile } from './types.ts';

export interface GraphSummary {
  root: string;
  files: number;
  /** Language -> files; `other` for files kept but not parsed. */
  languages: Record<string, number>;
  parseErrors: string[];
  skipped: Record<string, number>;
  skippedFiles: SkippedFile[];
  ignoredByGitignore: number;
  symbols: number;
  /** `selfImports`: imports that resolve to their own file (no edge), e.g. Rust `use super::*` in `mod tests {}`. */
  edges: { imports: number; externalImports: number; unresolvedImports: number; selfImports: number; references: number; defines: number; contains: number };
  externalPackages: string[];
  cycles: string[][];
  buildOrder: { generations: number; steps: number; order: string[] };
  stats?: IndexStats;
}

export function summarize(g: RepoGraph): GraphSummary {
  const languages: Record<string, number> = {};
  for (const f of g.data.files) languages[f.language ?? 'other'] = (languages[f.language ?? 'other'] ?? 0) + 1;
  const skipped: Record<string, number> = {};
  for (const s of g.data.skipped) skipped[s.reason] = (skipped[s.reason] ?? 0) + 1;
  const edges = { imports: 0, externalImports: 0, unresolvedImports: 0, selfImports: 0, references: 0, defines: 0, contains: 0 };
  let symbols = 0;
  const externalPackages: string[] = [];
  g.graph.forEachNode((_id, a) => {
    if (a.type === 'symbol') symbols++;
    else if (a.type === 'external') externalPackages.push(a.name);
  });
  g.graph.forEachEdge((_e, a, _s, _t, _sa, ta) => {
    if (a.type === 'imports') {
      if (ta.type === 'external') edges.externalImports++;
      else edges.imports++;
    } else edges[a.type]++;
  });
  for (const i of g.data.imports) {
    if (i.unresolved) edges.unresolvedImports++;
    else if (i.target === i.from) edges.selfImports++;
  }
  const order = g.buildOrder();
  const summary: GraphSummary = {
    root: g.root,
    files: g.data.files.length,
    languages: sortKeys(languages),
    parseErrors: [...g.data.facts.entries()].filter(([, f]) => f.parseError).map(([p]) => p),
    skipped: sortKeys(skipped),
    skippedFiles: g.data.skipped,
    ignoredByGitignore: g.data.ignoredCount,
    symbols,
    edges,
    externalPackages: externalPackages.sort(),
    cycles: order.cycles,
    buildOrder: { generations: order.generations.length, steps: order.generations.reduce((n, gen) => n + gen.length, 0), order: order.order },
  };
  if (g.stats) summary.stats = g.stats;
  return summary;
}

/** Text summary; lists are cut at `limit` entries (the rest is counted). */
export function formatSummary(s: GraphSummary, limit = 40): string {
  const lines: string[] = [];
  const list = (items: string[], indent = '  ') => {
    for (const item of items.slice(0, limit)) lines.push(indent + item);
    if (items.length > limit) lines.push(`${indent}... ${items.length - limit} more`);
  };
  lines.push(`repo ${s.root}`);
  lines.push(`files ${s.files}: ${Object.entries(s.languages).map(([l, n]) => `${l} ${n}`).join(', ') || 'none'}`);
  lines.push(`symbols ${s.symbols}`);
  lines.push(
    `edges: imports ${s.edges.imports} between files, ${s.edges.externalImports} to ${s.externalPackages.length} external packages, ` +
      `${s.edges.unresolvedImports} unresolved, ${s.edges.selfImports} of a file to itself; references ${s.edges.references}; defines ${s.edges.defines}; contains ${s.edges.contains}`,
  );
  lines.push(`skipped ${s.skippedFiles.length}${s.skippedFiles.length ? `: ${Object.entries(s.skipped).map(([r, n]) => `${r} ${n}`).join(', ')}` : ''}; ignored by .gitignore ${s.ignoredByGitignore}`);
  list(s.skippedFiles.map((f) => `${f.reason.padEnd(16)} ${f.path}${f.detail ? `  (${f.detail})` : ''}`));
  lines.push(`parse errors ${s.parseErrors.length}`);
  list(s.parseErrors);
  lines.push(`cycles ${s.cycles.length}`);
  list(s.cycles.map((c) => (c.length <= 8 ? c.join(' <-> ') : `${c.slice(0, 8).join(' <-> ')} <-> ... (${c.length} files)`)));
  lines.push(`build order: ${s.buildOrder.order.length} files in ${s.buildOrder.steps} steps, ${s.buildOrder.generations} generations`);
  list(s.buildOrder.order.map((f, i) => `${String(i + 1).padStart(4)}. ${f}`));
  if (s.stats) {
    const ms = s.stats.ms;
    lines.push(`indexed in ${ms.total.toFixed(0)} ms (walk ${ms.walk.toFixed(0)}, read+parse ${ms.readAndParse.toFixed(0)}, resolve ${ms.resolve.toFixed(0)}, graph ${ms.graph.toFixed(0)}); parsed ${s.stats.parsed}, cache hits ${s.stats.cacheHits}, workers ${s.stats.workers}`);
  }
  return lines.join('\n') + '\n';
}

function sortKeys(r: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(r).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)));
}
