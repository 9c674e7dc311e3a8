/**
 * The lexical reading, for when no tree is to be had (the parser failed): the head of the
 * definition gives its kind, name, parameters and base class; keywords give the control flow;
 * `name(` gives the calls and `raise X` / `throw new X` the errors. Approximate, never invented:
 * every name recorded is a token of the target. Also `lexicalImports`, the line-by-line import
 * reader the structural one replaced (kept for callers that have no grammar at hand).
 */
import type { LanguageId } from '../../graph/mod.ts';
import { isKeyword } from '../../boundary/lexicon.ts';
import { tokenize } from '../score/mod.ts';
import { pushOnce, type ImportBinding, type TargetFacts } from './types.ts';

/** Keywords that open a definition, by the word that follows them: its name. */
const DEFINING = new Set(['def', 'class', 'func', 'fn', 'function', 'struct', 'interface', 'enum', 'trait', 'impl', 'type', 'record']);
const MODIFIERS = /^\s*(?:@[\w.]+(?:\([^)]*\))?\s*)*(?:(?:export|pub(?:\([^)]*\))?|public|private|protected|static|final|abstract|async|unsafe|const|extern|inline|virtual|override|synchronized|default|sealed)\s+)*/;

/** Code with its comments and string literals blanked out (same length), for a lexical reading. */
export function codeOnly(text: string, language: LanguageId): string {
  const hash = language === 'python';
  const chars = [...text];
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to && k < chars.length; k++) if (chars[k] !== '\n') chars[k] = ' ';
  };
  let i = 0;
  while (i < chars.length) {
    const c = chars[i]!;
    const two = c + (chars[i + 1] ?? '');
    if ((hash && c === '#') || (!hash && two === '//')) {
      let j = i;
      while (j < chars.length && chars[j] !== '\n') j++;
      blank(i, j);
      i = j;
    } else if (!hash && two === '/*') {
      let j = i + 2;
      while (j < chars.length && !(chars[j] === '*' && chars[j + 1] === '/')) j++;
      blank(i, j + 2);
      i = j + 2;
    } else if (hash && (two + (chars[i + 2] ?? '') === '"""' || two + (chars[i + 2] ?? '') === "'''")) {
      const q = c;
      let j = i + 3;
      while (j < chars.length && !(chars[j] === q && chars[j + 1] === q && chars[j + 2] === q)) j++;
      blank(i, j + 3);
      i = j + 3;
    } else if (c === '"' || (c === "'" && (hash || language === 'javascript')) || c === '`') {
      let j = i + 1;
      while (j < chars.length && chars[j] !== c && (c === '`' || chars[j] !== '\n')) j += chars[j] === '\\' ? 2 : 1;
      blank(i, j + 1);
      i = j + 1;
    } else i++;
  }
  return chars.join('');
}

/** The text inside the first balanced pair of parentheses after `from`, or undefined. */
function parenthesised(tokens: readonly string[], from: number): string[] | undefined {
  const open = tokens.indexOf('(', from);
  if (open < 0) return undefined;
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    if (tokens[k] === '(') depth++;
    else if (tokens[k] === ')' && --depth === 0) return tokens.slice(open + 1, k);
  }
  return undefined;
}

/** Top-level comma-separated parts of a parameter list, each trimmed of blanks. */
function splitParams(tokens: readonly string[]): string[][] {
  const parts: string[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t === '(' || t === '[' || t === '{' || t === '<') depth++;
    else if (t === ')' || t === ']' || t === '}' || t === '>') depth--;
    if (t === ',' && depth === 0) parts.push([]);
    else if (t.trim().length > 0) parts[parts.length - 1]!.push(t);
  }
  return parts.filter((p) => p.length > 0);
}

/**
 * Facts for languages without a structural reader here (Python, Go, Rust, Java, C): the head of
 * the definition gives its kind, name, parameters and base class; keywords give the control flow;
 * `name(` gives the calls and `raise X` / `throw new X` the errors. Approximate, never invented:
 * every name recorded is a token of the target.
 */
