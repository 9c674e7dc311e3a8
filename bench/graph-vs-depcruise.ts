/**
 * File-level import edges: ours against dependency-cruiser@16 on real packages under
 * node_modules. Precision = shared / ours, recall = shared / theirs, over edges between files that
 * both tools treat as modules (JS/TS sources; JSON files as targets).
 *
 *   npx tsx bench/graph-vs-depcruise.ts [--exports] [--show N] [package ...]
 *
 * dependency-cruiser runs with tsPreCompilationDeps (type-only imports count, as they do for us),
 * every module system, and nothing followed outside the package. Every disagreement is printed
 * (up to --show per package) so it can be explained.
 */
import { join, resolve } from 'node:path';
import { cruise } from 'dependency-cruiser';
import { indexRepo } from '../src/graph/mod.ts';

const args = process.argv.slice(2);
// --exports: let dependency-cruiser honour package.json "exports" (its default ignores them).
const exportsArg = args.indexOf('--exports');
const honourExports = exportsArg >= 0;
if (honourExports) args.splice(exportsArg, 1);
const showArg = args.indexOf('--show');
const show = showArg >= 0 ? Number(args.splice(showArg, 2)[1]) : 15;
const packages = args.length > 0 ? args : ['zod', 'fastify', 'pino', 'dependency-cruiser', 'commander', 'openai'];
const nodeModules = join(import.meta.dirname, '..', 'node_modules');
const scriptFile = /\.(?:[cm]?[jt]sx?|json)$/;

interface Row {
  pkg: string;
  ours: number;
  theirs: number;
  shared: number;
  precision: number;
  recall: number;
}

async function compare(pkg: string): Promise<Row> {
  // A package name, or a path to any repo (`./` or `/`), e.g. this repository itself.
  const root = pkg.startsWith('.') || pkg.startsWith('/') ? resolve(pkg) : join(nodeModules, pkg);
  // The same file set for both: no size limit, nested node_modules excluded (vendored for us).
  const g = await indexRepo(root, { workers: 0, cache: false, maxFileBytes: 64 * 1024 * 1024 });
  const sources = new Set([...g.data.facts.entries()].filter(([, f]) => f.language === 'typescript' || f.language === 'tsx' || f.language === 'javascript').map(([p]) => p));
  const ours = new Set<string>();
  for (const imp of g.data.imports) if (imp.target !== undefined && imp.target !== imp.from && sources.has(imp.from)) ours.add(`${imp.from} -> ${imp.target}`);

  const cwd = process.cwd();
  process.chdir(root);
  let result;
  try {
    result = await cruise(['.'], {
      baseDir: root,
      tsPreCompilationDeps: true,
      moduleSystems: ['cjs', 'es6', 'amd', 'tsd'],
      doNotFollow: { path: 'node_modules' },
      exclude: { path: '(^|/)node_modules/' },
      // Bundles and generated files are skipped by our walker; the same for both.
      skipAnalysisNotInRules: false,
      ...(honourExports ? { enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] } } : {}),
    } as never);
  } finally {
    process.chdir(cwd);
  }
  const output = result.output as { modules: Array<{ source: string; dependencies: Array<{ resolved: string; couldNotResolve: boolean; coreModule: boolean }> }> };
  const theirs = new Set<string>();
  for (const m of output.modules) {
    if (!sources.has(m.source)) continue;
    for (const d of m.dependencies) {
      if (d.couldNotResolve || d.coreModule) continue;
      const target = d.resolved;
      if (target.startsWith('..') || target.startsWith('/') || target.includes('node_modules/') || !scriptFile.test(target)) continue;
      if (target === m.source) continue;
      theirs.add(`${m.source} -> ${target}`);
    }
  }
  const shared = [...ours].filter((e) => theirs.has(e));
  const onlyOurs = [...ours].filter((e) => !theirs.has(e)).sort();
  const onlyTheirs = [...theirs].filter((e) => !ours.has(e)).sort();
  console.log(`\n== ${pkg}: ${sources.size} source files; ours ${ours.size}, dependency-cruiser ${theirs.size}, shared ${shared.length}`);
  for (const e of onlyOurs.slice(0, show)) console.log(`  only ours:   ${e}${explainOurs(g, e)}`);
  if (onlyOurs.length > show) console.log(`  ... ${onlyOurs.length - show} more only ours`);
  for (const e of onlyTheirs.slice(0, show)) console.log(`  only theirs: ${e}${explainTheirs(g, e)}`);
  if (onlyTheirs.length > show) console.log(`  ... ${onlyTheirs.length - show} more only theirs`);
  return { pkg, ours: ours.size, theirs: theirs.size, shared: shared.length, precision: shared.length / Math.max(1, ours.size), recall: shared.length / Math.max(1, theirs.size) };
}

function explainOurs(g: Awaited<ReturnType<typeof indexRepo>>, edge: string): string {
  const [from, to] = edge.split(' -> ') as [string, string];
  const specs = g.data.imports.filter((i) => i.from === from && i.target === to).map((i) => `${i.spec.kind} '${i.spec.specifier}' line ${i.spec.line}`);
  return `   [${specs.join('; ')}]`;
}

function explainTheirs(g: Awaited<ReturnType<typeof indexRepo>>, edge: string): string {
  const [from] = edge.split(' -> ') as [string, string];
  if (!g.data.facts.has(from)) return '   [we did not parse the source]';
  return '';
}

const rows: Row[] = [];
for (const pkg of packages) rows.push(await compare(pkg));
console.log('\npackage               ours  theirs  shared  precision  recall');
for (const r of rows) console.log(`${r.pkg.padEnd(20)} ${String(r.ours).padStart(5)} ${String(r.theirs).padStart(7)} ${String(r.shared).padStart(7)}     ${r.precision.toFixed(4)}  ${r.recall.toFixed(4)}`);
const tot = rows.reduce((a, r) => ({ ours: a.ours + r.ours, theirs: a.theirs + r.theirs, shared: a.shared + r.shared }), { ours: 0, theirs: 0, shared: 0 });
console.log(`${'all'.padEnd(20)} ${String(tot.ours).padStart(5)} ${String(tot.theirs).padStart(7)} ${String(tot.shared).padStart(7)}     ${(tot.shared / tot.ours).toFixed(4)}  ${(tot.shared / tot.theirs).toFixed(4)}`);
