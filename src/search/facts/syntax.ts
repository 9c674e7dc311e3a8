/**
 * Parsing a target with the graph's grammars, and the tree helpers every language reader shares.
 *
 * A target is a chunk of a file, often a fragment: a method whose impl block opened in the chunk
 * before, the end of a class, a header whose `#ifndef` guard closes in another chunk. Tree-sitter
 * recovers from such text by flattening whole regions into ERROR nodes, which loses the very
 * definition the facts are about. So a fragment is balanced first (`balanceFragment`): closers
 * with no opener are blanked, and the openers left open are closed at the end. Offsets stay the
 * same, so node positions still index the target.
 */
import Parser from 'tree-sitter';
import { languageFor, type LanguageId } from '../../graph/mod.ts';
import type { ReturnShape } from './types.ts';

/** Longer targets are read up to here: the definition's head comes first, and cost stays bounded. */
export const MAX_PARSE_CHARS = 200_000;
/** Nodes a body walk visits at most. */
export const MAX_VISITS = 60_000;

const parsers = new Map<LanguageId, Parser>();

export function parserFor(language: LanguageId): Parser {
  let p = parsers.get(language);
  if (!p) {
    p = new Parser();
    p.setLanguage(languageFor(language));
    parsers.set(language, p);
  }
  return p;
}

/** Runs `read` on the tree of `text`, releasing the tree after; undefined when parsing fails. */
export function withTree<T>(language: LanguageId, text: string, read: (root: Parser.SyntaxNode) => T): T | undefined {
  const parser = parserFor(language);
  let tree: Parser.Tree;
  try {
    tree = parser.parse(text);
  } catch {
    parser.reset();
    return undefined;
  }
  try {
    return read(tree.rootNode);
  } finally {
    (tree as { delete?: () => void }).delete?.();
  }
}

const CLOSER: Readonly<Record<string, string>> = { '{': '}', '(': ')', '[': ']' };
const OPENER: Readonly<Record<string, string>> = { '}': '{', ')': '(', ']': '[' };

/**
 * `text` with unmatched closers blanked and missing closers appended (C and C++: unmatched
 * `#endif` blanked, missing ones appended too). Comments, strings and character literals are
 * skipped; a Rust lifetime is not a character literal.
 */
export function balanceFragment(text: string, language: LanguageId): string {
  if (language === 'python') return text;
  const preprocessor = language === 'c' || language === 'cpp';
  const chars = text.split('');
  const stack: Array<{ open: string; at: number }> = [];
  const n = text.length;
  let lineStart = true;
  let i = 0;
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k++) if (chars[k] !== '\n') chars[k] = ' ';
  };
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '\n') {
      lineStart = true;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    const atLineStart = lineStart;
    lineStart = false;
    if (preprocessor && atLineStart && c === '#') {
      let end = i;
      while (end < n && (text[end] !== '\n' || text[end - 1] === '\\')) end++;
      const directive = /^#\s*(\w+)/.exec(text.slice(i, Math.min(end, i + 40)))?.[1] ?? '';
      if (directive === 'if' || directive === 'ifdef' || directive === 'ifndef') stack.push({ open: '#', at: i });
      else if (directive === 'endif') {
        const top = stack.findLastIndex((s) => s.open === '#');
        if (top < 0) blank(i, end);
        else stack.length = top;
      }
      i = end;
      continue;
    }
    if (c === '/' && next === '/') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (language === 'rust' && c === 'r' && (next === '"' || next === '#') && !/[\w]/.test(text[i - 1] ?? '')) {
      const m = /^r(#*)"/.exec(text.slice(i, i + 260));
      if (m) {
        const end = text.indexOf('"' + m[1], i + m[0].length);
        i = end < 0 ? n : end + 1 + m[1]!.length;
        continue;
      }
    }
    if (c === '"') {
      if (text.startsWith('"""', i) && language === 'java') {
        const end = text.indexOf('"""', i + 3);
        i = end < 0 ? n : end + 3;
        continue;
      }
      const multiline = language === 'rust';
      let j = i + 1;
      while (j < n && text[j] !== '"' && (multiline || text[j] !== '\n')) j += text[j] === '\\' ? 2 : 1;
      i = j + 1;
      continue;
    }
    if (c === '`' && language === 'go') {
      const end = text.indexOf('`', i + 1);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === "'") {
      const m = /^'(?:\\(?:u\{[0-9a-fA-F]+\}|x[0-9a-fA-F]{2}|[0-7]{1,3}|.)|[^'\\\n]{1,2})'/.exec(text.slice(i, i + 14));
      i += m ? m[0].length : 1;
      continue;
    }
    if (c in CLOSER) stack.push({ open: c, at: i });
    else if (c in OPENER) {
      const top = stack.findLastIndex((s) => s.open === OPENER[c]);
      if (top < 0) {
        chars[i] = ' ';
        // `};` and `});` closing what came before: the separator goes with the closer.
        if (text[i + 1] === ';') chars[i + 1] = ' ';
      } else stack.length = top;
    }
    i++;
  }
  if (stack.length === 0) return chars.join('');
  const tail = stack
    .reverse()
    .map((s) => (s.open === '#' ? '\n#endif\n' : CLOSER[s.open]))
    .join('');
  return chars.join('') + '\n' + tail;
}