/** Lines before a definition that are not it: imports, includes, package clauses. */
const PREAMBLE = /^\s*(import\b|from\s+\S+\s+import\b|#\s*include\b|package\b|use\s|extern\s+crate\b|mod\s+\w+\s*;|@[\w.]+)/;

export function readLexically(target: string, language: LanguageId, facts: TargetFacts): void {
  // A chunk holds what precedes its definition too (imports, comments): the head starts after them.
  const code = codeOnly(target, language)
    .split('\n')
    .map((l) => (PREAMBLE.test(l) ? ' '.repeat(l.length) : l))
    .join('\n');
  const tokens = tokenize(code);
  const words = tokens.map((t, i) => ({ t, i })).filter(({ t }) => t.trim().length > 0);
  const head = code.replace(MODIFIERS, '');
  facts.isAsync = /^\s*(?:@[\w.]+(?:\([^)]*\))?\s*)*(?:\w+\s+)*async\b/.test(code.slice(0, 200));
  // The defining keyword opens the head: it comes before any `(`, `=`, `:` or `{`.
  const limit = words.findIndex(({ t }) => t === '(' || t === '=' || t === ':' || t === '{');
  const defining = words.slice(0, limit < 0 ? words.length : limit).find(({ t }) => DEFINING.has(t));
  const firstWord = /^\s*([A-Za-z_$][\w$]*)/.exec(head)?.[1];
  if (defining) {
    // Go's methods put the receiver first: `func (r *T) Name(...)`.
    const receiver = defining.t === 'func' && tokens.slice(defining.i + 1).find((t) => t.trim().length > 0) === '(';
    let after = defining.i;
    if (receiver) {
      let depth = 0;
      for (let k = defining.i + 1; k < tokens.length; k++) {
        if (tokens[k] === '(') depth++;
        else if (tokens[k] === ')' && --depth === 0) {
          after = k;
          break;
        }
      }
    }
    const nameTok = words.find(({ i, t }) => i > after && /^[A-Za-z_$][\w$]*$/.test(t));
    if (nameTok) facts.name = nameTok.t;
    facts.kind = defining.t === 'class' || defining.t === 'struct' || defining.t === 'record' ? 'class' : ['def', 'func', 'fn', 'function'].includes(defining.t) ? 'function' : 'other';
    if (facts.kind === 'function' && nameTok) {
      const params = parenthesised(tokens, nameTok.i) ?? [];
      for (const p of splitParams(params)) {
        const ident = p.filter((t) => /^[A-Za-z_$][\w$]*$/.test(t));
        // Python and Rust write the name first; C, Java and Go... Go writes it first too.
        const name = language === 'java' || language === 'c' || language === 'cpp' ? ident[ident.length - 1] : ident[0];
        if (name && !['self', 'cls', 'mut'].includes(name)) pushOnce(facts.params, name, 12);
      }
    }
    if (facts.kind === 'class' && nameTok) {
      const ext = words.findIndex(({ t }) => t === 'extends');
      if (ext >= 0 && words[ext + 1]) facts.extends = words[ext + 1]!.t;
      else if (language === 'python') {
        const bases = parenthesised(tokens, nameTok.i);
        const first = bases ? splitParams(bases)[0] : undefined;
        if (first && !first.includes('=') && first[0] !== 'object') facts.extends = first.join('');
      }
    }
  } else {
    // C, C++ and Java declare functions as `type name(...)`: the first call-shaped word before any
    // `=`, `;` or `{` names the function.
    const end = words.findIndex(({ t }) => t === '=' || t === ';' || t === '{');
    const call = words.findIndex(({ t }, k) => (end < 0 || k < end) && words[k + 1]?.t === '(' && /^[A-Za-z_$][\w$]*$/.test(t) && !isKeyword(language, t));
    if (call >= 0) {
      facts.name = words[call]!.t;
      facts.kind = 'function';
      for (const p of splitParams(parenthesised(tokens, words[call]!.i) ?? [])) {
        const ident = p.filter((t) => /^[A-Za-z_$][\w$]*$/.test(t));
        if (ident.length > 0 && ident[ident.length - 1] !== 'void') pushOnce(facts.params, ident[ident.length - 1]!, 12);
      }
    } else {
      // A constant: the first name at the start of a line that is assigned (`NAME = ...`).
      const assigned = /^([A-Za-z_$][\w$]*)\s*(?::[^=\n]*)?=(?!=)/m.exec(code)?.[1];
      const name = assigned ?? (firstWord && !isKeyword(language, firstWord) ? firstWord : undefined);
      if (name) {
        facts.name = name;
        facts.kind = 'constant';
      }
    }
  }
  for (const p of facts.params) pushOnce(facts.bound, p, 256);
  const c = facts.control;
  words.forEach(({ t, i }, k) => {
    readBinding(words, k, language, facts);
    const prev = words[k - 1]?.t;
    const next = words[k + 1]?.t;
    if (t === 'if' && prev !== 'else') c.branches++;
    else if (t === 'elif' || t === 'case' || (t === 'else' && next === 'if')) c.branches++;
    else if (t === 'for' || t === 'while' || t === 'loop') c.loops++;
    else if (t === 'switch' || t === 'match') c.switches++;
    else if (t === 'try') c.tries++;
    else if (t === 'raise' || t === 'throw' || t === 'panic') {
      c.throws++;
      const err = words.slice(k + 1, k + 3).find((w) => w.t !== 'new' && /^[A-Z][\w$]*$/.test(w.t));
      if (err) pushOnce(facts.errors, err.t, 8);
    } else if (t === 'await' || (t === '.' && next === 'await')) c.awaits++;
    else if (t === 'return') c.returns++;
    else if (t === 'yield') c.yields++;
    if (next === '(' && /^[A-Za-z_$][\w$]*$/.test(t) && !isKeyword(language, t) && t !== facts.name && (prev === undefined || !DEFINING.has(prev))) {
      // `a.b(` is the call `a.b` (one level: deeper chains say more than they help).
      const callee = prev === '.' && /^[A-Za-z_$][\w$]*$/.test(words[k - 2]?.t ?? '') ? `${words[k - 2]!.t}.${t}` : t;
      if (prev !== '.' || callee.includes('.')) pushOnce(facts.calls, callee, 32);
    }
  });
}

