/**
 * C and C++: function definitions and prototypes, structs, unions, enums, classes, typedefs and
 * aliases, globals; namespaces, `extern "C"` blocks, templates and preprocessor conditionals are
 * looked into, `#include` lines passed over; a `#define` names a fragment that defines nothing
 * else. The doc is the comment block right above the declaration (a comment after code on its
 * line belongs to that line).
 */
import type Parser from 'tree-sitter';
import { docAboveNode } from './doc.ts';
import type { LanguageReader, ReadContext } from './reader.ts';
import { lastSegment, literalContent, returnShapeOf, withoutGenerics, type ReturnShapes } from './syntax.ts';
import { pushOnce, type DefinitionForm, type ImportBinding, type ReturnShape } from './types.ts';

const CONTAINERS = new Set(['preproc_ifdef', 'preproc_if', 'preproc_else', 'preproc_elif', 'preproc_elifdef', 'linkage_specification', 'declaration_list', 'namespace_definition', 'ERROR']);
const SPECIFIERS: Readonly<Record<string, DefinitionForm>> = { struct_specifier: 'struct', union_specifier: 'union', enum_specifier: 'enum', class_specifier: 'class' };
const DECLARATORS = new Set(['pointer_declarator', 'reference_declarator', 'array_declarator', 'init_declarator', 'parenthesized_declarator', 'attributed_declarator', 'function_declarator']);

/** The identifier a declarator declares, through pointers, arrays, references and initialisers. */
function declaredName(node: Parser.SyntaxNode | null | undefined): Parser.SyntaxNode | undefined {
  for (let n = node, depth = 0; n && depth < 16; depth++) {
    if (n.type === 'identifier' || n.type === 'field_identifier' || n.type === 'type_identifier') return n;
    if (n.type === 'qualified_identifier') n = n.childForFieldName('name');
    else if (n.type === 'template_function') n = n.childForFieldName('name');
    else if (DECLARATORS.has(n.type)) n = n.childForFieldName('declarator') ?? n.namedChildren.find((c) => c.type !== 'attribute_specifier' && c.type !== 'type_qualifier');
    else return undefined;
  }
  return undefined;
}

/** The function declarator inside a declarator, if the declaration declares a function. */
function functionDeclarator(node: Parser.SyntaxNode | null | undefined): Parser.SyntaxNode | undefined {
  for (let n = node, depth = 0; n && depth < 16; depth++) {
    if (n.type === 'function_declarator') {
      // `int (*cb)(void)` declares a pointer, not a function.
      const inner = n.childForFieldName('declarator');
      return inner?.type === 'parenthesized_declarator' ? undefined : n;
    }
    if (n.type === 'pointer_declarator' || n.type === 'reference_declarator' || n.type === 'attributed_declarator') n = n.childForFieldName('declarator') ?? n.namedChildren[0];
    else return undefined;
  }
  return undefined;
}

const declaratorOf = (decl: Parser.SyntaxNode): Parser.SyntaxNode | undefined => decl.childForFieldName('declarator') ?? undefined;
const isStatic = (decl: Parser.SyntaxNode): boolean => decl.namedChildren.some((c) => c.type === 'storage_class_specifier' && c.text === 'static');
const hasBody = (spec: Parser.SyntaxNode | null | undefined): boolean => !!spec && spec.type in SPECIFIERS && spec.childForFieldName('body') !== null;
/** `struct tab {..} t;` defines the type; `struct {..} g;` only declares `g`. */
const definesNamedType = (spec: Parser.SyntaxNode | null | undefined): boolean => hasBody(spec) && spec!.childForFieldName('name') !== null;

function dotted(node: Parser.SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier' || node.type === 'field_identifier' || node.type === 'this') return node.text;
  if (node.type === 'field_expression' && node.childForFieldName('operator')?.text !== '->' && !node.text.includes('->')) {
    const left = dotted(node.childForFieldName('argument'));
    const field = node.childForFieldName('field');
    if (!left || !field || left.split('.').length >= 3) return undefined;
    return `${left}.${field.text}`;
  }
  if (node.type === 'qualified_identifier' || node.type === 'template_function') {
    const text = withoutGenerics(node.text);
    return /^[\w:~]+$/.test(text) && text.split('::').length <= 3 ? text : undefined;
  }
  return undefined;
}

