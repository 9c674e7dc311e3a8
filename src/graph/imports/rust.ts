/** Rust `use` trees, expanded to one path per imported item, and where they stand. */
import type Parser from 'tree-sitter';
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

/** In a macro's tokens, the name of `mod name;` given its `mod` token; undefined for other uses of the word. */
export function macroModName(modToken: Parser.SyntaxNode): Parser.SyntaxNode | undefined {
  const name = modToken.nextSibling;
  return name?.type === 'identifier' && name.nextSibling?.type === ';' ? name : undefined;
}

/**
 * Where a `mod` or `use` stands, added to its specs: the inline modules around it (a `use
 * super::*` in `mod tests {}` names the file's own module), and a `mod`'s `#[path]` attribute.
 * `node` is the captured node: a `mod`'s name (in a `mod` item, or in a macro's tokens), or a
 * `use`'s argument.
 */
export function placeRustImports(specs: ImportSpec[], node: Parser.SyntaxNode): void {
  const item = node.parent;
  if (!item) return;
  const scope = inlineModulesAround(item);
  const path = item.type === 'mod_item' ? pathAttribute(item) : item.type === 'token_tree' ? pathTokens(node) : undefined;
  for (const spec of specs) {
    if (scope.length > 0) spec.scope = scope;
    if (path !== undefined) spec.path = path;
  }
}

function inlineModulesAround(item: Parser.SyntaxNode): string[] {
  const names: string[] = [];
  for (let n = item.parent; n; n = n.parent) {
    if (n.type !== 'mod_item') continue;
    const name = n.childForFieldName('name');
    if (name) names.unshift(name.text);
  }
  return names;
}

/** In a macro's tokens, `#[path = "x.rs"] mod name;`: the bracketed tokens before `mod`. */
function pathTokens(name: Parser.SyntaxNode): string | undefined {
  const tokens = name.previousNamedSibling;
  const value = tokens?.type === 'token_tree' && tokens.firstNamedChild?.text === 'path' ? tokens.namedChildren.find((c) => c.type === 'string_literal') : undefined;
  return value?.text.slice(1, -1);
}

/** `#[path = "sys/unix.rs"]` among the attributes right before a `mod` item. */
function pathAttribute(item: Parser.SyntaxNode): string | undefined {
  for (let n = item.previousNamedSibling; n; n = n.previousNamedSibling) {
    if (n.type === 'line_comment' || n.type === 'block_comment') continue;
    if (n.type !== 'attribute_item') return undefined;
    const attr = n.firstNamedChild;
    const value = attr?.childForFieldName('value');
    if (attr?.firstNamedChild?.text === 'path' && value?.type === 'string_literal') return value.text.slice(1, -1);
  }
  return undefined;
}
