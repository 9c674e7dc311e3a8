/**
 * Rust: functions, impl blocks (named by the type they implement, `extends` the trait), structs,
 * enums, unions, traits, modules, type aliases, macros, constants and statics. Doc comments are
 * `///` lines and block doc comments above the item (through its attributes) and, for a module,
 * the `//!` lines that open its body. `Err(..)` payloads are its errors; `panic!` and friends its
 * throws.
 */
import type Parser from 'tree-sitter';
import { commentDoc, docAboveNode } from './doc.ts';
import type { LanguageReader, ReadContext } from './reader.ts';
import { lastSegment, literalContent, returnShapeOf, withoutGenerics, type ReturnShapes } from './syntax.ts';
import { pushOnce, type DefinitionForm, type ImportBinding, type ReturnShape } from './types.ts';

const ITEMS: Readonly<Record<string, DefinitionForm | 'function' | 'constant'>> = {
  function_item: 'function',
  function_signature_item: 'function',
  impl_item: 'impl',
  struct_item: 'struct',
  enum_item: 'enum',
  union_item: 'union',
  trait_item: 'trait',
  mod_item: 'module',
  type_item: 'type',
  macro_definition: 'macro',
  const_item: 'constant',
  static_item: 'constant',
};
const ATTRIBUTES = new Set(['attribute_item', 'inner_attribute_item']);
const PANICS = new Set(['panic', 'unreachable', 'unimplemented', 'todo']);
/** Prelude variants: building one is no call and no construction worth saying. */
const VARIANTS = new Set(['Some', 'None', 'Ok', 'Err']);

/** `f`, `self.f`, `a.b.c`, `A::b`, `a::b::c`; undefined for anything more complex. */
function callee(node: Parser.SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'identifier':
    case 'self':
    case 'field_identifier':
      return node.text;
    case 'field_expression': {
      const left = callee(node.childForFieldName('value'));
      const field = node.childForFieldName('field');
      if (!left || !field || left.includes('::') || left.split('.').length >= 3) return undefined;
      return `${left}.${field.text}`;
    }
    case 'scoped_identifier': {
      const text = node.text.replace(/\s+/g, '');
      return /^[\w:]+$/.test(text) && text.split('::').length <= 3 ? text : undefined;
    }
    case 'generic_function':
      return callee(node.childForFieldName('function'));
    default:
      return undefined;
  }
}

/** The type an impl or literal names: `Wrapper<T>` → `Wrapper`, `fmt::Display` → `Display`, `&'a T` → `T`. */
function typeName(node: Parser.SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'type_identifier':
    case 'primitive_type':
    case 'identifier':
      return node.text;
    case 'scoped_type_identifier':
    case 'scoped_identifier':
      return node.childForFieldName('name')?.text;
    case 'generic_type':
      return typeName(node.childForFieldName('type'));
    case 'reference_type':
    case 'pointer_type':
      return typeName(node.childForFieldName('type'));
    default: {
      const text = withoutGenerics(node.text);
      return /^[\w:]+$/.test(text) ? lastSegment(text) : undefined;
    }
  }
}

/** Names a pattern binds: identifiers that are not paths, variants or constants. */
function patternNames(node: Parser.SyntaxNode | null | undefined, out: string[] = []): string[] {
  if (!node || out.length > 64) return out;
  switch (node.type) {
    case 'identifier':
      if (/^[a-z_]/.test(node.text) && node.text !== '_') out.push(node.text);
      return out;
    case 'shorthand_field_identifier':
      out.push(node.text);
      return out;
    case 'scoped_identifier':
    case 'type_identifier':
    case 'scoped_type_identifier':
    case 'generic_type':
      return out;
    case 'tuple_struct_pattern':
    case 'struct_pattern':
      for (const c of node.namedChildren) if (c.id !== node.childForFieldName('type')?.id) patternNames(c, out);
      return out;
    case 'field_pattern': {
      const pattern = node.childForFieldName('pattern');
      if (pattern) patternNames(pattern, out);
      else for (const c of node.namedChildren) patternNames(c, out);
      return out;
    }
    default:
      for (const c of node.namedChildren) patternNames(c, out);
      return out;
  }
}

