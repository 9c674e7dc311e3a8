/**
 * Grounded facts: what a policy may say about the repository, taken from the graph and the real
 * files. Policies write from these and nothing else, so every name they mention is true.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RepoGraph } from '../graph/mod.ts';
import { isTestFile, testSubjects } from '../graph/mod.ts';
import type { Definition, LanguageId } from '../graph/types.ts';
import { commentParagraph, docstringParagraph } from '../search/facts/doc.ts';
import { DEFAULT_CHUNK_CHARS, ownDefinition, planChunks, rangeTexts } from './chunking.ts';
import { isHtmlPath, isProsePath, proseFacts } from '../search/facts/prose.ts';
import { isAmbient } from '../boundary/mod.ts';

export interface RepoSummary {
  name: string;
  files: string[];
  languages: Record<string, number>;
  /** The order files are written in. */
  order: string[];
  /** First lines of the README, when there is one. */
  readme?: string;
  /** Package manifests found at the root: path and the fields worth saying. */
  manifests: Array<{ path: string; name?: string; description?: string }>;
  tests: string[];
  topDirs: string[];
  /**
   * The repository's own files each file imports (the import graph the writing order follows):
   * what the planner groups milestones by. Absent where the summary was made by hand.
   */
  imports?: Record<string, string[]>;
  /** For each test file, the files it exercises (by name and by import). */
  testSubjects?: Record<string, string[]>;
}

export interface DefinitionFacts extends Definition {
  /** Comment lines right above the definition (or a Python docstring), markers stripped. */
  doc?: string;
}

export interface FileFacts {
  path: string;
  language: LanguageId | null;
  lines: number;
  isTest: boolean;
  /** Top-level definitions, in order. */
  definitions: DefinitionFacts[];
  /** Repo files it imports, in import order. */
  imports: string[];
  /** For each imported repo file, the names defined there that this file references. */
  importUses: Record<string, string[]>;
  /** Packages from outside the repo it imports. */
  externals: string[];
  /** Repo files importing it. */
  dependents: string[];
  /** Comment at the top of the file, if any. */
  headerDoc?: string;
  /**
   * A prose document's code: the repository's source files whose top-level definitions it names
   * (in code spans and examples), most named first, each with the names, in the document's order.
   */
  documents?: Array<{ path: string; names: string[] }>;
}

/** A piece of a file written in one go: the whole file, a top-level definition and what precedes it, or a part of one (chunking.ts). */
export interface Chunk {
  /** 0-based index in the file. */
  index: number;
  startLine: number;
  endLine: number;
  text: string;
  definition?: DefinitionFacts;
}

/** Package manifests at a repository's root, in the order they are described. */
export const MANIFESTS = ['package.json', 'go.mod', 'Cargo.toml', 'pyproject.toml', 'setup.py', 'pom.xml', 'build.gradle'];

export function readRepoFile(graph: RepoGraph, path: string): string {
  return readFileSync(join(graph.root, path), 'utf8');
}

/** Files in writing order: manifests and config first, then sources in build order, then the rest. */
export function writingOrder(graph: RepoGraph): string[] {
  const kept = graph.data.files.map((f) => f.path);
  const keptSet = new Set(kept);
  const parsed = new Set(graph.data.facts.keys());
  const built = graph.buildOrder().order.filter((p) => keptSet.has(p) && parsed.has(p));
  const builtSet = new Set(built);
  const rest = kept.filter((p) => !builtSet.has(p));
  const isManifest = (p: string) => MANIFESTS.includes(p) || /^(tsconfig[^/]*\.json|\.gitignore|requirements[^/]*\.txt)$/.test(p);
  return [...rest.filter(isManifest), ...built, ...rest.filter((p) => !isManifest(p))];
}

