/**
 * Graph accuracy per language, each against a reference that is not ours, in the same run:
 *
 *   npx tsx bench/graph-accuracy.ts [rust] [java] [c] [typescript] [--show N]
 *
 * rust: crates Debian ships (/usr/share/cargo/registry) against Cargo's targets and rustc's
 * dep-info (bench/graph/accuracy-rust.ts). java: packages of the JDK's src.zip against jdeps
 * on the same JDK's classes (accuracy-java.ts). c and typescript: parse errors and definitions
 * on real headers and sources, against the TypeScript compiler for TS (accuracy-parse.ts).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cDirs, defaultNodeModules, measureC, measureTypeScriptErrors } from './graph/accuracy-parse.ts';
import { type JavaRow, javaAvailable, javaSources, measureJavaPackage } from './graph/accuracy-java.ts';
import { measureRustCrate, type RustRow } from './graph/accuracy-rust.ts';

const args = process.argv.slice(2);
const showArg = args.indexOf('--show');
const show = showArg >= 0 ? Number(args.splice(showArg, 2)[1]) : 5;
const langs = new Set(args.length > 0 ? args : ['rust', 'java', 'c', 'typescript']);
const registry = '/usr/share/cargo/registry';
const javaPackages = ['java.base/java.util.zip', 'java.base/java.util.regex', 'java.base/java.time.format', 'java.base/java.text', 'java.base/java.util.stream', 'java.base/java.nio.file', 'java.net.http/java.net.http', 'java.logging/java.util.logging'];

function ratio(n: number, d: number): string {
  return d === 0 ? '-' : (n / d).toFixed(3);
}

async function rust(): Promise<void> {
  if (!existsSync(registry)) return console.log(`rust: ${registry} missing (apt-get install librust-syn-dev ...)`);
  const crates = readdirSync(registry).filter((c) => existsSync(join(registry, c, 'Cargo.toml'))).sort();
  const rows: RustRow[] = [];
  for (const c of crates) rows.push(await measureRustCrate(join(registry, c)));
  console.log('| crate | targets | rustc files | reached by our mod edges | module recall | use edges | right | use precision | self-imports | files in cycles |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const sum = (k: keyof RustRow) => rows.reduce((n, r) => n + (r[k] as number), 0);
  for (const r of rows) {
    if (r.reached === r.rustcFiles && r.rightEdges === r.useEdges && r.cycleFiles === 0) continue;
    console.log(`| ${r.crate} | ${r.targets} | ${r.rustcFiles} | ${r.reached} | ${ratio(r.reached, r.rustcFiles)} | ${r.useEdges} | ${r.rightEdges} | ${ratio(r.rightEdges, r.useEdges)} | ${r.selfImports} | ${r.cycleFiles} |`);
  }
  console.log(
    `| **all ${rows.length} crates** | ${sum('targets')} | ${sum('rustcFiles')} | ${sum('reached')} | **${ratio(sum('reached'), sum('rustcFiles'))}** | ${sum('useEdges')} | ${sum('rightEdges')} | **${ratio(sum('rightEdges'), sum('useEdges'))}** | ${sum('selfImports')} | ${sum('cycleFiles')} |`,
  );
  console.log('(crates with every file reached, every edge right and no cycle are not listed)');
  for (const r of rows) for (const w of r.wrong.slice(0, show)) console.log(`  wrong: ${r.crate}: ${w}`);
}

async function java(): Promise<void> {
  if (!javaAvailable()) return console.log(`java: ${javaSources} missing (apt-get install openjdk-17-source)`);
  const rows: JavaRow[] = [];
  for (const p of javaPackages) rows.push(await measureJavaPackage(p));
  console.log('| package | files | same-package dependencies (jdeps) | written in the wrong order | in one step (a cycle) | largest step | our file edges |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const sum = (k: keyof JavaRow) => rows.reduce((n, r) => n + (r[k] as number), 0);
  for (const r of rows) console.log(`| ${r.pkg} | ${r.files} | ${r.dependencies} | ${r.violations} | ${r.sameStep} | ${r.largestStep} | ${r.edges} |`);
  console.log(`| **all ${rows.length}** | ${sum('files')} | ${sum('dependencies')} | **${sum('violations')}** (${ratio(sum('violations'), sum('dependencies'))}) | ${sum('sameStep')} | | ${sum('edges')} |`);
  for (const r of rows) for (const e of r.examples.slice(0, show)) console.log(`  wrong order: ${r.pkg}: ${e}`);
}

function c(): void {
  console.log('| C sources | files | with parse errors | definitions | of them macros |');
  console.log('|---|---:|---:|---:|---:|');
  for (const dir of cDirs) {
    const r = measureC(dir);
    if (r) console.log(`| ${r.dir} | ${r.files} | ${r.parseErrors} | ${r.definitions} | ${r.macros} |`);
  }
}

function typescript(): void {
  const r = measureTypeScriptErrors(defaultNodeModules);
  console.log(`typescript: ${r.files} .ts files under node_modules with tree-sitter errors; exported declarations ${r.declared}, found ${r.found} (recall ${ratio(r.found, r.declared)})`);
  for (const w of r.worst.slice(0, show)) console.log(`  ${w.file}: ${w.found} of ${w.declared}`);
}

if (langs.has('rust')) await rust();
if (langs.has('java')) await java();
if (langs.has('c')) c();
if (langs.has('typescript')) typescript();
