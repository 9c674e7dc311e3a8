/**
 * `context(file, tokenBudget)`: the definitions a file depends on, as a map an agent can read
 * before writing the file: signature lines grouped by file, the most relevant first, fitted to a
 * token budget.
 *
 * Candidates are the definitions in the file's transitive repo dependencies and in files whose
 * symbols it references. Relevance is the personalised PageRank of the defining file (seeded at
 * the target file), tripled for a symbol the file references directly and halved for a nested
 * one. Symbols are taken greedily by relevance while they fit; a file's header costs its tokens
 * the first time one of its symbols is taken. Tokens are estimated as ceil(chars / 4).
 */
import type { SymbolInfo } from '../symbols.ts';

export interface ContextSymbol {
  id: string;
  name: string;
  kind: string;
  line: number;
  signature: string;
  score: number;
}

export interface ContextFile {
  path: string;
  rank: number;
  symbols: ContextSymbol[];
}

export interface RankedContext {
  file: string;
  tokenBudget: number;
  tokens: number;
  files: ContextFile[];
  /** The map as text: `path:` then `  <line>: <signature>` per symbol. */
  text: string;
}

export interface ContextInputs {
  file: string;
  tokenBudget: number;
  candidates: readonly string[];
  rank: ReadonlyMap<string, number>;
  symbolsOf: (file: string) => readonly SymbolInfo[];
  /** Symbol ids the file references directly. */
  referenced: ReadonlySet<string>;
}

export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

const header = (path: string) => `${path}:\n`;
const entry = (s: SymbolInfo) => `  ${s.startLine}: ${s.signature}\n`;

export function rankedContext(inp: ContextInputs): RankedContext {
  const scored: Array<{ sym: SymbolInfo; score: number }> = [];
  for (const path of inp.candidates) {
    if (path === inp.file) continue;
    const r = inp.rank.get(path) ?? 0;
    for (const sym of inp.symbolsOf(path)) {
      const score = r * (inp.referenced.has(sym.id) ? 3 : 1) * (sym.parent ? 0.5 : 1);
      scored.push({ sym, score });
    }
  }
  scored.sort((a, b) => b.score - a.score || cmp(a.sym.file, b.sym.file) || a.sym.startLine - b.sym.startLine);

  let tokens = 0;
  const chosen = new Map<string, Array<{ sym: SymbolInfo; score: number }>>();
  for (const c of scored) {
    const cost = estimateTokens(entry(c.sym)) + (chosen.has(c.sym.file) ? 0 : estimateTokens(header(c.sym.file)));
    if (tokens + cost > inp.tokenBudget) continue;
    tokens += cost;
    const list = chosen.get(c.sym.file);
    if (list) list.push(c);
    else chosen.set(c.sym.file, [c]);
  }

  const files: ContextFile[] = [...chosen.entries()]
    .map(([path, list]) => ({
      path,
      rank: inp.rank.get(path) ?? 0,
      symbols: list
        .sort((a, b) => a.sym.startLine - b.sym.startLine)
        .map(({ sym, score }) => ({ id: sym.id, name: sym.qualifiedName, kind: sym.kind, line: sym.startLine, signature: sym.signature, score })),
    }))
    .sort((a, b) => b.rank - a.rank || cmp(a.path, b.path));
  let text = '';
  for (const f of files) {
    text += header(f.path);
    for (const s of f.symbols) text += `  ${s.line}: ${s.signature}\n`;
  }
  return { file: inp.file, tokenBudget: inp.tokenBudget, tokens, files, text };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
