/**
 * Facts of one parsed file: definitions, references and imports, read off the extraction
 * query's matches. Only plain data leaves this function; the tree and its nodes stay behind.
 */
import type Parser from 'tree-sitter';
import { compilerDefinitions } from './compiler-definitions.ts';
import type { Grammar } from './grammars.ts';
import { javaImport } from './imports/java.ts';
import { pythonFromImport, pythonImports } from './imports/python.ts';
import { macroModName, placeRustImports, rustUseImports } from './imports/rust.ts';
import { isScriptLanguage } from './languages.ts';
import type { Definition, DefinitionKind, FileFacts, ImportKind, ImportSpec, Reference, ReferenceKind } from './types.ts';

const definitionKinds: Readonly<Record<string, DefinitionKind>> = {
  'definition.function': 'function',
  'definition.method': 'method',
  'definition.class': 'class',
  'definition.interface': 'interface',
  'definition.module': 'module',
  'definition.type': 'type',
  'definition.constant': 'constant',
  'definition.macro': 'macro',
  'definition.enum': 'enum',
};

const referenceKinds: Readonly<Record<string, ReferenceKind>> = {
  call: 'call',
  type: 'type',
  class: 'class',
  implementation: 'implementation',
};

const maxSignature = 200;
const bindsImport = /^[\w$]+\s*=\s*(?:await\s+)?(?:require|import)\s*\(/;

export function extractFacts(grammar: Grammar, tree: Parser.Tree, text: string): FileFacts {
  const definitions = new Map<string, Definition>();
  const references = new Map<string, Reference>();
  const sites = new Set<number>();
  const imports: ImportSpec[] = [];
  let packageName: string | undefined;

  for (const match of grammar.query.matches(tree.rootNode)) {
    let nameNode: Parser.SyntaxNode | undefined;
    let defNode: Parser.SyntaxNode | undefined;
    let defKind: DefinitionKind | undefined;
    let importNode: Parser.SyntaxNode | undefined;
    let importKind: string | undefined;
    let statementNode: Parser.SyntaxNode | undefined;
    for (const cap of match.captures) {
      const c = cap.name;
      if (c === 'name') nameNode = cap.node;
      else if (c.startsWith('definition.')) {
        defNode = cap.node;
        defKind = definitionKinds[c] ?? 'type';
      } else if (c === 'import.statement') statementNode = cap.node;
      else if (c.startsWith('import.')) {
        importNode = cap.node;
        importKind = c.slice(7);
      } else if (c === 'package') packageName = cap.node.text.replace(/\s+/g, '');
    }
    const filter = grammar.nameFilters[match.pattern];
    if (filter && nameNode) {
      const start = startOf(nameNode);
      if (!filter(text.slice(start, identifierEnd(text, start)))) continue;
    }
    // A `mod` token in a macro (cfg_if!): its name follows it.
    if (importNode?.type === 'mod') importNode = macroModName(importNode);
    if (importNode && importKind) {
      let kind = importKind as ImportKind;
      if (statementNode && /^import\s+type\s+(?!from\b)/.test(text.slice(startOf(statementNode), startOf(statementNode) + 40))) kind = 'type-import';
      const specs = importSpecs(kind, importNode.text, rowOf(importNode) + 1);
      if (grammar.id === 'rust') placeRustImports(specs, importNode);
      imports.push(...specs);
      continue;
    }
    if (!nameNode) continue;
    const nameStart = startOf(nameNode);
    const name = text.slice(nameStart, identifierEnd(text, nameStart));
    if (name === '') continue;
    if (defNode && defKind) {
      // A `#define` is a preprocessor line by nature; the checks below are for declarations.
      const cFamily = grammar.id === 'c' ? 'c' : grammar.id === 'cpp' ? 'cpp' : undefined;
      const declaration = cFamily !== undefined && defKind !== 'macro';
      if (declaration) {
        defNode = declarationOf(defNode);
        if (isMisreadDeclaration(cFamily, name, text, nameStart)) continue;
      }
      let start = startOf(defNode);
      let startLine = rowOf(defNode) + 1;
      if (declaration) {
        // Error recovery around `#ifdef` may start a declaration on the directive's line.
        const skipped = skipDirectives(text, start, nameStart);
        start = skipped.start;
        startLine += skipped.lines;
      }
      // `const x = require('./x')` binds an import, it defines nothing.
      if (defKind === 'constant' && bindsImport.test(text.slice(start, start + 160))) continue;
      const key = `${name}@${start}`;
      const seen = definitions.get(key);
      // One node, two patterns: Rust methods match the method and the function pattern (method
      // wins); `const f = () => {}` matches function and our constant pattern (function wins).
      if (seen && !((seen.kind === 'function' && defKind === 'method') || (seen.kind === 'constant' && defKind !== 'constant'))) continue;
      definitions.set(key, {
        name,
        kind: defKind,
        startLine,
        endLine: endRowOf(defNode) + 1,
        signature: signatureAt(text, text.lastIndexOf('\n', start - 1) + 1),
      });
      continue;
    }
    const refKind = grammar.referenceKinds[match.pattern];
    if (refKind === undefined) continue;
    // TS + JS tags both match `new X()`: one site counts once.
    if (sites.has(nameStart)) continue;
    sites.add(nameStart);
    const kind = referenceKinds[refKind] ?? 'call';
    const key = `${kind}:${name}`;
    const seen = references.get(key);
    if (seen) seen.count++;
    else references.set(key, { name, kind, line: rowOf(nameNode) + 1, count: 1 });
  }

  const parseError = tree.rootNode.hasError;
  // tree-sitter's recovery loses whole regions of a TS/JS file, the compiler's parser others:
  // each finds what the other lost, so both count (one definition per name and line).
  const recovered = parseError && isScriptLanguage(grammar.id) ? compilerDefinitions(grammar.id, text) : undefined;
  const found = recovered ? [...new Map([...definitions.values(), ...recovered].map((d) => [`${d.name}@${d.startLine}`, d])).values()] : [...definitions.values()];
  const defs = found.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine || cmp(a.name, b.name));
  markMethods(defs);
  const facts: FileFacts = {
    language: grammar.id,
    definitions: defs,
    references: [...references.values()].sort((a, b) => a.line - b.line || cmp(a.name, b.name)),
    imports,
    parseError,
  };
  if (packageName !== undefined) facts.packageName = packageName;
  return facts;
}