function parameterNames(params: Parser.SyntaxNode | null | undefined): string[] {
  const out: string[] = [];
  for (const p of params?.namedChildren ?? []) {
    if (p.type === 'parameter') patternNames(p.childForFieldName('pattern'), out);
    else if (p.type === 'identifier') out.push(p.text); // closure parameters
    else if (p.type !== 'self_parameter' && p.type !== 'attribute_item' && !p.type.endsWith('_type')) patternNames(p, out);
  }
  return out;
}

const isPub = (item: Parser.SyntaxNode): boolean => item.namedChildren.some((c) => c.type === 'visibility_modifier' && c.text === 'pub');

const RETURN_SHAPES: ReturnShapes = {
  self: ['self'],
  booleans: ['boolean_literal'],
  literals: ['integer_literal', 'float_literal', 'string_literal', 'char_literal', 'unit_expression'],
  arrays: ['array_expression'],
  special: (e) => {
    if (e.type === 'struct_expression') {
      const name = typeName(e.childForFieldName('name'));
      return name && name !== 'Self' ? { kind: 'new', ctor: name } : { kind: 'other' };
    }
    if (e.type === 'call_expression') {
      const name = callee(e.childForFieldName('function'));
      return name && !VARIANTS.has(name) ? { kind: 'call', callee: name } : { kind: 'other' };
    }
    return undefined;
  },
};

const returnShape = (e: Parser.SyntaxNode | undefined): ReturnShape => returnShapeOf(e, RETURN_SHAPES);

/** The `//!` lines that open a module's body: its doc. */
function innerDoc(body: Parser.SyntaxNode | null | undefined): string | undefined {
  const lines: string[] = [];
  for (const c of body?.namedChildren ?? []) {
    if (!/comment/.test(c.type) || !/^(\/\/!|\/\*!)/.test(c.text)) break;
    lines.push(c.text.trimEnd());
  }
  return lines.length > 0 ? commentDoc(lines.join('\n'), 'rust') : undefined;
}

function readHead(def: Parser.SyntaxNode, anchor: Parser.SyntaxNode, ctx: ReadContext): Parser.SyntaxNode {
  const f = ctx.facts;
  const doc = docAboveNode(anchor, ctx.text, 'rust', (n) => ATTRIBUTES.has(n.type)) ?? (def.type === 'mod_item' ? innerDoc(def.childForFieldName('body')) : undefined);
  if (doc) f.definitionDoc = doc;
  const form = ITEMS[def.type];
  f.isExported = isPub(def);
  for (const t of def.childForFieldName('type_parameters')?.namedChildren ?? []) {
    const name = t.childForFieldName('name') ?? t.namedChildren.find((x) => x.type === 'type_identifier');
    if (name) ctx.bind(name.text);
  }
  if (form === 'function') {
    const name = def.childForFieldName('name')?.text;
    if (name) f.name = name;
    const params = def.childForFieldName('parameters');
    f.kind = params?.namedChildren.some((p) => p.type === 'self_parameter') ? 'method' : 'function';
    for (const p of parameterNames(params)) pushOnce(f.params, p, 12);
    f.isAsync = def.namedChildren.some((c) => c.type === 'function_modifiers' && /\basync\b/.test(c.text));
    return def.childForFieldName('body') ?? def;
  }
  if (form === 'impl') {
    f.kind = 'class';
    f.form = 'impl';
    const name = typeName(def.childForFieldName('type'));
    if (name) {
      f.name = name;
      f.owner = name;
    }
    const trait = typeName(def.childForFieldName('trait'));
    if (trait) f.extends = trait;
    const body = def.childForFieldName('body');
    for (const m of body?.namedChildren ?? []) {
      if (m.type !== 'function_item' && m.type !== 'function_signature_item') continue;
      const n = m.childForFieldName('name')?.text;
      if (n) pushOnce(f.methods, n, 32);
      if (isPub(m)) f.isExported = true;
    }
    return def;
  }
  const name = def.childForFieldName('name');
  if (name) f.name = name.text;
  if (form === 'constant') f.kind = 'constant';
  else if (form === 'struct' || form === 'enum' || form === 'union' || form === 'trait') {
    f.kind = 'class';
    f.form = form;
    if (form === 'trait') {
      const bound = def.childForFieldName('bounds')?.namedChildren[0];
      const base = typeName(bound);
      if (base) f.extends = base;
      for (const m of def.childForFieldName('body')?.namedChildren ?? []) {
        const n = m.type === 'function_item' || m.type === 'function_signature_item' ? m.childForFieldName('name')?.text : undefined;
        if (n) pushOnce(f.methods, n, 32);
      }
    }
  } else if (form) {
    f.kind = 'other';
    f.form = form;
  }
  return def;
}

