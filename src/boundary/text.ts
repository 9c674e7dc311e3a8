/**
 * How the boundary reads text: the tokens a copy is measured in, the names a sentence states, and
 * the identifiers and literals a piece of code holds. One reading for every role, every policy, the
 * search and `retrace stats`, so a text the agents let through is a text the figures count as clean.
 */
import { tokenize } from '../search/score/tokenize.ts';
import type { LanguageId } from '../graph/types.ts';

/**
 * Tokens for copy runs: the code tokenizer's, whitespace left out (re-spacing a copied line does
 * not hide it) and backticks left out (wrapping each slice of the target in a code span does not
 * break the run either).
 */
export function copyTokens(text: string): string[] {
  return copyTokensOf(tokenize(text));
}

/** copyTokens of a text from its `tokenize` tokens (a caller that needs both reads the text once). */
export function copyTokensOf(tokens: readonly string[]): string[] {
  return tokens.filter((t) => t.trim().length > 0 && t !== '`');
}

const IDENT = /^[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*$/;

/** Every identifier token of a piece of code (comments and strings included: their words too). */
export function identifiersOf(code: string): Set<string> {
  return identifiersIn(tokenize(code));
}

/** identifiersOf a text from its `tokenize` tokens. */
export function identifiersIn(tokens: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const t of tokens) if (IDENT.test(t)) out.add(t);
  return out;
}

/**
 * A word of prose that reads as code: camelCase, snake_case, `$`, letters mixed with digits.
 * Plain words ("value", "options", "Error") are prose, whatever the code calls its variables.
 */
function codeShaped(word: string): boolean {
  if (word.length < 2) return false;
  return /[a-z][A-Z]/.test(word) || /[A-Za-z]_|_[A-Za-z]/.test(word) || word.includes('$') || /[A-Za-z]\d|\d[A-Za-z]/.test(word);
}

export interface StatedName {
  name: string;
  /** The first name of the dotted chain it sits in (`Math` for `abs` in `Math.abs`), if any. */
  head?: string;
}

/**
 * The names a piece of prose states: every identifier inside a `code span`, and outside code spans
 * every code-shaped word, every word called like a function (`name(`) and both sides of a dotted
 * name (`a.b`). Each comes with the head of its dotted chain.
 */
export function statedNames(prose: string): StatedName[] {
  const out: StatedName[] = [];
  const parts = prose.split('`');
  parts.forEach((part, i) => {
    const inCode = i % 2 === 1 && i < parts.length - 1;
    const tokens = tokenize(part);
    let head: string | undefined;
    tokens.forEach((t, k) => {
      if (!IDENT.test(t)) {
        if (t !== '.' && t !== '::' && t !== '->' && t !== '?.') head = undefined;
        return;
      }
      const prev = tokens[k - 1];
      const chained = head !== undefined && (prev === '.' || prev === '::' || prev === '->' || prev === '?.');
      if (!chained) head = t;
      const next = tokens[k + 1];
      const dotted = (next === '.' && IDENT.test(tokens[k + 2] ?? '')) || chained;
      if (inCode || codeShaped(t) || next === '(' || dotted) out.push(chained ? { name: t, head: head! } : { name: t });
    });
  });
  return out;
}

/** The names a piece of prose states (statedNames without their chains). */
export function namesIn(prose: string): string[] {
  return statedNames(prose).map((s) => s.name);
}

export interface CodeLiterals {
  /** String literals' contents (trimmed), 3 characters or more. */
  strings: string[];
  /** Number literals of 3 characters or more (`100`, `0x1F`, `3.14`): small numbers say little. */
  numbers: string[];
}

const MIN_LITERAL = 3;

/** Where comments start, per language family. */
function lineComment(language: LanguageId | null): string[] {
  if (language === 'python') return ['#'];
  if (language === null) return [];
  return ['//'];
}

/**
 * The string and number literals of a piece of code, from a small scanner that knows comments,
 * quotes and escapes of the seven languages well enough to find literals (it is not a parser:
 * what it misreads is at worst an extra "literal" the reasoning must not quote).
 */
export function literalsOf(code: string, language: LanguageId | null): CodeLiterals {
  const strings = new Set<string>();
  const numbers = new Set<string>();
  const comments = lineComment(language);
  const blockComments = language !== 'python' && language !== null;
  // In the C family (not JS) a single quote opens a character literal, or a Rust lifetime.
  const singleQuoteStrings = language === null || language === 'python' || language === 'javascript' || language === 'typescript' || language === 'tsx';
  const n = code.length;
  let i = 0;
  let codeStart = 0;
  const flushCode = (end: number) => {
    if (end <= codeStart) return;
    for (const t of tokenize(code.slice(codeStart, end))) if (/^\d/.test(t) && t.length >= MIN_LITERAL) numbers.add(t);
  };
  const addString = (s: string) => {
    const t = s.trim();
    if (t.length >= MIN_LITERAL) strings.add(t);
  };
  while (i < n) {
    const c = code[i]!;
    if (comments.some((m) => code.startsWith(m, i))) {
      flushCode(i);
      const end = code.indexOf('\n', i);
      i = end < 0 ? n : end;
      codeStart = i;
      continue;
    }
    if (blockComments && code.startsWith('/*', i)) {
      flushCode(i);
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      codeStart = i;
      continue;
    }
    if (language === 'python' && (code.startsWith('"""', i) || code.startsWith("'''", i))) {
      flushCode(i);
      const q = code.slice(i, i + 3);
      const end = code.indexOf(q, i + 3);
      addString(code.slice(i + 3, end < 0 ? n : end));
      i = end < 0 ? n : end + 3;
      codeStart = i;
      continue;
    }
    if (language === 'rust' && /^r#*"/.test(code.slice(i, i + 8)) && !/[\w$]/.test(code[i - 1] ?? '')) {
      flushCode(i);
      const hashes = /^r(#*)"/.exec(code.slice(i, i + 8))![1]!;
      const close = `"${hashes}`;
      const start = i + 2 + hashes.length;
      const end = code.indexOf(close, start);
      addString(code.slice(start, end < 0 ? n : end));
      i = end < 0 ? n : end + close.length;
      codeStart = i;
      continue;
    }
    if (c === '"' || c === '`' || (c === "'" && singleQuoteStrings)) {
      flushCode(i);
      // Go's and JS's backquoted strings span lines; other strings end at their line.
      const multiline = c === '`';
      let j = i + 1;
      while (j < n && code[j] !== c && (multiline || code[j] !== '\n')) j += code[j] === '\\' ? 2 : 1;
      addString(code.slice(i + 1, Math.min(j, n)));
      i = Math.min(j + 1, n);
      codeStart = i;
      continue;
    }
    if (c === "'" && !singleQuoteStrings) {
      // A character literal ('a', '\n', '\u{1F600}') or a lifetime ('a): skip what it holds.
      const m = /^'(\\u\{[0-9a-fA-F]+\}|\\.|[^'\\\n])'/.exec(code.slice(i, i + 12));
      if (m) {
        flushCode(i);
        i += m[0].length;
        codeStart = i;
        continue;
      }
    }
    i++;
  }
  flushCode(n);
  return { strings: [...strings], numbers: [...numbers] };
}

/** Whether `prose` quotes the string literal `literal`: a one-word literal only in quotes or a code span. */
export function quotesString(prose: string, literal: string): boolean {
  if (/^[\w$]+$/.test(literal)) {
    for (const [open, close] of [['`', '`'], ["'", "'"], ['"', '"']] as const) {
      if (prose.includes(`${open}${literal}${close}`)) return true;
    }
    return false;
  }
  return prose.includes(literal);
}