/** Depth-first walk in document order; `visit` returns false to skip a node's children. */
export function walk(root: Parser.SyntaxNode, visit: (n: Parser.SyntaxNode) => boolean | void, budget = MAX_VISITS): void {
  const stack: Parser.SyntaxNode[] = [root];
  let left = budget;
  while (stack.length > 0 && left-- > 0) {
    const n = stack.pop()!;
    if (visit(n) === false) continue;
    const kids = n.namedChildren;
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!);
  }
}

export function descendants(node: Parser.SyntaxNode, keep: (n: Parser.SyntaxNode) => boolean, budget = 4096): Parser.SyntaxNode[] {
  const out: Parser.SyntaxNode[] = [];
  walk(node, (n) => void (keep(n) && out.push(n)), budget);
  return out;
}

export function childOfType(node: Parser.SyntaxNode | null | undefined, ...types: string[]): Parser.SyntaxNode | undefined {
  return node?.namedChildren.find((c) => types.includes(c.type));
}

/** Whether anything but blanks precedes `node` on its line: a trailing comment belongs to the line's code. */
export function startsLine(node: Parser.SyntaxNode, text: string): boolean {
  const lineStart = text.lastIndexOf('\n', node.startIndex - 1) + 1;
  return /^\s*$/.test(text.slice(lineStart, node.startIndex));
}

/** `a::b::C<T>` → `C`, `pkg.Name` → `Name`: the last segment of a path, generics dropped. */
export function lastSegment(path: string): string {
  const plain = withoutGenerics(path);
  const parts = plain.split(/::|\./);
  return parts[parts.length - 1]!.trim();
}

/** A type's text without its generic arguments and reference or pointer marks. */
export function withoutGenerics(type: string): string {
  let out = '';
  let depth = 0;
  for (const ch of type) {
    if (ch === '<') depth++;
    else if (ch === '>') depth = Math.max(0, depth - 1);
    else if (depth === 0) out += ch;
  }
  return out.replace(/^[&*\s]+|(\bmut\b|\bdyn\b|\bconst\b)\s*/g, '').replace(/\s+/g, '').replace(/\[\]$/, '');
}

const IDENT = /^[A-Za-z_$][\w$]*$/;
export const isIdentifier = (s: string): boolean => IDENT.test(s);

/** A string literal's text for `strings`: short, one line, no escapes. */
export function shortString(s: string): string | undefined {
  return s.length >= 2 && s.length <= 24 && !/[\n\\]/.test(s) ? s : undefined;
}

/** A literal node's one `contentType` child as a short string (`shortString`), or undefined. */
export function literalContent(node: Parser.SyntaxNode, contentType: string): string | undefined {
  const content = node.namedChildren.filter((x) => x.type === contentType);
  return content.length === 1 ? shortString(content[0]!.text) : undefined;
}

/**
 * What a language's `return` expressions read as, by node type: the table `returnShapeOf` reads.
 * `special` reads the shapes that need the language's own grammar (calls, constructions, object
 * literals) and answers undefined for every other node.
 */
export interface ReturnShapes {
  /** `this`, `self`. */
  self?: readonly string[];
  booleans: readonly string[];
  literals: readonly string[];
  arrays?: readonly string[];
  /** Operators that make a `binary_expression` a boolean; comparisons and `&&`/`||` by default. */
  comparisons?: readonly string[];
  /** A `unary_expression` opening with `!` is a boolean. */
  negation?: boolean;
  /** The shape of no expression at all (`return;`); a literal (nothing to name) by default. */
  none?: ReturnShape;
  special?: (e: Parser.SyntaxNode) => ReturnShape | undefined;
}

const COMPARISONS = ['==', '!=', '<', '>', '<=', '>=', '&&', '||'];

export function returnShapeOf(e: Parser.SyntaxNode | undefined, s: ReturnShapes): ReturnShape {
  if (!e) return s.none ?? { kind: 'literal' };
  const special = s.special?.(e);
  if (special) return special;
  const t = e.type;
  if (t === 'identifier') return { kind: 'identifier', name: e.text };
  if (s.self?.includes(t)) return { kind: 'this' };
  if (s.booleans.includes(t)) return { kind: 'boolean' };
  if (s.literals.includes(t)) return { kind: 'literal' };
  if (s.arrays?.includes(t)) return { kind: 'array' };
  if (t === 'binary_expression') {
    const op = e.childForFieldName('operator')?.type ?? e.children[1]?.type ?? '';
    return (s.comparisons ?? COMPARISONS).includes(op) ? { kind: 'boolean' } : { kind: 'other' };
  }
  if (t === 'unary_expression' && s.negation && e.text.startsWith('!')) return { kind: 'boolean' };
  return { kind: 'other' };
}
