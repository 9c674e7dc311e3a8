/**
 * A file's definitions as symbols: each gets its qualified name (the chain of enclosing classes,
 * interfaces and modules, by line range), its stable id, and its parent symbol if nested.
 */
import { symbolId } from './ids.ts';
import type { Definition, DefinitionKind } from './types.ts';

export interface SymbolInfo {
  /** So that a SymbolInfo is itself a graph node's attributes (no copy per node). */
  type: 'symbol';
  id: string;
  file: string;
  name: string;
  qualifiedName: string;
  kind: DefinitionKind;
  startLine: number;
  endLine: number;
  signature: string;
  /** Enclosing symbol's id, if any. */
  parent?: string;
}

const containers = new Set<DefinitionKind>(['class', 'interface', 'module', 'enum']);

/** `defs` as extraction sorts them: by start line, outer first. */
export function symbolsOf(path: string, defs: readonly Definition[]): SymbolInfo[] {
  const out: SymbolInfo[] = [];
  const open: SymbolInfo[] = [];
  const ordinals = new Map<string, number>();
  for (const d of defs) {
    while (open.length > 0 && open[open.length - 1]!.endLine < d.startLine) open.pop();
    let outer = open[open.length - 1];
    // Same range as the outer one (Rust `mod a;` twice, tags matching one node twice): siblings.
    if (outer && outer.startLine === d.startLine && outer.endLine === d.endLine) outer = undefined;
    if (outer && d.endLine > outer.endLine) outer = undefined;
    const qualifiedName = outer ? `${outer.qualifiedName}.${d.name}` : d.name;
    const n = (ordinals.get(qualifiedName) ?? 0) + 1;
    ordinals.set(qualifiedName, n);
    const sym: SymbolInfo = {
      type: 'symbol',
      id: symbolId(path, qualifiedName, n),
      file: path,
      name: d.name,
      qualifiedName,
      kind: d.kind,
      startLine: d.startLine,
      endLine: d.endLine,
      signature: d.signature,
    };
    if (outer) sym.parent = outer.id;
    out.push(sym);
    if (containers.has(d.kind)) open.push(sym);
  }
  return out;
}
