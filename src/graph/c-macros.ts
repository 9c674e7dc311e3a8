/**
 * C and C++ declarations wrapped in macros the parser cannot expand: `int CDECL main(void)`,
 * `local void f()` (`#define local static`), `void f OF((int x))`, `main(int argc UNUSED)`.
 * tree-sitter has no preprocessor, so each of these is an ERROR node and often costs the
 * declaration around it. For a tree with errors, such macro uses are blanked out with spaces (the
 * text keeps its length and lines, so every position still holds) and the file parsed again:
 *
 * - an object-like macro the file defines as nothing, or as specifiers and attributes only;
 * - an upper-case identifier (the macro convention) that alone makes up an ERROR node and stands
 *   before a word, `*`, `,` or `)`: an annotation macro from a header we do not see (`CDECL`);
 * - `NAME((..))`, the pass-through of old prototypes: the name and the outer parentheses go.
 *
 * Preprocessor lines are left as they are.
 */
import type Parser from 'tree-sitter';

const specifierWords = new Set(
  'static extern inline __inline __inline__ const volatile register __cdecl _cdecl __stdcall _stdcall __fastcall __thiscall __vectorcall __declspec __attribute__ __restrict __restrict__ restrict __extension__ noexcept'.split(' '),
);

/** `text` with the macro uses above blanked, or `text` itself when there is nothing to blank. */
export function blankMacros(text: string, tree: Parser.Tree): string {
  const names = new Set([...emptyMacros(text), ...errorIdentifiers(text, tree)]);
  let out = text;
  if (names.size > 0) {
    const word = new RegExp(`\\b(?:${[...names].join('|')})\\b`, 'g');
    out = mapCodeLines(out, (line) => line.replace(word, (m) => ' '.repeat(m.length)));
  }
  return blankPassThrough(out);
}

/** Object-like macros defined as nothing, or as specifiers and attributes only. */
function emptyMacros(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)(?![\w(])([^\n]*)$/gm)) {
    const body = m[2]!.replace(/\/\*.*?\*\/|\/\/.*$/g, '').replace(/\([^()]*(?:\([^()]*\))*[^()]*\)/g, ' ').trim();
    if (body.split(/\s+/).every((w) => w === '' || specifierWords.has(w))) out.push(m[1]!);
  }
  return out;
}

/** Upper-case identifiers that alone make up an ERROR node and stand before a word, `*`, `,` or `)`. */
function errorIdentifiers(text: string, tree: Parser.Tree): string[] {
  const out: string[] = [];
  for (const err of tree.rootNode.descendantsOfType('ERROR')) {
    const only = err.namedChildCount === 1 && err.childCount === 1 ? err.firstNamedChild : null;
    if (only?.type !== 'identifier' || !/^[A-Z][A-Z0-9_]+$/.test(only.text)) continue;
    if (/^\s*[A-Za-z_*,)]/.test(text.slice(err.endIndex, err.endIndex + 40))) out.push(only.text);
  }
  return out;
}

/** `f OF((int x))` -> `f    (int x) `, across lines too; not on preprocessor lines. */
function blankPassThrough(text: string): string {
  const chars = text.split('');
  for (const m of text.matchAll(/\b[A-Z_][A-Z0-9_]*\s*\(\s*\(/g)) {
    const lineStart = text.lastIndexOf('\n', m.index) + 1;
    if (/^\s*#/.test(text.slice(lineStart, m.index + 1))) continue;
    const open = m.index + m[0].indexOf('(');
    const close = matchingParen(text, open);
    if (close < 0) continue;
    for (let i = m.index; i <= open; i++) chars[i] = ' ';
    chars[close] = ' ';
  }
  return chars.join('');
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return i;
  }
  return -1;
}

/** Applies `f` to each line that is not a preprocessor line (continuations included). */
function mapCodeLines(text: string, f: (line: string) => string): string {
  const lines = text.split('\n');
  let directive = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const isDirective: boolean = directive || /^\s*#/.test(line);
    directive = isDirective && line.endsWith('\\');
    if (!isDirective) lines[i] = f(line);
  }
  return lines.join('\n');
}
