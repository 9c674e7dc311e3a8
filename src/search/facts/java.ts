/**
 * Java: classes, interfaces, enums, records, annotation types, methods and constructors (a chunk
 * may hold a method without its class), fields. The doc is the Javadoc above the declaration
 * (annotations sit inside its modifiers); errors are what it throws and its `throws` clause.
 */
import type Parser from 'tree-sitter';
import { docAboveNode } from './doc.ts';
import type { LanguageReader, ReadContext } from './reader.ts';
import { lastSegment, literalContent, returnShapeOf, withoutGenerics, type ReturnShapes } from './syntax.ts';
import { pushOnce, type DefinitionForm, type ImportBinding, type ReturnShape } from './types.ts';

const TYPES: Readonly<Record<string, DefinitionForm>> = {
  class_declaration: 'class',
  interface_declaration: 'interface',
  enum_declaration: 'enum',
  record_declaration: 'record',
  annotation_type_declaration: 'annotation',
};
const METHODS = new Set(['method_declaration', 'constructor_declaration', 'compact_constructor_declaration']);
const BODIES = new Set(['class_body', 'interface_body', 'enum_body', 'enum_body_declarations', 'annotation_type_body']);

function dotted(node: Parser.SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier' || node.type === 'this' || node.type === 'type_identifier' || node.type === 'super') return node.text;
  if (node.type === 'field_access' || node.type === 'scoped_identifier') {
    const left = dotted(node.childForFieldName('object') ?? node.childForFieldName('scope'));
    const field = node.childForFieldName('field') ?? node.childForFieldName('name');
    if (!left || !field || left.split('.').length >= 3) return undefined;
    return `${left}.${field.text}`;
  }
  return undefined;
}

/** `List<String>` → `List`, `Map.Entry<K, V>` → `Map.Entry`, `int[]` → `int`. */
function typeName(node: Parser.SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  const text = withoutGenerics(node.text).replace(/@\w+\s*/g, '');
  return /^[\w.]+$/.test(text) ? text : undefined;
}

const isPublic = (decl: Parser.SyntaxNode): boolean => decl.namedChildren.some((c) => c.type === 'modifiers' && /(^|\s)public(\s|$)/.test(c.text.replace(/@\w+(\([^)]*\))?/g, ' ')));

function parameterNames(params: Parser.SyntaxNode | null | undefined): string[] {
  const out: string[] = [];
  for (const p of params?.namedChildren ?? []) {
    if (p.type === 'formal_parameter') {
      const name = p.childForFieldName('name');
      if (name) out.push(name.text);
    } else if (p.type === 'spread_parameter') {
      const decl = p.namedChildren.find((c) => c.type === 'variable_declarator');
      const name = decl?.childForFieldName('name');
      if (name) out.push(name.text);
    } else if (p.type === 'identifier') out.push(p.text); // lambda `(a, b) ->`
  }
  return out;
}

const RETURN_SHAPES: ReturnShapes = {
  self: ['this'],
  booleans: ['true', 'false', 'instanceof_expression'],
  literals: ['null_literal', 'string_literal', 'decimal_integer_literal', 'hex_integer_literal', 'decimal_floating_point_literal', 'character_literal'],
  arrays: ['array_creation_expression'],
  negation: true,
  special: (e) => {
    if (e.type === 'object_creation_expression') {
      const ctor = typeName(e.childForFieldName('type'));
      return ctor ? { kind: 'new', ctor } : { kind: 'other' };
    }
    if (e.type === 'method_invocation') {
      const callee = invoked(e);
      return callee ? { kind: 'call', callee } : { kind: 'other' };
    }
    return undefined;
  },
};

const returnShape = (e: Parser.SyntaxNode | undefined): ReturnShape => returnShapeOf(e, RETURN_SHAPES);

function invoked(call: Parser.SyntaxNode): string | undefined {
  const name = call.childForFieldName('name')?.text;
  if (!name) return undefined;
  const object = call.childForFieldName('object');
  if (!object) return name;
  const left = dotted(object);
  return left && left.split('.').length < 3 ? `${left}.${name}` : undefined;
}

