/** Rust `use` trees, expanded to one path per imported item. */
import type { ImportSpec } from '../types.ts';

/** `crate::a::{b::C, d as e, self}` -> `crate::a::b::C`, `crate::a::d`, `crate::a`. */
export function rustUseImports(tree: string, line: number): ImportSpec[] {
  const text = tree
    .replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+as\s+[A-Za-z_]\w*/g, '')
    .replace(/\s+/g, '');
  return expand(text, '').map((specifier) => ({ kind: 'rust-use', specifier, line }));
}

function expand(tree: string, prefix: string): string[] {
  const brace = tree.indexOf('{');
  if (brace < 0) return [join(prefix, tree)];
  const head = tree.slice(0, brace).replace(/::$/, '');
  const inner = tree.slice(brace + 1, matchingBrace(tree, brace));
  const base = join(prefix, head);
  return splitTopLevel(inner).flatMap((item) => (item === 'self' ? [base] : expand(item, base)));
}

function join(prefix: string, path: string): string {
  if (prefix === '') return path;
  if (path === '') return prefix;
  return `${prefix}::${path}`;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return text.length;
}

function splitTopLevel(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < list.length; i++) {
    const ch = list[i];
    if (ch === '{') depth++;
    else if (ch === '}') depth--;
    else if (ch === ',' && depth === 0) {
      out.push(list.slice(start, i));
      start = i + 1;
    }
  }
  out.push(list.slice(start));
  return out.filter((s) => s.length > 0);
}