/** A type's name: `Base<T>` → `Base`, `std::exception` kept whole. */
function typeName(node: Parser.SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'template_type') return typeName(node.childForFieldName('name'));
  const text = withoutGenerics(node.text);
  return /^[\w:]+$/.test(text) ? text : undefined;
}

function parameterNames(params: Parser.SyntaxNode | null | undefined): string[] {
  const out: string[] = [];
  for (const p of params?.namedChildren ?? []) {
    if (!/parameter_declaration$/.test(p.type)) continue;
    const name = declaredName(p.childForFieldName('declarator'));
    if (name && name.type === 'identifier') out.push(name.text);
  }
  return out;
}

const RETURN_SHAPES: ReturnShapes = {
  self: ['this'],
  booleans: ['true', 'false'],
  literals: ['null', 'nullptr', 'number_literal', 'string_literal', 'char_literal'],
  negation: true,
  special: (e) => {
    if (e.type === 'call_expression') {
      const callee = dotted(e.childForFieldName('function'));
      return callee ? { kind: 'call', callee } : { kind: 'other' };
    }
    if (e.type === 'new_expression') {
      const ctor = typeName(e.childForFieldName('type'));
      return ctor ? { kind: 'new', ctor } : { kind: 'other' };
    }
    return undefined;
  },
};

const returnShape = (e: Parser.SyntaxNode | undefined): ReturnShape => returnShapeOf(e, RETURN_SHAPES);

/** Method names of a class or struct body. */
function memberFunctions(body: Parser.SyntaxNode | null | undefined): string[] {
  const out: string[] = [];
  for (let m of body?.namedChildren ?? []) {
    if (m.type === 'template_declaration') m = m.namedChildren.find((c) => c.type === 'function_definition' || c.type === 'field_declaration' || c.type === 'declaration') ?? m;
    if (m.type !== 'function_definition' && m.type !== 'field_declaration' && m.type !== 'declaration') continue;
    const fn = functionDeclarator(declaratorOf(m));
    const name = declaredName(fn?.childForFieldName('declarator'));
    if (name && (name.type === 'identifier' || name.type === 'field_identifier')) pushOnce(out, name.text, 32);
  }
  return out;
}

function readFunction(def: Parser.SyntaxNode, fn: Parser.SyntaxNode, ctx: ReadContext): void {
  const f = ctx.facts;
  const target = fn.childForFieldName('declarator');
  const inClass = def.type === 'field_declaration' || def.parent?.type === 'field_declaration_list';
  if (target?.type === 'qualified_identifier') {
    const scope = target.childForFieldName('scope');
    if (scope) f.owner = withoutGenerics(scope.text);
  }
  const name = declaredName(target);
  if (name && (name.type === 'identifier' || name.type === 'field_identifier')) f.name = name.text;
  f.kind = f.owner !== undefined || inClass ? 'method' : 'function';
  f.isExported = !isStatic(def);
  for (const p of parameterNames(fn.childForFieldName('parameters'))) pushOnce(f.params, p, 12);
}

/** `#define NAME value` (a constant) or `#define NAME(a, b) ...` (a function-like macro). */
function readMacro(def: Parser.SyntaxNode, ctx: ReadContext): void {
  const f = ctx.facts;
  const name = def.childForFieldName('name');
  if (name) f.name = name.text;
  f.form = 'macro';
  f.isExported = true;
  if (def.type === 'preproc_def') {
    f.kind = 'constant';
    return;
  }
  f.kind = 'function';
  for (const p of def.childForFieldName('parameters')?.namedChildren ?? []) if (p.type === 'identifier') pushOnce(f.params, p.text, 12);
}

function readType(spec: Parser.SyntaxNode, ctx: ReadContext): void {
  const f = ctx.facts;
  f.kind = 'class';
  f.form = SPECIFIERS[spec.type]!;
  f.isExported = true;
  const name = typeName(spec.childForFieldName('name'));
  if (name) f.name = lastSegment(name);
  const bases = spec.namedChildren.find((c) => c.type === 'base_class_clause');
  const base = bases?.namedChildren.find((c) => c.type !== 'access_specifier' && c.type !== 'virtual' && c.type !== 'comment');
  const baseName = typeName(base);
  if (baseName) f.extends = lastSegment(baseName);
  for (const m of memberFunctions(spec.childForFieldName('body'))) pushOnce(f.methods, m, 32);
}