const IDENT_TOKEN = /^[A-Za-z_$][\w$]*$/;

/** Names a statement binds, read off the tokens around `k`: `x =`, `for a, b in`, `as e`, an inner `def f(a, b)`. */
function readBinding(words: ReadonlyArray<{ t: string; i: number }>, k: number, language: LanguageId, facts: TargetFacts): void {
  const t = words[k]!.t;
  const next = words[k + 1]?.t;
  const prev = words[k - 1]?.t;
  const bind = (name: string | undefined): void => {
    if (name && IDENT_TOKEN.test(name) && !isKeyword(language, name) && name !== facts.name) pushOnce(facts.bound, name, 256);
  };
  if (IDENT_TOKEN.test(t) && (next === '=' || next === ':=' || next === '+=' || next === '-=') && prev !== '.') bind(t);
  if (IDENT_TOKEN.test(t) && next === ',' && language === 'python') {
    // `a, b = ...`: a tuple target, up to the `=` on the same statement.
    let j = k;
    while (words[j + 1]?.t === ',' && IDENT_TOKEN.test(words[j + 2]?.t ?? '')) j += 2;
    if (words[j + 1]?.t === '=') for (let m = k; m <= j; m += 2) bind(words[m]!.t);
  }
  if (t === 'as' || t === 'let' || t === 'var' || (t === 'mut' && prev === 'let')) bind(next);
  if (t === 'for') {
    for (let j = k + 1; j < words.length && j < k + 8; j++) {
      const w = words[j]!.t;
      if (w === 'in' || w === ':' || w === ';' || w === '{') break;
      if (IDENT_TOKEN.test(w) && words[j + 1]?.t !== '.') bind(w);
    }
  }
  if ((t === 'def' || t === 'fn' || t === 'func' || t === 'lambda') && k > 0) {
    bind(next);
    for (let j = k + 1; j < words.length && j < k + 40; j++) {
      const w = words[j]!.t;
      if (w === ')' || w === ':') break;
      if (IDENT_TOKEN.test(w) && (words[j - 1]?.t === '(' || words[j - 1]?.t === ',' || words[j - 1]?.t === '*' || words[j - 1]?.t === '**')) bind(w);
    }
  }
}

/**
 * Import bindings of a file in the languages without a structural reader here, read line by line:
 * Python's `import a.b as c` and `from m import x, y as z`, Java's `import a.b.C;`, Go's quoted
 * paths (the package is the last element), Rust's `use a::b::{C, D}`.
 */
export function lexicalImports(text: string, language: LanguageId): ImportBinding[] {
  const out: ImportBinding[] = [];
  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if (language === 'python') {
      if ((m = /^\s*import\s+([\w., ]+?)\s*(?:#.*)?$/.exec(line))) {
        for (const part of m[1]!.split(',')) {
          const [mod, alias] = part.trim().split(/\s+as\s+/);
          if (mod) out.push({ name: alias ?? mod.split('.')[0]!, module: mod });
        }
      } else if ((m = /^\s*from\s+([\w.]+)\s+import\s+\(?([\w, ]+?)\)?\s*(?:#.*)?$/.exec(line))) {
        for (const part of m[2]!.split(',')) {
          const [name, alias] = part.trim().split(/\s+as\s+/);
          if (name) out.push({ name: alias ?? name, module: m[1]! });
        }
      }
    } else if (language === 'java' && (m = /^\s*import\s+(?:static\s+)?([\w.]+)\.(\w+)\s*;/.exec(line))) {
      if (m[2] !== '*') out.push({ name: m[2]!, module: m[1]! });
    } else if (language === 'go' && (m = /^\s*(?:import\s+)?(\w+\s+)?"([^"]+)"\s*$/.exec(line))) {
      out.push({ name: m[1]?.trim() || m[2]!.split('/').pop()!, module: m[2]! });
    } else if (language === 'rust' && (m = /^\s*(?:pub\s+)?use\s+([\w:]+?)(?:::\{([\w, ]+)\}|::(\w+))?\s*;/.exec(line))) {
      const names = m[2] ? m[2].split(',').map((x) => x.trim()) : [m[3] ?? m[1]!.split('::').pop()!];
      for (const n of names) if (n && n !== 'self') out.push({ name: n, module: m[1]! });
    }
  }
  return out;
}

