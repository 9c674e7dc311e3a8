/**
 * References resolved to definitions, by name. Among same-named definitions the file's own win
 * (the reference is local, no edge), then those in files it imports, then those in its own
 * directory for Go and Java (a package there is a directory, visible without imports), then a
 * type-like definition (class, interface, type, enum, module) unique in the repo. A function or
 * method name alone says too little: `x.parse()` is rarely the repo's one `parse` function.
 */
import type { SymbolInfo } from './symbols.ts';
import type { DefinitionKind, FileFacts } from './types.ts';

const typeLike = new Set<DefinitionKind>(['class', 'interface', 'type', 'enum', 'module']);

export interface ResolvedReference {
  from: string;
  symbol: string;
  count: number;
}

export function resolveReferences(
  facts: ReadonlyMap<string, FileFacts>,
  symbolsByFile: ReadonlyMap<string, readonly SymbolInfo[]>,
  importsOf: ReadonlyMap<string, ReadonlySet<string>>,
): ResolvedReference[] {
  const byName = new Map<string, SymbolInfo[]>();
  for (const syms of symbolsByFile.values()) {
    for (const s of syms) {
      const list = byName.get(s.name);
      if (list) list.push(s);
      else byName.set(s.name, [s]);
    }
  }
  const out: ResolvedReference[] = [];
  for (const [from, f] of facts) {
    const imported = importsOf.get(from);
    const dir = from.slice(0, from.lastIndexOf('/') + 1);
    const samePackage = f.language === 'go' || f.language === 'java';
    const counts = new Map<string, number>();
    for (const ref of f.references) {
      const candidates = byName.get(ref.name);
      if (!candidates) continue;
      if (candidates.some((c) => c.file === from)) continue;
      let chosen = imported ? candidates.filter((c) => imported.has(c.file)) : [];
      if (chosen.length === 0 && samePackage) chosen = candidates.filter((c) => c.file.startsWith(dir) && c.file.indexOf('/', dir.length) < 0);
      if (chosen.length === 0 && candidates.length === 1 && typeLike.has(candidates[0]!.kind)) chosen = candidates;
      for (const c of chosen) counts.set(c.id, (counts.get(c.id) ?? 0) + ref.count);
    }
    for (const [symbol, count] of counts) out.push({ from, symbol, count });
  }
  return out;
}