export function summarizeRepo(graph: RepoGraph, name: string, read: (path: string) => string = (p) => readRepoFile(graph, p)): RepoSummary {
  const files = graph.data.files.map((f) => f.path);
  const languages: Record<string, number> = {};
  for (const f of graph.data.files) if (f.language) languages[f.language] = (languages[f.language] ?? 0) + 1;
  const summary: RepoSummary = {
    name,
    files,
    languages,
    order: writingOrder(graph),
    manifests: [],
    tests: files.filter((f) => isTestFile(f)),
    topDirs: [...new Set(files.filter((f) => f.includes('/')).map((f) => f.split('/')[0]!))].sort(),
  };
  const parsed = new Set(graph.data.facts.keys());
  const imports: Record<string, string[]> = {};
  for (const f of files) if (parsed.has(f)) imports[f] = graph.dependencies(f).filter((d) => d !== f);
  summary.imports = imports;
  const byName = testSubjects(files);
  const subjects: Record<string, string[]> = {};
  for (const t of summary.tests) {
    const named = byName.get(t);
    subjects[t] = [...new Set([...(named ? [named] : []), ...(imports[t] ?? [])])];
  }
  summary.testSubjects = subjects;
  const readme = files.find((f) => /^readme(\.\w+)?$/i.test(f));
  if (readme) {
    summary.readme = read(readme).split('\n').slice(0, 30).join('\n').trim();
  }
  for (const m of MANIFESTS) {
    if (!files.includes(m)) continue;
    const text = read(m);
    const entry: { path: string; name?: string; description?: string } = { path: m };
    if (m === 'package.json') {
      try {
        const pkg = JSON.parse(text) as { name?: string; description?: string };
        if (pkg.name) entry.name = pkg.name;
        if (pkg.description) entry.description = pkg.description;
      } catch {
        // A broken manifest is still a file to write; it just says nothing here.
      }
    } else if (m === 'go.mod') {
      const mod = /^module\s+(\S+)/m.exec(text);
      if (mod) entry.name = mod[1]!;
    } else {
      // Cargo.toml, pyproject.toml, setup.py, pom.xml, build.gradle: the first name and description.
      const nm = /^\s*name\s*=\s*["']([^"']+)["']/m.exec(text) ?? /<artifactId>([^<]+)<\/artifactId>/.exec(text);
      if (nm) entry.name = nm[1]!;
      const desc = /^\s*description\s*=\s*["']([^"'\n]+)["']/m.exec(text) ?? /<description>([^<]+)<\/description>/.exec(text);
      if (desc) entry.description = desc[1]!.trim();
    }
    summary.manifests.push(entry);
  }
  return summary;
}

/** Whether a line is a comment line in `language` (`#` is Python's; in C it opens a directive). */
function isCommentLine(line: string, language: LanguageId | null): boolean {
  if (language === 'python') return /^\s*#/.test(line);
  return /^\s*(\/\/|\/\*|\*)/.test(line) || /\*\/\s*$/.test(line);
}

/**
 * The doc comment right above a definition (through its attributes, annotations and decorators):
 * its first paragraph, markers and Javadoc tags stripped. Rust's `//!` lines document the
 * enclosing module, and a comment after code on its line documents that line: neither is one.
 */
