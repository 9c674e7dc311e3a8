/**
 * Facts of one parsed file: definitions, references and imports, read off the extraction
 * query's matches. Only plain data leaves this function; the tree and its nodes stay behind.
 */
import type Parser from 'tree-sitter';
import type { Grammar } from './grammars.ts';
import { javaImport } from './imports/java.ts';
import { pythonFromImport, pythonImports } from './imports/python.ts';
import { rustUseImports } from './imports/rust.ts';
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
  'reference.call': 'call',
  'reference.type': 'type',
  'reference.class': 'class',
  'reference.implementation': 'implementation',
};

const maxSignature = 200;

export function extractFacts(grammar: Grammar, tree: Parser.Tree, text: string): FileFacts {
  const lines = new LineIndex(text);
  const definitions = new Map<string, Definition>();
  const references = new Map<string, Reference>();
  const sites = new Set<string>();
  const imports: ImportSpec[] = [];
  let packageName: string | undefined;

  for (const match of grammar.query.matches(tree.rootNode)) {
    let nameNode: Parser.SyntaxNode | undefined;
    let defNode: Parser.SyntaxNode | undefined;
    let defKind: DefinitionKind | undefined;
    let refKind: ReferenceKind | undefined;
    let importNode: Parser.SyntaxNode | undefined;
    let importKind: string | undefined;
    let statementNode: Parser.SyntaxNode | undefined;
    for (const cap of match.captures) {
      const c = cap.name;
      if (c === 'name') nameNode = cap.node;
      else if (c.startsWith('definition.')) {
        defNode = cap.node;
        defKind = definitionKinds[c] ?? 'type';
      } else if (c.startsWith('reference.')) refKind = referenceKinds[c] ?? 'call';
      else if (c === 'import.statement') statementNode = cap.node;
      else if (c.startsWith('import.')) {
        importNode = cap.node;
        importKind = c.slice(7);
      } else if (c === 'package') packageName = text.slice(cap.node.startIndex, cap.node.endIndex).replace(/\s+/g, '');
    }
    if (importNode && importKind) {
      const start = importNode.startIndex;
      const source = text.slice(start, importNode.endIndex);
      const line = lines.lineOf(start);
      let kind = importKind as ImportKind;
      if (statementNode && /^import\s+type\s+(?!from\b)/.test(text.slice(statementNode.startIndex, statementNode.startIndex + 40))) kind = 'type-import';
      imports.push(...importSpecs(kind, source, line));
      continue;
    }
    if (!nameNode) continue;
    const nameStart = nameNode.startIndex;
    const name = text.slice(nameStart, nameNode.endIndex);
    if (defNode && defKind) {
      const start = defNode.startIndex;
      const key = `${name}@${start}`;
      const seen = definitions.get(key);
      // One node, two patterns: Rust methods match the method and the function pattern (method
      // wins); `const f = () => {}` matches function and our constant pattern (function wins).
      if (seen && !((seen.kind === 'function' && defKind === 'method') || (seen.kind === 'constant' && defKind !== 'constant'))) continue;
      definitions.set(key, {
        name,
        kind: defKind,
        startLine: lines.lineOf(start),
        endLine: lines.lineOf(Math.max(start, defNode.endIndex - 1)),
        signature: signatureAt(text, lines.startOfLineAt(start)),
      });
    } else if (refKind) {
      // TS + JS tags both match `new X()`: one site counts once.
      const site = `${refKind}@${nameStart}`;
      if (sites.has(site)) continue;
      sites.add(site);
      const key = `${refKind}:${name}`;
      const seen = references.get(key);
      if (seen) seen.count++;
      else references.set(key, { name, kind: refKind, line: lines.lineOf(nameStart), count: 1 });
    }
  }

  const defs = [...definitions.values()].sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine || cmp(a.name, b.name));
  markMethods(defs);
  const facts: FileFacts = {
    language: grammar.id,
    definitions: defs,
    references: [...references.values()].sort((a, b) => a.line - b.line || cmp(a.name, b.name)),
    imports,
    parseError: tree.rootNode.hasError,
  };
  if (packageName !== undefined) facts.packageName = packageName;
  return facts;
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

function signatureAt(text: string, start: number): string {
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  return text.slice(start, Math.min(end, start + maxSignature)).trim();
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Offset -> 1-based line, by binary search over line starts (no native calls per node). */
class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  startOfLineAt(offset: number): number {
    return this.starts[this.lineOf(offset) - 1]!;
  }
}