/** The node types `visit` reads. */
const VISITED = ['if_expression', 'let_condition', 'for_expression', 'while_expression', 'loop_expression', 'match_expression', 'match_arm', 'return_expression', 'await_expression', 'macro_invocation', 'call_expression', 'struct_expression', 'field_expression', 'let_declaration', 'closure_expression', 'function_item', 'string_literal'];

function visit(n: Parser.SyntaxNode, ctx: ReadContext): void {
  const f = ctx.facts;
  const c = f.control;
  switch (n.type) {
    case 'if_expression':
      c.branches++;
      break;
    case 'let_condition':
      for (const name of patternNames(n.childForFieldName('pattern'))) ctx.declare(name);
      break;
    case 'for_expression': {
      c.loops++;
      for (const name of patternNames(n.childForFieldName('pattern'))) ctx.declare(name);
      const subject = callee(n.childForFieldName('value'));
      if (subject) pushOnce(f.iterates, subject, 8);
      break;
    }
    case 'while_expression':
    case 'loop_expression':
      c.loops++;
      break;
    case 'match_expression':
      c.switches++;
      break;
    case 'match_arm': {
      const pattern = n.childForFieldName('pattern');
      if (pattern && pattern.text.length <= 24) pushOnce(f.cases, pattern.text, 16);
      for (const name of patternNames(pattern)) ctx.bind(name);
      break;
    }
    case 'return_expression':
      c.returns++;
      if (f.returns.length < 8) f.returns.push(returnShape(n.namedChildren[0]));
      break;
    case 'await_expression':
      c.awaits++;
      break;
    case 'macro_invocation': {
      const name = n.childForFieldName('macro')?.text;
      if (name && PANICS.has(name)) c.throws++;
      return;
    }
    case 'call_expression': {
      const fn = n.childForFieldName('function');
      const name = callee(fn);
      if (!name) break;
      if (name === 'Err') {
        const payload = n.childForFieldName('arguments')?.namedChildren[0];
        const error = errorKind(payload);
        if (error) pushOnce(f.errors, error, 8);
      }
      if (VARIANTS.has(name)) break;
      if (/^[A-Z]/.test(name) && !name.includes('::') && !name.includes('.')) {
        pushOnce(f.constructs, name, 16); // a tuple struct: `Wrapper(x)`
        break;
      }
      pushOnce(f.calls, name, 32);
      const segments = name.split('::');
      const ctor = segments.length >= 2 ? segments[segments.length - 2]! : undefined;
      if (ctor && /^[A-Z]/.test(ctor) && ctor !== 'Self' && /^(new|with_|from_|default$)/.test(segments[segments.length - 1]!)) pushOnce(f.constructs, ctor, 16);
      break;
    }
    case 'struct_expression': {
      const name = typeName(n.childForFieldName('name'));
      if (name && name !== 'Self') pushOnce(f.constructs, name, 16);
      break;
    }
    case 'field_expression': {
      const name = callee(n);
      if (name && name.split('.').length === 2 && n.parent?.type !== 'call_expression') pushOnce(f.members, name, 48);
      break;
    }
    case 'let_declaration':
      for (const name of patternNames(n.childForFieldName('pattern'))) ctx.declare(name);
      break;
    case 'closure_expression':
      for (const name of parameterNames(n.childForFieldName('parameters'))) ctx.bind(name);
      break;
    case 'function_item':
      if (n.id !== ctx.def?.id) {
        const name = n.childForFieldName('name');
        if (name) ctx.declare(name.text);
        for (const p of parameterNames(n.childForFieldName('parameters'))) ctx.bind(p);
      }
      break;
    case 'string_literal': {
      const s = literalContent(n, 'string_content');
      if (s) pushOnce(f.strings, s, 24);
      return;
    }
    case 'line_comment':
    case 'block_comment':
    case 'attribute_item':
      return;
  }
}

