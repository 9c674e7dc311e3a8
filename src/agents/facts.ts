/**
 * Grounded facts: what a policy may say about the repository, taken from the graph and the real
 * files. Policies write from these and nothing else, so every name they mention is true.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RepoGraph } from '../graph/mod.ts';
import { isTestFile } from '../graph/mod.ts';
import type { Definition, LanguageId } from '../graph/types.ts';

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
}

/** A piece of a file written in one go: the whole file, or one top-level definition and what precedes it. */
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
      const nm = /^name\s*=\s*"([^"]+)"/m.exec(text);
      if (nm) entry.name = nm[1]!;
    }
    summary.manifests.push(entry);
  }
  return summary;
}

const COMMENT_LINE = /^\s*(\/\/\/?|#|\*|\/\*\*?|--)\s?/;

function docAbove(lines: readonly string[], startLine: number): string | undefined {
  const out: string[] = [];
  for (let i = startLine - 2; i >= 0; i--) {
    const l = lines[i]!;
    if (/^\s*$/.test(l)) break;
    if (/^\s*@\w/.test(l)) continue; // decorators / annotations
    if (!COMMENT_LINE.test(l) && !/\*\/\s*$/.test(l)) break;
    out.unshift(l.replace(/\*\/\s*$/, '').replace(COMMENT_LINE, '').trim());
  }
  const text = out.filter((l) => l.length > 0).join(' ').trim();
  return text.length > 0 ? text : undefined;
}

function pythonDocstring(lines: readonly string[], startLine: number, endLine: number): string | undefined {
  for (let i = startLine; i < Math.min(endLine, startLine + 3); i++) {
    const m = /^\s*(?:"""|''')(.*?)(?:"""|''')?\s*$/.exec(lines[i] ?? '');
    if (m) return m[1]!.trim() || undefined;
  }
  return undefined;
}

export function fileFacts(graph: RepoGraph, path: string, content: string): FileFacts {
  const facts = graph.data.facts.get(path);
  const walked = graph.data.files.find((f) => f.path === path);
  const lines = content.split('\n');
  const definitions: DefinitionFacts[] = [];
  let lastEnd = 0;
  for (const d of facts?.definitions ?? []) {
    if (d.startLine <= lastEnd) continue; // nested: not top level
    const def: DefinitionFacts = { ...d };
    const doc = facts?.language === 'python' ? pythonDocstring(lines, d.startLine, d.endLine) : docAbove(lines, d.startLine);
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
  const head: string[] = [];
  for (const l of lines) {
    if (!COMMENT_LINE.test(l) && !/\*\/\s*$/.test(l)) break;
    head.push(l.replace(/\*\/\s*$/, '').replace(COMMENT_LINE, '').trim());
  }
  const headerDoc = head.filter((l) => l.length > 0 && !l.startsWith('!')).join(' ').trim();
  if (headerDoc) out.headerDoc = headerDoc.slice(0, 300);
  return out;
}

/**
 * Cuts a file into chunks at top-level definitions: each chunk ends where a definition ends, and
 * holds everything since the previous chunk (imports, comments, blank lines). The last chunk takes
 * whatever follows the last definition. Chunks concatenate to the file exactly.
 */
export function chunkFile(content: string, facts: FileFacts, maxChunkLines: number): Chunk[] {
  const lines = content.split('\n');
  if (lines.length <= maxChunkLines || facts.definitions.length <= 1) {
    return [{ index: 0, startLine: 1, endLine: lines.length, text: content, ...(facts.definitions[0] ? { definition: facts.definitions[0] } : {}) }];
  }
  const chunks: Chunk[] = [];
  let start = 1;
  for (const d of facts.definitions) {
    if (d.endLine < start || d.endLine >= lines.length) continue;
    chunks.push({ index: chunks.length, startLine: start, endLine: d.endLine, text: '', definition: d });
    start = d.endLine + 1;
  }
  if (start <= lines.length) {
    if (chunks.length > 0 && lines.slice(start - 1).every((l) => /^\s*$/.test(l) || COMMENT_LINE.test(l) || /^[\s})\];]*$/.test(l))) {
      chunks[chunks.length - 1]!.endLine = lines.length;
    } else {
      chunks.push({ index: chunks.length, startLine: start, endLine: lines.length, text: '' });
    }
  }
  // Texts: each chunk but the last ends with its newline, so the concatenation is the file.
  for (const c of chunks) {
    const last = c.endLine === lines.length;
    c.text = lines.slice(c.startLine - 1, c.endLine).join('\n') + (last ? '' : '\n');
  }
  return chunks;
}