/**
 * Node positions without native calls. node-tree-sitter marshals a node into six numbers: the id
 * (two), the start offset in bytes of the UTF-16 input (twice the string index), the start row,
 * the start column and an alias. `checkNodeLayout` verifies this against the getters once per
 * thread; if a binding ever lays nodes out differently, the getters are used instead.
 */
type Marshalled = Parser.SyntaxNode & Record<number, number>;
let fastLayout = false;
const startOf = (n: Parser.SyntaxNode): number => (fastLayout ? (n as Marshalled)[2]! >>> 1 : n.startIndex);
const rowOf = (n: Parser.SyntaxNode): number => (fastLayout ? (n as Marshalled)[3]! : n.startPosition.row);
const endRowOf = (n: Parser.SyntaxNode): number => {
  const end = n.endPosition;
  // A node ending right after a newline ends on the previous line.
  return end.column === 0 && end.row > rowOf(n) ? end.row - 1 : end.row;
};

/** `sample` must start past the first line, so that a wrong layout cannot pass by zeros. */
export function checkNodeLayout(sample: Parser.SyntaxNode): boolean {
  const m = sample as Marshalled;
  fastLayout = sample.startPosition.row > 0 && m[2]! >>> 1 === sample.startIndex && m[3] === sample.startPosition.row;
  return fastLayout;
}

/** End of the identifier starting at `i` (ASCII word characters, `$`, and any non-ASCII). */
function identifierEnd(text: string, i: number): number {
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127) i++;
    else break;
  }
  return i;
}