function readHead(def: Parser.SyntaxNode, anchor: Parser.SyntaxNode, ctx: ReadContext): Parser.SyntaxNode {
  const f = ctx.facts;
  // A bare declarator's comment sits above the error node that holds it.
  const docAnchor = def.type === 'function_declarator' && anchor.parent?.type === 'ERROR' && anchor.parent.firstNamedChild?.startPosition.row === anchor.startPosition.row ? anchor.parent : anchor;
  const doc = docAboveNode(docAnchor, ctx.text, ctx.language);
  if (doc) f.definitionDoc = doc;
  if (def.type === 'function_declarator') {
    readFunction(def, def, ctx);
    return def;
  }
  if (def.type in SPECIFIERS) {
    readType(def, ctx);
    return def;
  }
  if (def.type === 'type_definition') {
    const type = def.childForFieldName('type');
    const name = def.childrenForFieldName('declarator').map((d) => declaredName(d)).find((n) => n?.type === 'type_identifier');
    if (hasBody(type)) readType(type!, ctx);
    else {
      f.kind = 'other';
      f.form = 'type';
      f.isExported = true;
    }
    if (name) f.name = name.text;
    return def;
  }
  if (def.type === 'preproc_def' || def.type === 'preproc_function_def') {
    readMacro(def, ctx);
    return def;
  }
  if (def.type === 'alias_declaration' || def.type === 'concept_definition') {
    const name = def.childForFieldName('name')?.text;
    if (name) f.name = name;
    f.kind = 'other';
    f.form = 'type';
    f.isExported = true;
    return def;
  }
  const type = def.childForFieldName('type');
  const fn = functionDeclarator(declaratorOf(def));
  if (fn) {
    readFunction(def, fn, ctx);
    return def.childForFieldName('body') ?? def;
  }
  if (definesNamedType(type)) {
    readType(type!, ctx);
    return def;
  }
  // A global (or a member in a fragment): what its first declarator declares.
  const name = declaredName(declaratorOf(def));
  if (name) {
    f.name = name.text;
    f.kind = 'constant';
    f.isExported = !isStatic(def);
  }
  return def;
}

/** The node types `visit` reads. */
const VISITED = ['if_statement', 'conditional_expression', 'for_statement', 'while_statement', 'do_statement', 'for_range_loop', 'switch_statement', 'case_statement', 'try_statement', 'catch_clause', 'throw_statement', 'return_statement', 'co_await_expression', 'co_yield_statement', 'call_expression', 'new_expression', 'field_expression', 'declaration', 'lambda_expression', 'labeled_statement', 'string_literal'];

function visit(n: Parser.SyntaxNode, ctx: ReadContext): void {
  const f = ctx.facts;
  const c = f.control;
  switch (n.type) {
    case 'if_statement':
      c.branches++;
      readCheck(n.childForFieldName('condition'), ctx);
      break;
    case 'conditional_expression':
      c.branches++;
      break;
    case 'for_statement':
    case 'while_statement':
    case 'do_statement':
      c.loops++;
      break;
    case 'for_range_loop': {
      c.loops++;
      const name = declaredName(n.childForFieldName('declarator'));
      if (name) ctx.declare(name.text);
      const subject = dotted(n.childForFieldName('right'));
      if (subject) pushOnce(f.iterates, subject, 8);
      break;
    }
    case 'switch_statement':
      c.switches++;
      break;
    case 'case_statement': {
      const value = n.childForFieldName('value');
      if (value && value.text.length <= 24) pushOnce(f.cases, value.text, 16);
      break;
    }
    case 'try_statement':
      c.tries++;
      break;
    case 'catch_clause':
      for (const p of parameterNames(n.childForFieldName('parameters'))) ctx.bind(p);
      break;
    case 'throw_statement': {
      c.throws++;
      const thrown = n.namedChildren[0];
      const error = thrown?.type === 'call_expression' ? dotted(thrown.childForFieldName('function')) : thrown?.type === 'new_expression' ? typeName(thrown.childForFieldName('type')) : undefined;
      if (error) pushOnce(f.errors, error, 8);
      break;
    }
    case 'return_statement':
      c.returns++;
      if (f.returns.length < 8) f.returns.push(returnShape(n.namedChildren[0]));
      break;
    case 'co_await_expression':
      c.awaits++;
      break;
    case 'co_yield_statement':
      c.yields++;
      break;
    case 'call_expression': {
      const callee = dotted(n.childForFieldName('function'));
      if (callee) pushOnce(f.calls, callee, 32);
      break;
    }
    case 'new_expression': {
      const ctor = typeName(n.childForFieldName('type'));
      if (ctor) pushOnce(f.constructs, ctor, 16);
      break;
    }
    case 'field_expression': {
      const name = dotted(n);
      if (name && name.split('.').length === 2 && n.parent?.type !== 'call_expression') pushOnce(f.members, name, 48);
      break;
    }
    case 'declaration':
      if (n.id === ctx.def?.id) break;
      for (const d of n.childrenForFieldName('declarator')) {
        const name = declaredName(d);
        if (name?.type === 'identifier') ctx.declare(name.text);
        if (d.type === 'structured_binding_declarator') for (const id of d.namedChildren) if (id.type === 'identifier') ctx.declare(id.text);
      }
      break;
    case 'lambda_expression':
      for (const p of parameterNames(n.childForFieldName('declarator')?.childForFieldName('parameters'))) ctx.bind(p);
      break;
    case 'labeled_statement': {
      const label = n.childForFieldName('label');
      if (label) ctx.bind(label.text);
      break;
    }
    case 'string_literal': {
      const s = literalContent(n, 'string_content');
      if (s) pushOnce(f.strings, s, 24);
      return;
    }
    case 'comment':
      return;
  }
}