function readHead(def: Parser.SyntaxNode, anchor: Parser.SyntaxNode, ctx: ReadContext): Parser.SyntaxNode {
  const f = ctx.facts;
  const doc = docAboveNode(anchor, ctx.text, 'java');
  if (doc) f.definitionDoc = doc;
  const name = def.childForFieldName('name')?.text;
  if (name) f.name = name;
  f.isExported = isPublic(def);
  for (const t of def.childForFieldName('type_parameters')?.namedChildren ?? []) {
    const id = t.namedChildren.find((x) => x.type === 'type_identifier' || x.type === 'identifier');
    if (id) ctx.bind(id.text);
  }
  const form = TYPES[def.type];
  if (form) {
    f.kind = 'class';
    f.form = form;
    const superclass = def.childForFieldName('superclass')?.namedChildren[0];
    const interfaces = def.namedChildren.find((c) => c.type === 'extends_interfaces')?.namedChildren[0]?.namedChildren[0];
    const base = typeName(superclass ?? interfaces);
    if (base) f.extends = lastSegment(base);
    for (const body of [def.childForFieldName('body'), ...(def.childForFieldName('body')?.namedChildren.filter((c) => c.type === 'enum_body_declarations') ?? [])]) {
      for (const m of body?.namedChildren ?? []) {
        const n = m.type === 'method_declaration' ? m.childForFieldName('name')?.text : undefined;
        if (n) pushOnce(f.methods, n, 32);
      }
    }
    if (def.type === 'record_declaration') for (const p of parameterNames(def.childForFieldName('parameters'))) ctx.bind(p);
    return def.childForFieldName('body') ?? def;
  }
  if (METHODS.has(def.type)) {
    f.kind = 'method';
    for (const p of parameterNames(def.childForFieldName('parameters'))) pushOnce(f.params, p, 12);
    const throwsClause = def.namedChildren.find((c) => c.type === 'throws');
    for (const t of throwsClause?.namedChildren ?? []) {
      const error = typeName(t);
      if (error) pushOnce(f.errors, error, 8);
    }
    return def.childForFieldName('body') ?? def;
  }
  // A field (or a local variable in a fragment): its first declarator names it.
  const declarator = def.namedChildren.find((c) => c.type === 'variable_declarator');
  const field = declarator?.childForFieldName('name')?.text;
  if (field) {
    f.name = field;
    f.kind = 'constant';
  }
  return def;
}

/** The node types `visit` reads. */
const VISITED = ['if_statement', 'ternary_expression', 'for_statement', 'while_statement', 'do_statement', 'enhanced_for_statement', 'switch_expression', 'switch_statement', 'switch_label', 'try_statement', 'try_with_resources_statement', 'resource', 'catch_formal_parameter', 'throw_statement', 'return_statement', 'method_invocation', 'object_creation_expression', 'field_access', 'local_variable_declaration', 'lambda_expression', 'instanceof_expression', 'method_declaration', 'constructor_declaration', 'string_literal'];

