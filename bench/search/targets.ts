/**
 * Targets for bench/search.ts: top-level definitions cut from real code under node_modules.
 *
 * Per package (sorted by name, nested node_modules left out): its JS/TS source files; the files
 * holding targets are "held out" (at most `filesPerPackage`, the ones with the most suitable
 * definitions); the embedded scorer of that package is trained on every other file, so it never
 * sees a target. A target is a top-level definition (from the graph's extraction: a definition
 * not inside another) of `minLines`..`maxLines` lines; its context is the text of its file before
 * it (the last `contextChars`, from a line start), which holds the doc comment and the imports
 * when they are near. Known identifiers are every identifier in the package's files.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { FileParser, languageOf, type Definition, type LanguageId } from '../../src/graph/mod.ts';
import { importBindings, identifierCounts, type ImportBinding } from '../../src/search/facts.ts';

export interface BenchTarget {
  id: string;
  pkg: string;
  file: string;
  language: LanguageId;
  name: string;
  context: string;
  target: string;
  preceding: string;
  imports: ImportBinding[];
}

export interface BenchPackage {
  name: string;
  /** Files the scorer trains on: never a target's file. */
  training: string[];
  targets: BenchTarget[];
  knownIdentifiers: Set<string>;
}

export interface TargetOptions {
  root: string;
  want: number;
  perPackage?: number;
  filesPerPackage?: number;
  minLines?: number;
  maxLines?: number;
  contextChars?: number;
  maxFileBytes?: number;
  /** Packages in reverse order: a disjoint set for developing methods. */
  reverse?: boolean;
}

const SOURCE = /\.(m|c)?(j|t)s$/;
/** Tests, type tests, benchmarks and bundles are not the package's own code. */
const SKIP_DIRS = new Set(['test', 'tests', '__tests__', 'benchmark', 'benchmarks', 'bench', 'types', 'example', 'examples', 'dist-types', 'fixtures', 'coverage']);
const SKIP_FILE = /\.(test|spec|tst|bench)\.|\.d\.(m|c)?ts$|\.min\./;

function packageDirs(root: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root).sort()) {
    if (name.startsWith('.')) continue;
    const dir = join(root, name);
    if (name.startsWith('@')) {
      for (const sub of readdirSync(dir).sort()) out.push(join(dir, sub));
    } else out.push(dir);
  }
  return out;
}

function sourceFiles(dir: string, maxBytes: number): string[] {
  const out: string[] = [];
  const visit = (d: string, depth: number): void => {
    if (depth > 6 || out.length >= 400) return;
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const name of names) {
      if (name === 'node_modules' || name.startsWith('.') || SKIP_DIRS.has(name)) continue;
      const p = join(d, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) visit(p, depth + 1);
      else if (st.isFile() && SOURCE.test(name) && !SKIP_FILE.test(name) && st.size > 200 && st.size <= maxBytes) out.push(p);
    }
  };
  visit(dir, 0);
  return out;
}

function topLevel(defs: readonly Definition[]): Definition[] {
  const out: Definition[] = [];
  let end = 0;
  for (const d of defs) {
    if (d.startLine <= end) continue;
    out.push(d);
    end = d.endLine;
  }
  return out;
}

export function cutTargets(opts: TargetOptions): BenchPackage[] {
  const perPackage = opts.perPackage ?? 5;
  const filesPerPackage = opts.filesPerPackage ?? 2;
  const minLines = opts.minLines ?? 5;
  const maxLines = opts.maxLines ?? 40;
  const contextChars = opts.contextChars ?? 2000;
  const parser = new FileParser();
  const packages: BenchPackage[] = [];
  let total = 0;
  const dirs = packageDirs(opts.root);
  if (opts.reverse) dirs.reverse();
  for (const dir of dirs) {
    if (total >= opts.want) break;
    const files = sourceFiles(dir, opts.maxFileBytes ?? 60_000);
    if (files.length < 4) continue;
    const texts = new Map<string, string>();
    const candidates: { file: string; language: LanguageId; defs: Definition[] }[] = [];
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      texts.set(file, text);
      const language = languageOf(file);
      if (!language) continue;
      const facts = parser.parse(language, text);
      if (facts.parseError) continue;
      const defs = topLevel(facts.definitions).filter((d) => d.endLine - d.startLine + 1 >= minLines && d.endLine - d.startLine + 1 <= maxLines && d.kind !== 'interface' && d.kind !== 'type');
      if (defs.length > 0) candidates.push({ file, language, defs });
    }
    candidates.sort((a, b) => b.defs.length - a.defs.length || (a.file < b.file ? -1 : 1));
    const held = candidates.slice(0, filesPerPackage);
    if (held.length === 0) continue;
    const heldFiles = new Set(held.map((h) => h.file));
    // The scorer needs something to learn from: at least 4 other files and 8 KB of them.
    const rest = files.filter((f) => !heldFiles.has(f));
    if (rest.length < 4 || rest.reduce((n, f) => n + texts.get(f)!.length, 0) < 8192) continue;
    const pkgName = relative(opts.root, dir);
    const known = new Set<string>();
    for (const text of texts.values()) for (const id of identifierCounts(text).keys()) known.add(id);
    const pkg: BenchPackage = { name: pkgName, training: rest, targets: [], knownIdentifiers: known };
    const perFile = Math.ceil(perPackage / held.length);
    for (const h of held) {
      const text = texts.get(h.file)!;
      const lineStarts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lineStarts.push(i + 1);
      const imports = importBindings(text, h.language);
      const spread = h.defs.length <= perFile ? h.defs : h.defs.filter((_, i) => i % Math.ceil(h.defs.length / perFile) === 0);
      for (const d of spread.slice(0, perFile)) {
        if (pkg.targets.length >= perPackage || total >= opts.want) break;
        const start = lineStarts[d.startLine - 1]!;
        const end = d.endLine < lineStarts.length ? lineStarts[d.endLine]! : text.length;
        const target = text.slice(start, end);
        const preceding = text.slice(0, start);
        let cut = Math.max(0, preceding.length - contextChars);
        if (cut > 0) cut = preceding.indexOf('\n', cut) + 1;
        const rel = relative(opts.root, h.file);
        pkg.targets.push({ id: `${rel}#${d.name}@${d.startLine}`, pkg: pkgName, file: rel, language: h.language, name: d.name, context: preceding.slice(cut), target, preceding, imports });
        total++;
      }
    }
    if (pkg.targets.length > 0) packages.push(pkg);
  }
  return packages;
}