function docAbove(lines: readonly string[], startLine: number, language: LanguageId | null): string | undefined {
  let end = startLine - 2;
  while (end >= 0 && (/^\s*#\[/.test(lines[end]!) || /^\s*@\w/.test(lines[end]!))) end--;
  if (end < 0 || language === 'python' || !isCommentLine(lines[end]!, language)) return undefined;
  let start = end;
  if (/\*\/\s*$/.test(lines[end]!) && !/^\s*\/\//.test(lines[end]!)) {
    while (start > 0 && !lines[start]!.includes('/*')) start--;
    if (!/^\s*\/\*/.test(lines[start]!)) return undefined;
  } else {
    while (start > 0 && /^\s*\/\//.test(lines[start - 1]!)) start--;
    if (!/^\s*\/\//.test(lines[start]!)) return undefined;
  }
  let comment = lines.slice(start, end + 1);
  if (language === 'rust') {
    // Only `///` and `/** */` document the item; the nearest run of them is its doc.
    let k = comment.length;
    while (k > 0 && /^\s*(\/\/\/(?!\/)|\/\*\*|\*)/.test(comment[k - 1]!)) k--;
    comment = comment.slice(k);
  }
  if (comment.length === 0) return undefined;
  const lang = language ?? 'javascript';
  return commentParagraph(comment.map((l) => l.trim()).join('\n'), lang);
}

/** A Python definition's docstring: the string that opens its body (one line or many), first paragraph. */
function pythonDocstring(lines: readonly string[], startLine: number, endLine: number): string | undefined {
  // The header may span lines (parameters, bases): it ends at the first line ending in `:`.
  let k = startLine - 1;
  while (k < endLine && !/:\s*(#.*)?$/.test(lines[k] ?? '')) k++;
  return stringAt(lines, k + 1, endLine);
}

/** The docstring that starts on line `from` (0-based), when one does, read up to its closing quotes. */
function stringAt(lines: readonly string[], from: number, endLine: number): string | undefined {
  const first = lines[from] ?? '';
  const open = /^\s*[rRuU]?("""|\'\'\'|"|')/.exec(first);
  if (!open) return undefined;
  const quote = open[1]!;
  const text: string[] = [];
  for (let i = from; i < Math.min(endLine, from + 200); i++) {
    text.push(lines[i]!);
    const rest = i === from ? lines[i]!.slice(open[0].length) : lines[i]!;
    if (rest.includes(quote)) return docstringParagraph(text.join('\n').trim());
  }
  return undefined;
}

/** What a licence block says, and a file's documentation does not. */
const LICENCE = /\bcopyright\s*(\(c\)|©|\d{4})|licen[cs]ed under|spdx-license|all rights reserved|permission is hereby granted/i;

/**
 * The file's own documentation: a Python module docstring, Rust's `//!` lines, Go's package
 * comment (right above `package`), else the comment that opens the file; a licence block is
 * passed over for the comment after it.
 */
function headerDocOf(lines: readonly string[], language: LanguageId | null): string | undefined {
  let i = lines[0]?.startsWith('#!') ? 1 : 0;
  if (language === 'python') {
    while (i < lines.length && (/^\s*$/.test(lines[i]!) || /^\s*#/.test(lines[i]!))) i++;
    return stringAt(lines, i, lines.length);
  }
  if (language === 'rust') {
    const inner = lines.filter((l, k) => /^\s*\/\/!/.test(l) && lines.slice(0, k).every((x) => /^\s*(\/\/|$|#!\[)/.test(x) || /^\s*\/?\*/.test(x)));
    if (inner.length > 0) return commentParagraph(inner.map((l) => l.trim()).join('\n'), 'rust');
  }
  if (language === 'go') {
    const pkg = lines.findIndex((l) => /^package\s/.test(l));
    if (pkg > 0 && /^\s*(\/\/|.*\*\/\s*$)/.test(lines[pkg - 1]!)) return docAbove(lines, pkg + 1, 'go');
  }
  // The comment blocks that open the file, before any code; the first that is no licence.
  while (i < lines.length) {
    while (i < lines.length && /^\s*$/.test(lines[i]!)) i++;
    if (i >= lines.length || !isCommentLine(lines[i]!, language)) return undefined;
    let j = i;
    if (/^\s*\/\*/.test(lines[i]!)) while (j < lines.length - 1 && !lines[j]!.includes('*/')) j++;
    else while (j < lines.length - 1 && isCommentLine(lines[j + 1]!, language)) j++;
    const block = lines.slice(i, j + 1).map((l) => l.trim()).join('\n');
    if (!LICENCE.test(block)) {
      const doc = commentParagraph(block, language ?? 'javascript');
      if (doc) return doc;
    }
    i = j + 1;
  }
  return undefined;
}

/** Each graph's walked files by path: a file's facts look it up, not walk the list (20,000 files each). */
const walkedByPath = new WeakMap<RepoGraph['data']['files'], Map<string, RepoGraph['data']['files'][number]>>();

function walkedFile(graph: RepoGraph, path: string): RepoGraph['data']['files'][number] | undefined {
  const files = graph.data.files;
  let byPath = walkedByPath.get(files);
  if (!byPath) {
    byPath = new Map();
    // The first file of a path, as a walk of the list finds it.
    for (const f of files) if (!byPath.has(f.path)) byPath.set(f.path, f);
    walkedByPath.set(files, byPath);
  }
  return byPath.get(path);
}

export function fileFacts(graph: RepoGraph, path: string, content: string): FileFacts {
  const facts = graph.data.facts.get(path);
  const walked = walkedFile(graph, path);
  const lines = content.split('\n');
  const definitions: DefinitionFacts[] = [];
  let lastEnd = 0;
  for (const d of facts?.definitions ?? []) {
    if (d.startLine <= lastEnd) continue; // nested: not top level
    const def: DefinitionFacts = { ...d };
    const doc = facts?.language === 'python' ? pythonDocstring(lines, d.startLine, d.endLine) : docAbove(lines, d.startLine, facts?.language ?? null);
    if (doc) def.doc = doc.slice(0, 300);
    definitions.push(def);
    lastEnd = d.endLine;
  }
  const out: FileFacts = {
    path,
    language: walked?.language ?? null,
    lines: lines.length,
    isTest: isTestFile(path),
    definitions,
    imports: facts ? graph.dependencies(path) : [],
    importUses: {},
    externals: facts ? graph.externalDependencies(path) : [],
    dependents: facts ? graph.dependents(path) : [],
  };
  const referenced = new Set((facts?.references ?? []).map((r) => r.name));
  for (const dep of out.imports) {
    const names = (graph.data.facts.get(dep)?.definitions ?? []).map((d) => d.name).filter((n) => referenced.has(n) || content.includes(n));
    out.importUses[dep] = [...new Set(names)].slice(0, 12);
  }
  const headerDoc = headerDocOf(lines, facts?.language ?? walked?.language ?? null);
  if (headerDoc) out.headerDoc = headerDoc.slice(0, 300);
  if (!facts && out.language === null && isProsePath(path, content)) {
    const documents = documentedCode(graph, path, content);
    if (documents.length > 0) out.documents = documents;
  }
  return out;
}

/** What a prose document documents: see `FileFacts.documents`. */
function documentedCode(graph: RepoGraph, path: string, content: string): NonNullable<FileFacts['documents']> {
  const named = proseFacts(content, isHtmlPath(path)).codeNames.flatMap((n) => n.split('.'));
  const order = new Map<string, number>();
  named.forEach((n, i) => order.has(n) || order.set(n, i));
  const out: Array<{ path: string; names: string[] }> = [];
  for (const [path, f] of graph.data.facts) {
    if (isTestFile(path)) continue;
    // Top-level definitions only: what the files' designs declared, so what a design may name.
    const top: typeof f.definitions = [];
    for (const d of f.definitions) if (d.startLine > (top.at(-1)?.endLine ?? 0)) top.push(d);
    const names = [...new Set(top.filter((d) => d.name.length >= 3 && order.has(d.name) && !isAmbient(f.language, d.name)).map((d) => d.name))];
    if (names.length > 0) out.push({ path, names: names.sort((a, b) => order.get(a)! - order.get(b)!).slice(0, 8) });
  }
  return out.sort((a, b) => b.names.length - a.names.length || a.path.localeCompare(b.path)).slice(0, 6);
}

/**
 * Cuts a file into the chunks it is written in (src/agents/chunking.ts): the whole file when it
 * fits `maxChunkLines` and `maxChunkChars`; else at top-level definitions, and a chunk still over
 * the target at its natural parts (members of a class, statements of a long function, cases of a
 * test); a prose document at its sections and paragraphs; data and config whole. Chunks concatenate to the file exactly. A
 * chunk's `definition` is its own (a method's, from `definitions`, every definition of the file
 * with nested ones; the top-level ones when absent), with its doc when it is a top-level one.
 */
export function chunkFile(content: string, facts: FileFacts, maxChunkLines: number, opts: { maxChunkChars?: number; definitions?: readonly Definition[] } = {}): Chunk[] {
  const ranges = planChunks({
    content,
    language: facts.language,
    topLevel: facts.definitions,
    target: { maxLines: maxChunkLines, maxChars: opts.maxChunkChars ?? DEFAULT_CHUNK_CHARS },
    prose: facts.language === null && isProsePath(facts.path, content) && (isHtmlPath(facts.path) ? 'html' : true),
  });
  const texts = rangeTexts(content, ranges);
  const all = opts.definitions ?? facts.definitions;
  const documented = new Map(facts.definitions.map((d) => [`${d.startLine}:${d.endLine}:${d.name}`, d]));
  return ranges.map((r, index) => {
    const own = ownDefinition(r, all);
    const definition = own ? (documented.get(`${own.startLine}:${own.endLine}:${own.name}`) ?? { ...own }) : undefined;
    return { index, startLine: r.startLine, endLine: r.endLine, text: texts[index]!, ...(definition ? { definition } : {}) };
  });
}
