/**
 * Targets for bench/search.ts: top-level definitions cut from a package's real code.
 *
 * Per package (sources.ts): the files holding targets are "held out" (at most `filesPerPackage`,
 * the ones with the most suitable definitions, of the languages still wanted); the package's
 * embedded scorer trains on every other file, so it never sees a target's file. A target is a
 * top-level definition (from the graph's extraction: a definition not inside another) of
 * `minLines`..`maxLines` lines; its context is the text of its file before it (the last
 * `contextChars`, from a line start), which holds the doc comment and the imports when near.
 */
import { readFileSync } from 'node:fs';
import { FileParser, languageOf, type Definition, type LanguageId } from '../../src/graph/mod.ts';
import { importBindings, type ImportBinding } from '../../src/search/facts.ts';
import type { PackageSource } from './sources.ts';

/** The languages the bench reports on; TSX counts as TypeScript. */
export const LANGUAGES = ['javascript', 'typescript', 'python', 'go', 'rust', 'java', 'c'] as const;
export type BenchLanguage = (typeof LANGUAGES)[number];

export function benchLanguageOf(language: LanguageId): BenchLanguage | undefined {
  if (language === 'tsx') return 'typescript';
  return (LANGUAGES as readonly string[]).includes(language) ? (language as BenchLanguage) : undefined;
}

export interface BenchTarget {
  id: string;
  pkg: string;
  file: string;
  language: LanguageId;
  group: BenchLanguage;
  name: string;
  context: string;
  target: string;
  /** Its file up to the target: what was written before it. */
  preceding: string;
  imports: ImportBinding[];
}

export interface BenchPackage {
  name: string;
  /** Files the scorer trains on: never a target's file. */
  training: string[];
  targets: BenchTarget[];
}

export interface TargetOptions {
  /** Targets wanted per language from this package's languages; the package gives at most `perPackage`. */
  wanted: ReadonlySet<BenchLanguage>;
  perPackage?: number;
  filesPerPackage?: number;
  minLines?: number;
  maxLines?: number;
  contextChars?: number;
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

function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** At most `n` of `items`, spread evenly over them. */
function spread<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]!);
}

/** The package's targets, or undefined when it has none of a wanted language or too little to train on. */
export function cutPackage(pkg: PackageSource, parser: FileParser, opts: TargetOptions): BenchPackage | undefined {
  const perPackage = opts.perPackage ?? 5;
  const filesPerPackage = opts.filesPerPackage ?? 2;
  const minLines = opts.minLines ?? 5;
  const maxLines = opts.maxLines ?? 40;
  const contextChars = opts.contextChars ?? 2000;
  const texts = new Map<string, string>();
  const candidates: { file: string; language: LanguageId; group: BenchLanguage; defs: Definition[] }[] = [];
  for (const file of pkg.files) {
    const text = readFileSync(file, 'utf8');
    texts.set(file, text);
    const language = languageOf(file);
    const group = language ? benchLanguageOf(language) : undefined;
    if (!language || !group || !opts.wanted.has(group) || file.endsWith('.h')) continue;
    const facts = parser.parse(language, text);
    if (facts.parseError) continue;
    const defs = topLevel(facts.definitions).filter((d) => d.endLine - d.startLine + 1 >= minLines && d.endLine - d.startLine + 1 <= maxLines && d.kind !== 'interface' && d.kind !== 'type');
    if (defs.length > 0) candidates.push({ file, language, group, defs });
  }
  candidates.sort((a, b) => b.defs.length - a.defs.length || (a.file < b.file ? -1 : 1));
  // A small package holds out one file: the rest is what its scorer learns from.
  const held = candidates.slice(0, pkg.files.length < 8 ? 1 : filesPerPackage);
  if (held.length === 0) return undefined;
  const heldFiles = new Set(held.map((h) => h.file));
  // The scorer needs something to learn from: at least 3 other files and 8 KB of them.
  const training = pkg.files.filter((f) => !heldFiles.has(f));
  if (training.length < 3 || training.reduce((n, f) => n + texts.get(f)!.length, 0) < 8192) return undefined;
  const out: BenchPackage = { name: pkg.name, training, targets: [] };
  const perFile = Math.ceil(perPackage / held.length);
  for (const h of held) {
    const text = texts.get(h.file)!;
    const starts = lineStartsOf(text);
    const imports = importBindings(text, h.language);
    for (const d of spread(h.defs, perFile)) {
      if (out.targets.length >= perPackage) break;
      const start = starts[d.startLine - 1]!;
      const end = d.endLine < starts.length ? starts[d.endLine]! : text.length;
      const preceding = text.slice(0, start);
      let cut = Math.max(0, preceding.length - contextChars);
      if (cut > 0) cut = preceding.indexOf('\n', cut) + 1;
      const rel = h.file.startsWith(pkg.dir) ? h.file.slice(pkg.dir.length + 1) : h.file;
      out.targets.push({ id: `${pkg.name}/${rel}#${d.name}@${d.startLine}`, pkg: pkg.name, file: h.file, language: h.language, group: h.group, name: d.name, context: preceding.slice(cut), target: text.slice(start, end), preceding, imports });
    }
  }
  return out.targets.length > 0 ? out : undefined;
}