function importSpecs(kind: ImportKind, source: string, line: number): ImportSpec[] {
  switch (kind) {
    case 'python':
      return pythonImports(source, line);
    case 'python-from':
      return pythonFromImport(source, line);
    case 'rust-use':
      return rustUseImports(source, line);
    case 'java':
      return javaImport(source, line);
    case 'go':
      return [{ kind, specifier: source.replace(/^["`]|["`]$/g, ''), line }];
    case 'include':
      return [{ kind, specifier: source.startsWith('<') ? source : source.replace(/^"|"$/g, ''), line }];
    default:
      return [{ kind, specifier: source, line }];
  }
}

/**
 * Grammars without a method pattern (Python) tag functions inside classes as functions: a function
 * that lies within a class or interface is a method. `defs` is sorted by start line, outer first.
 */
function markMethods(defs: Definition[]): void {
  const open: Definition[] = [];
  for (const d of defs) {
    while (open.length > 0 && open[open.length - 1]!.endLine < d.startLine) open.pop();
    const outer = open[open.length - 1];
    if (d.kind === 'function' && outer && (outer.kind === 'class' || outer.kind === 'interface') && d.endLine <= outer.endLine && outer !== d) d.kind = 'method';
    if (d.kind === 'class' || d.kind === 'interface') open.push(d);
  }
}

/** Declarator wrappers between a C/C++ function declarator and the declaration it belongs to. */
const declaratorWrappers = new Set(['pointer_declarator', 'reference_declarator', 'parenthesized_declarator', 'attributed_declarator', 'function_declarator', 'init_declarator']);
const declarations = new Set(['function_definition', 'declaration', 'field_declaration']);

/**
 * The C and C++ tags tag a function's declarator (`name(params)`), not its definition: the
 * definition spans the return type before it and the body after. A template's own line opens it.
 */
function declarationOf(node: Parser.SyntaxNode): Parser.SyntaxNode {
  if (node.type !== 'function_declarator') return node;
  let n = node;
  while (n.parent && declaratorWrappers.has(n.parent.type)) n = n.parent;
  if (!n.parent || !declarations.has(n.parent.type)) return node;
  n = n.parent;
  while (n.parent?.type === 'template_declaration') n = n.parent;
  return n;
}

/** Past the preprocessor lines (with their continuations) that open a declaration before its name. */
function skipDirectives(text: string, start: number, nameStart: number): { start: number; lines: number } {
  let lineStart = text.lastIndexOf('\n', start - 1) + 1;
  let lines = 0;
  while (/^[ \t]*#/.test(text.slice(lineStart, lineStart + 200))) {
    let end = text.indexOf('\n', lineStart);
    while (end > 0 && text[end - 1] === '\\') end = text.indexOf('\n', end + 1);
    if (end < 0 || end >= nameStart) break;
    lineStart = end + 1;
    lines++;
  }
  return { start: lines > 0 ? lineStart : start, lines };
}

/** Words C and C++ reserve: never a definition's name (error recovery reads `void()` as one). */
const reservedC = new Set(
  'auto break case char const continue default do double else enum extern float for goto if inline int long register restrict return short signed sizeof static struct switch typedef union unsigned void volatile while _Bool _Complex _Atomic _Alignas _Alignof _Generic _Noreturn _Static_assert _Thread_local'.split(' '),
);
const reservedCpp = new Set(
  'alignas alignof asm bool catch char8_t char16_t char32_t class concept consteval constexpr constinit const_cast co_await co_return co_yield decltype delete dynamic_cast explicit false friend mutable namespace new noexcept nullptr operator private protected public reinterpret_cast requires static_assert static_cast template this thread_local throw true try typeid typename using virtual wchar_t'.split(' '),
);

/**
 * A "definition" that error recovery made out of something else: one named by a reserved word, or
 * one whose name stands on a preprocessor line (`#if __GLIBC_USE (X)` is a condition, not a function).
 */
function isMisreadDeclaration(language: 'c' | 'cpp', name: string, text: string, nameStart: number): boolean {
  if (reservedC.has(name) || (language === 'cpp' && reservedCpp.has(name))) return true;
  const lineStart = text.lastIndexOf('\n', nameStart - 1) + 1;
  return /^\s*#/.test(text.slice(lineStart, nameStart));
}

function signatureAt(text: string, start: number): string {
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  return text.slice(start, Math.min(end, start + maxSignature)).trim();
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
