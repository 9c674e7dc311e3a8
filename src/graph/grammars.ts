/**
 * The native grammars and the one extraction query per language: the grammar's own tags.scm
 * (definitions and references) followed by our import patterns, so a file is queried once.
 *
 * The tags queries are adapted as DESIGN.md warns: TypeScript's has no class or function
 * patterns of its own, so the JavaScript query is appended; `#strip!`, `#select-adjacent!` and
 * `#set-adjacent!` are rejected by the native query API and removed; and the `(comment)* @doc .`
 * prefixes that only fed those predicates are removed too (we never read doc captures, and they
 * roughly double the query's matching work on comment-heavy code).
 *
 * Loaded lazily and once per thread: every worker calls `grammarFor` itself.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import Parser from 'tree-sitter';
import { importPatterns } from './import-patterns.ts';
import { splitPatterns } from './query-patterns.ts';
import type { LanguageId } from './types.ts';

const require = createRequire(import.meta.url);

export interface Grammar {
  id: LanguageId;
  language: Parser.Language;
  /** tags.scm (adapted) + import patterns. */
  query: Parser.Query;
  /**
   * Reference kind of each pattern, by pattern index (undefined for other patterns). The
   * `@reference.<kind>` capture itself is removed from the query: the pattern index says the
   * kind, and not marshalling the enclosing node saves a third of the query's node traffic.
   */
  referenceKinds: ReadonlyArray<string | undefined>;
  /**
   * Predicates on `@name` (`#eq?`, `#not-eq?`, `#match?`, `#not-match?`), by pattern index, taken
   * out of the query and checked here on the name text extraction reads anyway. Left in the query,
   * node-tree-sitter checks them in JavaScript with two native calls per match to get the text;
   * `#not-match? @name "^(require)$"` sits on the pattern for every plain call.
   */
  nameFilters: ReadonlyArray<((name: string) => boolean) | undefined>;
}

/** Grammar package and export per language; tags files are read from these packages. */
const sources: Readonly<Record<LanguageId, { pkg: string; key?: string; tags: string[] }>> = {
  typescript: { pkg: 'tree-sitter-typescript', key: 'typescript', tags: ['tree-sitter-typescript', 'tree-sitter-javascript'] },
  tsx: { pkg: 'tree-sitter-typescript', key: 'tsx', tags: ['tree-sitter-typescript', 'tree-sitter-javascript'] },
  javascript: { pkg: 'tree-sitter-javascript', tags: ['tree-sitter-javascript'] },
  python: { pkg: 'tree-sitter-python', tags: ['tree-sitter-python'] },
  go: { pkg: 'tree-sitter-go', tags: ['tree-sitter-go'] },
  rust: { pkg: 'tree-sitter-rust', tags: ['tree-sitter-rust'] },
  java: { pkg: 'tree-sitter-java', tags: ['tree-sitter-java'] },
  c: { pkg: 'tree-sitter-c', tags: ['tree-sitter-c'] },
  cpp: { pkg: 'tree-sitter-cpp', tags: ['tree-sitter-cpp'] },
};

const loaded = new Map<LanguageId, Grammar>();

export function languageFor(id: LanguageId): Parser.Language {
  const src = sources[id];
  const mod = require(src.pkg) as Record<string, unknown>;
  return (src.key ? mod[src.key] : mod) as Parser.Language;
}

export function grammarFor(id: LanguageId): Grammar {
  let g = loaded.get(id);
  if (!g) {
    const language = languageFor(id);
    const patterns = splitPatterns(adaptedTags(id) + '\n' + importPatterns(id));
    const referenceKinds = patterns.map((p) => /@reference\.(\w+)/.exec(p)?.[1]);
    const nameFilters = patterns.map(nameFilterOf);
    const text = patterns.map((p) => p.replace(/\s*@reference\.\w+/g, '').replace(namePredicate, '')).join('\n');
    const query = new Parser.Query(language, text);
    const count = (query as unknown as { predicates: unknown[] }).predicates.length;
    if (count !== patterns.length) throw new Error(`${id}: query has ${count} patterns, split found ${patterns.length}`);
    g = { id, language, query, referenceKinds, nameFilters };
    loaded.set(id, g);
  }
  return g;
}

/** The grammar's tags.scm text(s), unmodified, concatenated. */
export function rawTags(id: LanguageId): string {
  return sources[id].tags.map((pkg) => readFileSync(join(packageDir(pkg), 'queries', 'tags.scm'), 'utf8')).join('\n');
}

/** rawTags with the predicates the native API rejects (and their doc captures) removed. */
export function adaptedTags(id: LanguageId, opts: { keepDocCaptures?: boolean } = {}): string {
  let text = rawTags(id).replace(/\(#(?:strip|select-adjacent|set-adjacent)![^)]*\)/g, '');
  if (!opts.keepDocCaptures) text = text.replace(/\(comment\)\*\s*@doc\s*\.\s*/g, '');
  return text;
}

const namePredicate = /\(#(not-)?(eq|match)\?\s+@name\s+"((?:\\.|[^"\\])*)"\s*\)/g;

function nameFilterOf(pattern: string): ((name: string) => boolean) | undefined {
  const checks: Array<(name: string) => boolean> = [];
  for (const m of pattern.matchAll(namePredicate)) {
    const negate = m[1] !== undefined;
    // Query strings escape like JSON strings.
    const arg = JSON.parse(`"${m[3]}"`) as string;
    const test = m[2] === 'eq' ? (name: string) => name === arg : ((re) => (name: string) => re.test(name))(new RegExp(arg));
    checks.push(negate ? (name) => !test(name) : test);
  }
  if (checks.length === 0) return undefined;
  return (name) => checks.every((c) => c(name));
}

function packageDir(pkg: string): string {
  return dirname(require.resolve(`${pkg}/package.json`));
}
