/**
 * A code-aware tokenizer for the embedded scorer. Lossless: the tokens concatenate back to the
 * input, so every character of a target is scored. Classes:
 * - identifiers (`[A-Za-z_$]` then also digits; any non-ASCII character counts as a letter),
 * - numbers (a digit, then digits, letters, `_`, and `.` followed by a digit: `0x1F`, `3.14`, `1e9`),
 * - a newline together with the indentation after it (`"\n    "`), so structure is one token,
 * - other runs of spaces and tabs,
 * - operators, longest match first from a fixed list (`===`, `=>`, `?.`, `...`), else one character.
 * String literals and comments are not special: quotes are operators and their contents split by
 * the same rules, which keeps the vocabulary small and shares statistics with code.
 */

const OPERATORS_3 = new Set(['===', '!==', '**=', '...', '<<=', '>>=', '>>>', '&&=', '||=', '??=']);
const OPERATORS_2 = new Set([
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=',
  '&=', '|=', '^=', '<<', '>>', '::', '->', '**', '//', '/*', '*/', ':=', '<-',
]);

/** OPERATOR_STARTS[c] = 1 when a multi-character operator starts with the ASCII character c. */
const OPERATOR_STARTS = new Uint8Array(128);
for (const op of [...OPERATORS_3, ...OPERATORS_2]) OPERATOR_STARTS[op.charCodeAt(0)] = 1;

function isOperatorStart(c: number): boolean {
  return c < 128 && OPERATOR_STARTS[c] === 1;
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 128;
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isBlank(c: number): boolean {
  // space, tab, vertical tab, form feed; newlines are their own class.
  return c === 32 || c === 9 || c === 11 || c === 12;
}

/**
 * Where each token of `text` ends: token k spans [ends[k-1] (or 0), ends[k]). The scorer works on
 * these offsets, so tokens it finds in its vocabulary are never copied out as strings. With `from`,
 * cutting starts there: a token's cut depends only on the text from its start, so from any token
 * boundary the rest comes out as in a cut from 0.
 */
export function tokenEnds(text: string, from = 0): Uint32Array {
  let out = new Uint32Array(Math.max(16, (text.length - from) >>> 2));
  let count = 0;
  const n = text.length;
  let i = from;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (isIdentStart(c)) {
      i++;
      while (i < n && isIdentPart(text.charCodeAt(i))) i++;
    } else if (isDigit(c)) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (isIdentPart(d) || (d === 46 && i + 1 < n && isDigit(text.charCodeAt(i + 1)))) i++;
        else break;
      }
    } else if (c === 10 || c === 13) {
      i += c === 13 && i + 1 < n && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      while (i < n && isBlank(text.charCodeAt(i))) i++;
    } else if (isBlank(c)) {
      i++;
      while (i < n && isBlank(text.charCodeAt(i))) i++;
    } else if (i + 3 <= n && isOperatorStart(c) && OPERATORS_3.has(text.slice(i, i + 3))) i += 3;
    else if (i + 2 <= n && isOperatorStart(c) && OPERATORS_2.has(text.slice(i, i + 2))) i += 2;
    else i++;
    if (count === out.length) {
      const grown = new Uint32Array(out.length * 2);
      grown.set(out);
      out = grown;
    }
    out[count++] = i;
  }
  return out.subarray(0, count);
}

/** Cuts `text` into tokens; `tokens.join('') === text`. */
export function tokenize(text: string): string[] {
  const ends = tokenEnds(text);
  const out = new Array<string>(ends.length);
  let start = 0;
  for (let k = 0; k < ends.length; k++) {
    out[k] = text.slice(start, ends[k]);
    start = ends[k]!;
  }
  return out;
}