/** What an `Err(..)` carries: `Kind::Variant`, the type of `Error::new(..)` or `Error { .. }`. */
function errorKind(payload: Parser.SyntaxNode | undefined): string | undefined {
  if (!payload) return undefined;
  if (payload.type === 'scoped_identifier') return callee(payload);
  if (payload.type === 'struct_expression') return typeName(payload.childForFieldName('name'));
  if (payload.type === 'call_expression') {
    const name = callee(payload.childForFieldName('function'));
    if (!name) return undefined;
    const segments = name.split('::');
    if (segments.length >= 2 && /^[A-Z]/.test(segments[segments.length - 2]!)) {
      // `Error::new(..)` is an `Error`; `Error::Parse(..)` a variant of it.
      return /^[A-Z]/.test(segments[segments.length - 1]!) ? name : segments[segments.length - 2];
    }
    return /^[A-Z]/.test(name) ? name : undefined;
  }
  return undefined;
}

/** The names a `use` tree binds. */
function useNames(node: Parser.SyntaxNode | null | undefined, prefix: string, out: ImportBinding[]): void {
  if (!node) return;
  switch (node.type) {
    case 'identifier':
    case 'crate':
    case 'super':
      if (node.text !== 'self') out.push({ name: node.text, module: prefix || node.text });
      break;
    case 'self':
      if (prefix) out.push({ name: prefix.split('::').pop()!, module: prefix });
      break;
    case 'scoped_identifier': {
      const path = node.childForFieldName('path')?.text.replace(/\s+/g, '') ?? '';
      const name = node.childForFieldName('name');
      const full = prefix && path ? `${prefix}::${path}` : prefix || path;
      if (name?.type === 'self') out.push({ name: full.split('::').pop()!, module: full });
      else if (name) out.push({ name: name.text, module: full });
      break;
    }
    case 'use_as_clause': {
      const path = node.childForFieldName('path')?.text.replace(/\s+/g, '') ?? '';
      const alias = node.childForFieldName('alias');
      if (alias && alias.text !== '_') out.push({ name: alias.text, module: prefix ? `${prefix}::${path}` : path });
      break;
    }
    case 'scoped_use_list': {
      const path = node.childForFieldName('path')?.text.replace(/\s+/g, '') ?? '';
      useNames(node.childForFieldName('list'), prefix && path ? `${prefix}::${path}` : prefix || path, out);
      break;
    }
    case 'use_list':
      for (const c of node.namedChildren) useNames(c, prefix, out);
      break;
  }
}

function imports(root: Parser.SyntaxNode): ImportBinding[] {
  const out: ImportBinding[] = [];
  for (const item of root.namedChildren) {
    if (item.type === 'use_declaration') useNames(item.childForFieldName('argument'), '', out);
    else if (item.type === 'extern_crate_declaration') {
      const alias = item.childForFieldName('alias') ?? item.childForFieldName('name');
      if (alias) out.push({ name: alias.text, module: item.childForFieldName('name')?.text ?? alias.text });
    }
  }
  return out;
}

export const rust: LanguageReader = {
  role(n) {
    const form = ITEMS[n.type];
    if (form === 'constant') return 'fallback';
    if (form) return 'definition';
    return n.type === 'ERROR' || n.type === 'foreign_mod_item' || n.type === 'declaration_list' ? 'container' : undefined;
  },
  unwrap: (anchor) => anchor,
  readHead,
  visited: VISITED,
  visit,
  imports,
};