function readCheck(cond: Parser.SyntaxNode | null, ctx: ReadContext): void {
  const checks = ctx.facts.checks;
  if (!cond || checks.length >= 12) return;
  let c = cond;
  while ((c.type === 'parenthesized_expression' || c.type === 'condition_clause') && c.namedChildren[0]) c = c.namedChildren[c.namedChildren.length - 1]!;
  if (c.type === 'binary_expression') {
    const op = c.childForFieldName('operator')?.type ?? c.children[1]?.type;
    const left = c.childForFieldName('left');
    const right = c.childForFieldName('right');
    if (op === '&&' || op === '||') {
      readCheck(left, ctx);
      readCheck(right, ctx);
    } else if (op === '==' && (right?.type === 'null' || right?.type === 'nullptr' || right?.text === 'NULL')) {
      const subject = dotted(left);
      if (subject) checks.push({ kind: 'missing', subject });
    }
  } else if (c.type === 'unary_expression' && c.text.startsWith('!')) {
    const subject = dotted(c.childForFieldName('argument'));
    if (subject) checks.push({ kind: 'missing', subject });
  }
}

const role: LanguageReader['role'] = (n) => {
  switch (n.type) {
    case 'function_definition':
    case 'type_definition':
    case 'alias_declaration':
    case 'concept_definition':
    case 'template_declaration':
      return 'definition';
    case 'struct_specifier':
    case 'union_specifier':
    case 'enum_specifier':
    case 'class_specifier':
      return hasBody(n) ? 'definition' : undefined;
    case 'declaration':
    case 'field_declaration':
      return functionDeclarator(declaratorOf(n)) || definesNamedType(n.childForFieldName('type')) ? 'definition' : 'fallback';
    case 'function_declarator':
      // A prototype error recovery left bare (`int f(void) __THROW;`).
      return n.parent?.type === 'ERROR' ? 'definition' : undefined;
    case 'preproc_def':
    case 'preproc_function_def':
      // A macro names the fragment only when nothing else in it is a definition.
      return 'fallback';
    default:
      return CONTAINERS.has(n.type) ? 'container' : undefined;
  }
};

/** A template's declaration, or the class a `struct X {..};` declaration defines. */
function unwrap(anchor: Parser.SyntaxNode): Parser.SyntaxNode {
  let def = anchor;
  for (let depth = 0; def.type === 'template_declaration' && depth < 4; depth++) {
    def = def.namedChildren.find((c) => c.type !== 'template_parameter_list' && c.type !== 'comment' && c.type !== 'requires_clause') ?? def;
    if (def === anchor) break;
  }
  return def;
}

const noImports = (): ImportBinding[] => [];

export const cFamily: LanguageReader = { role, unwrap, readHead, visited: VISITED, visit, imports: noImports };