function visit(n: Parser.SyntaxNode, ctx: ReadContext): void {
  const f = ctx.facts;
  const c = f.control;
  switch (n.type) {
    case 'if_statement':
      c.branches++;
      readCheck(n.childForFieldName('condition'), ctx);
      break;
    case 'ternary_expression':
      c.branches++;
      break;
    case 'for_statement':
    case 'while_statement':
    case 'do_statement':
      c.loops++;
      break;
    case 'enhanced_for_statement': {
      c.loops++;
      const name = n.childForFieldName('name');
      if (name) ctx.declare(name.text);
      const subject = dotted(n.childForFieldName('value'));
      if (subject) pushOnce(f.iterates, subject, 8);
      break;
    }
    case 'switch_expression':
    case 'switch_statement':
      c.switches++;
      break;
    case 'switch_label':
      for (const v of n.namedChildren) if (v.text.length <= 24) pushOnce(f.cases, v.text, 16);
      break;
    case 'try_statement':
    case 'try_with_resources_statement':
      c.tries++;
      break;
    case 'resource': {
      const name = n.childForFieldName('name');
      if (name) ctx.declare(name.text);
      break;
    }
    case 'catch_formal_parameter': {
      const name = n.childForFieldName('name');
      if (name) ctx.bind(name.text);
      break;
    }
    case 'throw_statement': {
      c.throws++;
      const thrown = n.namedChildren[0];
      const error = thrown?.type === 'object_creation_expression' ? typeName(thrown.childForFieldName('type')) : undefined;
      if (error) pushOnce(f.errors, error, 8);
      break;
    }
    case 'return_statement':
      c.returns++;
      if (f.returns.length < 8) f.returns.push(returnShape(n.namedChildren[0]));
      break;
    case 'yield_statement':
      break;
    case 'method_invocation': {
      const callee = invoked(n);
      if (callee) pushOnce(f.calls, callee, 32);
      break;
    }
    case 'object_creation_expression': {
      const ctor = typeName(n.childForFieldName('type'));
      if (ctor) pushOnce(f.constructs, ctor, 16);
      break;
    }
    case 'field_access': {
      const name = dotted(n);
      if (name && name.split('.').length === 2) pushOnce(f.members, name, 48);
      break;
    }
    case 'local_variable_declaration':
      for (const d of n.namedChildren) {
        const name = d.type === 'variable_declarator' ? d.childForFieldName('name') : undefined;
        if (name) ctx.declare(name.text);
      }
      break;
    case 'lambda_expression': {
      const params = n.childForFieldName('parameters');
      if (params?.type === 'identifier') ctx.bind(params.text);
      else for (const p of parameterNames(params)) ctx.bind(p);
      break;
    }
    case 'instanceof_expression': {
      const name = n.childForFieldName('name') ?? n.namedChildren.find((x) => x.type === 'type_pattern' || x.type === 'record_pattern');
      if (name?.type === 'identifier') ctx.bind(name.text);
      else if (name) for (const id of name.namedChildren.filter((x) => x.type === 'identifier')) ctx.bind(id.text);
      break;
    }
    case 'method_declaration':
    case 'constructor_declaration':
      // Inner classes' and anonymous classes' methods: their parameters are the target's too.
      if (n.id !== ctx.def?.id) for (const p of parameterNames(n.childForFieldName('parameters'))) ctx.bind(p);
      break;
    case 'string_literal': {
      const s = literalContent(n, 'string_fragment');
      if (s) pushOnce(f.strings, s, 24);
      return;
    }
    case 'line_comment':
    case 'block_comment':
      return;
  }
}

function readCheck(cond: Parser.SyntaxNode | null, ctx: ReadContext): void {
  const checks = ctx.facts.checks;
  if (!cond || checks.length >= 12) return;
  let c = cond;
  while (c.type === 'parenthesized_expression' && c.namedChildren[0]) c = c.namedChildren[0];
  if (c.type === 'binary_expression') {
    const op = c.children[1]?.type;
    const left = c.childForFieldName('left');
    const right = c.childForFieldName('right');
    if (op === '&&' || op === '||') {
      readCheck(left, ctx);
      readCheck(right, ctx);
    } else if (op === '==' && right?.type === 'null_literal') {
      const subject = dotted(left);
      if (subject) checks.push({ kind: 'missing', subject });
    }
  } else if (c.type === 'instanceof_expression') {
    const subject = dotted(c.childForFieldName('left'));
    const ctor = typeName(c.childForFieldName('right'));
    if (subject && ctor) checks.push({ kind: 'instanceof', subject, ctor });
  }
}

function imports(root: Parser.SyntaxNode): ImportBinding[] {
  const out: ImportBinding[] = [];
  for (const decl of root.namedChildren) {
    if (decl.type !== 'import_declaration' || decl.namedChildren.some((c) => c.type === 'asterisk')) continue;
    const path = decl.namedChildren.find((c) => c.type === 'scoped_identifier' || c.type === 'identifier')?.text.replace(/\s+/g, '');
    if (!path) continue;
    const dot = path.lastIndexOf('.');
    out.push({ name: path.slice(dot + 1), module: dot > 0 ? path.slice(0, dot) : path });
  }
  return out;
}

export const java: LanguageReader = {
  role(n) {
    if (TYPES[n.type] || METHODS.has(n.type)) return 'definition';
    if (n.type === 'field_declaration' || n.type === 'local_variable_declaration' || n.type === 'constant_declaration') return 'fallback';
    return n.type === 'ERROR' || BODIES.has(n.type) ? 'container' : undefined;
  },
  unwrap: (anchor) => anchor,
  readHead,
  visited: VISITED,
  visit,
  imports,
};
