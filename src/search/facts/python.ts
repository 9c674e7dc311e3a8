/** Python: `def`, `class` (decorated or not), module constants; docstrings; `raise`, `isinstance`. */
import type Parser from 'tree-sitter';
import { docstringDoc } from './doc.ts';
import type { LanguageReader, ReadContext } from './reader.ts';
import { descendants, literalContent, returnShapeOf, type ReturnShapes } from './syntax.ts';
import { pushOnce, type Check, type ImportBinding, type ReturnShape } from './types.ts';

const CONTAINERS = new Set(['if_statement', 'elif_clause', 'else_clause', 'try_statement', 'except_clause', 'finally_clause', 'with_statement', 'block', 'ERROR']);
const SCOPES = new Set(['function_definition', 'lambda', 'class_definition']);

/** `a`, `a.b`, `a.b.c` for identifiers and attribute chains; undefined for anything else. */
function dotted(node: Parser.SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') {
    const left = dotted(node.childForFieldName('object'));
    const attr = node.childForFieldName('attribute');
    if (!left || !attr || left.split('.').length >= 3) return undefined;
    return `${left}.${attr.text}`;
  }
  return undefined;
}

const isCapitalised = (name: string): boolean => /^[A-Z]/.test(name.split('.').pop() ?? '');

/** The docstring of a function or class: its body's first statement, when that is a string. */
function docstring(def: Parser.SyntaxNode): Parser.SyntaxNode | undefined {
  const first = def.childForFieldName('body')?.namedChildren.find((c) => c.type !== 'comment');
  const str = first?.type === 'expression_statement' ? first.namedChildren[0] : undefined;
  return str && (str.type === 'string' || str.type === 'concatenated_string') ? str : undefined;
}

/** Parameter names of a `parameters` node (`self` and `cls` of a method left to the caller). */
function parameterNames(params: Parser.SyntaxNode | null): string[] {
  const out: string[] = [];
  for (const p of params?.namedChildren ?? []) {
    const name =
      p.type === 'identifier'
        ? p
        : p.type === 'default_parameter' || p.type === 'typed_default_parameter'
          ? p.childForFieldName('name')
          : p.type === 'typed_parameter' || p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern'
            ? p.namedChildren.find((c) => c.type === 'identifier' || c.type === 'list_splat_pattern' || c.type === 'dictionary_splat_pattern')
            : undefined;
    const id = name && name.type !== 'identifier' ? name.namedChildren.find((c) => c.type === 'identifier') : name;
    if (id) out.push(id.text);
  }
  return out;
}

/** Names an assignment target binds: identifiers, and those inside tuple or list patterns. */
function targetNames(node: Parser.SyntaxNode | null): string[] {
  if (!node) return [];
  if (node.type === 'identifier') return [node.text];
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'list_splat_pattern', 'parenthesized_expression', 'as_pattern_target', 'expression_list'].includes(node.type)) {
    return node.namedChildren.flatMap(targetNames);
  }
  return [];
}

/** Whether `n` is a statement of the target class's own body (a method, a class attribute). */
function inOwnClassBody(n: Parser.SyntaxNode, ctx: ReadContext): boolean {
  if (ctx.def?.type !== 'class_definition') return false;
  let statement = n;
  while (statement.parent && statement.parent.type !== 'block') {
    if (SCOPES.has(statement.parent.type) && statement.parent.id !== ctx.def.id) return false;
    statement = statement.parent;
  }
  return statement.parent?.id === ctx.def.childForFieldName('body')?.id;
}

function enclosingClass(def: Parser.SyntaxNode): boolean {
  for (let n = def.parent; n; n = n.parent) if (n.type === 'class_definition') return true;
  return false;
}

function containsYield(body: Parser.SyntaxNode | null): boolean {
  if (!body) return false;
  let found = false;
  const visit = (n: Parser.SyntaxNode): void => {
    if (found) return;
    if (n.type === 'yield') found = true;
    else if (!SCOPES.has(n.type)) for (const c of n.namedChildren) visit(c);
  };
  for (const c of body.namedChildren) visit(c);
  return found;
}

const RETURN_SHAPES: ReturnShapes = {
  booleans: ['true', 'false', 'comparison_operator', 'not_operator'],
  literals: ['none', 'string', 'integer', 'float', 'concatenated_string'],
  arrays: ['list', 'list_comprehension'],
  special: (e) => {
    if (e.type === 'dictionary') return { kind: 'object', keys: [] };
    if (e.type !== 'call') return undefined;
    const callee = dotted(e.childForFieldName('function'));
    if (!callee) return { kind: 'other' };
    return isCapitalised(callee) ? { kind: 'new', ctor: callee } : { kind: 'call', callee };
  },
};

const returnShape = (e: Parser.SyntaxNode | undefined): ReturnShape => returnShapeOf(e, RETURN_SHAPES);

function readCheck(cond: Parser.SyntaxNode | null, checks: Check[]): void {
  if (!cond || checks.length >= 12) return;
  let c = cond;
  while (c.type === 'parenthesized_expression' && c.namedChildren[0]) c = c.namedChildren[0];
  if (c.type === 'boolean_operator') {
    readCheck(c.childForFieldName('left'), checks);
    readCheck(c.childForFieldName('right'), checks);
  } else if (c.type === 'not_operator') {
    const subject = dotted(c.childForFieldName('argument'));
    if (subject) checks.push({ kind: 'missing', subject });
  } else if (c.type === 'comparison_operator') {
    const [left, right] = c.namedChildren;
    const op = c.children.filter((x) => !x.isNamed).map((x) => x.type).join(' ');
    const subject = dotted(left);
    if (subject && right?.type === 'none' && op === 'is') checks.push({ kind: 'missing', subject });
  } else if (c.type === 'call' && c.childForFieldName('function')?.text === 'isinstance') {
    const [value, type] = c.childForFieldName('arguments')?.namedChildren ?? [];
    const subject = dotted(value);
    const ctor = type?.type === 'tuple' ? dotted(type.namedChildren[0]) : dotted(type);
    if (subject && ctor) checks.push({ kind: 'instanceof', subject, ctor });
  }
}

function readHead(def: Parser.SyntaxNode, _anchor: Parser.SyntaxNode, ctx: ReadContext): Parser.SyntaxNode {
  const f = ctx.facts;
  if (def.type === 'function_definition' || def.type === 'class_definition') {
    const name = def.childForFieldName('name')?.text;
    if (name) f.name = name;
    f.isExported = name !== undefined && !name.startsWith('_');
    const doc = docstring(def);
    const text = doc ? docstringDoc(doc.type === 'string' ? doc.text : (doc.namedChildren[0]?.text ?? '')) : undefined;
    if (text) f.definitionDoc = text;
  }
  if (def.type === 'function_definition') {
    const params = parameterNames(def.childForFieldName('parameters'));
    // A method: a def inside a class, or an indented one (a class body's fragment).
    f.kind = def.startPosition.column > 0 || enclosingClass(def) ? 'method' : 'function';
    const receiver = params[0] === 'self' || params[0] === 'cls';
    for (const p of receiver ? params.slice(1) : params) pushOnce(f.params, p, 12);
    f.isAsync = def.children.some((c) => c.type === 'async');
    f.isGenerator = containsYield(def.childForFieldName('body'));
    return def.childForFieldName('body') ?? def;
  }
  if (def.type === 'class_definition') {
    f.kind = 'class';
    f.form = 'class';
    for (const base of def.childForFieldName('superclasses')?.namedChildren ?? []) {
      const name = dotted(base);
      if (name && name !== 'object') {
        f.extends = name;
        break;
      }
    }
    for (const member of def.childForFieldName('body')?.namedChildren ?? []) {
      const fn = member.type === 'decorated_definition' ? member.childForFieldName('definition') : member;
      const name = fn?.type === 'function_definition' ? fn.childForFieldName('name')?.text : undefined;
      if (name) pushOnce(f.methods, name, 32);
    }
    return def.childForFieldName('body') ?? def;
  }
  // A module constant: `NAME = ...` (or `NAME: T = ...`).
  const assign = def.type === 'expression_statement' ? def.namedChildren[0] : def;
  const left = assign?.type === 'assignment' ? assign.childForFieldName('left') : undefined;
  if (left?.type === 'identifier') {
    f.name = left.text;
    f.kind = 'constant';
    f.isExported = !left.text.startsWith('_');
  }
  return def;
}

/** The node types `visit` reads. */
const VISITED = ['if_statement', 'elif_clause', 'conditional_expression', 'while_statement', 'for_statement', 'for_in_clause', 'match_statement', 'case_clause', 'try_statement', 'raise_statement', 'return_statement', 'await', 'yield', 'call', 'attribute', 'assignment', 'augmented_assignment', 'named_expression', 'as_pattern_target', 'function_definition', 'class_definition', 'lambda', 'import_statement', 'import_from_statement', 'string'];

function visit(n: Parser.SyntaxNode, ctx: ReadContext): void {
  const f = ctx.facts;
  const c = f.control;
  switch (n.type) {
    case 'if_statement':
    case 'elif_clause':
      c.branches++;
      readCheck(n.childForFieldName('condition'), f.checks);
      break;
    case 'conditional_expression':
      c.branches++;
      break;
    case 'while_statement':
      c.loops++;
      readCheck(n.childForFieldName('condition'), f.checks);
      break;
    case 'for_statement': {
      c.loops++;
      for (const name of targetNames(n.childForFieldName('left'))) ctx.declare(name);
      const subject = dotted(n.childForFieldName('right'));
      if (subject) pushOnce(f.iterates, subject, 8);
      break;
    }
    case 'for_in_clause':
      for (const name of targetNames(n.childForFieldName('left'))) ctx.bind(name);
      break;
    case 'match_statement':
      c.switches++;
      break;
    case 'case_clause': {
      const pattern = n.namedChildren.find((x) => x.type === 'case_pattern');
      if (pattern && pattern.text.length <= 24) pushOnce(f.cases, pattern.text, 16);
      for (const id of descendants(n, (x) => x.type === 'identifier' && (x.parent?.type === 'splat_pattern' || (x.parent?.type === 'dotted_name' && x.parent.namedChildCount === 1 && /^[a-z_]/.test(x.text))))) ctx.bind(id.text);
      break;
    }
    case 'try_statement':
      c.tries++;
      break;
    case 'raise_statement': {
      c.throws++;
      const raised = n.namedChildren.find((x) => x.type !== 'comment' && n.childForFieldName('cause')?.id !== x.id);
      const name = raised?.type === 'call' ? dotted(raised.childForFieldName('function')) : dotted(raised);
      if (name && isCapitalised(name)) pushOnce(f.errors, name, 8);
      break;
    }
    case 'return_statement':
      c.returns++;
      if (f.returns.length < 8) f.returns.push(returnShape(n.namedChildren[0]));
      break;
    case 'await':
      c.awaits++;
      break;
    case 'yield':
      c.yields++;
      break;
    case 'call': {
      // Calling a class builds an instance: a construction, not a call.
      const callee = dotted(n.childForFieldName('function'));
      if (callee) pushOnce(isCapitalised(callee) ? f.constructs : f.calls, callee, isCapitalised(callee) ? 16 : 32);
      break;
    }
    case 'attribute': {
      const name = dotted(n);
      if (name && name.split('.').length === 2 && n.parent?.type !== 'call') pushOnce(f.members, name, 48);
      break;
    }
    case 'assignment':
    case 'augmented_assignment':
      // A class's own attributes are members, as its methods are: not names it binds inside.
      if (inOwnClassBody(n, ctx)) break;
      for (const name of targetNames(n.childForFieldName('left'))) ctx.declare(name);
      break;
    case 'named_expression': {
      const name = n.childForFieldName('name');
      if (name) ctx.declare(name.text);
      break;
    }
    case 'as_pattern_target':
      for (const name of targetNames(n)) ctx.declare(name);
      break;
    case 'function_definition':
    case 'class_definition': {
      if (n.id === ctx.def?.id) break;
      const name = n.childForFieldName('name');
      if (name && !inOwnClassBody(n, ctx)) ctx.declare(name.text);
      for (const p of parameterNames(n.childForFieldName('parameters'))) ctx.bind(p);
      break;
    }
    case 'lambda':
      for (const p of parameterNames(n.childForFieldName('parameters'))) ctx.bind(p);
      break;
    case 'import_statement':
    case 'import_from_statement':
      for (const b of importsOf(n)) ctx.declare(b.name);
      return;
    case 'string': {
      const parent = n.parent;
      // Docstrings are prose, not literals the code uses.
      if (parent?.type === 'expression_statement' && parent.parent?.type === 'block' && parent.parent.namedChildren[0]?.id === parent.id) return;
      const s = literalContent(n, 'string_content');
      if (s) pushOnce(f.strings, s, 24);
      return;
    }
  }
}

function importsOf(node: Parser.SyntaxNode): ImportBinding[] {
  const out: ImportBinding[] = [];
  if (node.type === 'import_statement') {
    for (const item of node.namedChildren) {
      if (item.type === 'dotted_name') out.push({ name: item.namedChildren[0]?.text ?? item.text, module: item.text });
      else if (item.type === 'aliased_import') {
        const alias = item.childForFieldName('alias');
        const mod = item.childForFieldName('name');
        if (alias && mod) out.push({ name: alias.text, module: mod.text });
      }
    }
  } else if (node.type === 'import_from_statement') {
    const moduleNode = node.childForFieldName('module_name');
    const module = moduleNode?.text ?? '';
    for (const item of node.namedChildren) {
      if (item.id === moduleNode?.id) continue;
      if (item.type === 'dotted_name') out.push({ name: item.text, module });
      else if (item.type === 'aliased_import') {
        const alias = item.childForFieldName('alias');
        if (alias) out.push({ name: alias.text, module });
      }
    }
  }
  return out;
}

/** Top-level imports, and those in top-level `try`/`if` blocks (`try: import x except ImportError: ...`). */
function imports(root: Parser.SyntaxNode): ImportBinding[] {
  const out: ImportBinding[] = [];
  const scan = (node: Parser.SyntaxNode, depth: number): void => {
    for (const child of node.namedChildren) {
      if (child.type === 'import_statement' || child.type === 'import_from_statement') out.push(...importsOf(child));
      else if (CONTAINERS.has(child.type) && depth < 4) scan(child, depth + 1);
    }
  };
  scan(root, 0);
  return out;
}

export const python: LanguageReader = {
  role(n) {
    if (n.type === 'function_definition' || n.type === 'class_definition' || n.type === 'decorated_definition') return 'definition';
    if (n.type === 'expression_statement' && n.namedChildren[0]?.type === 'assignment' && n.namedChildren[0].childForFieldName('left')?.type === 'identifier') return 'fallback';
    return CONTAINERS.has(n.type) ? 'container' : undefined;
  },
  unwrap: (anchor) => (anchor.type === 'decorated_definition' ? (anchor.childForFieldName('definition') ?? anchor) : anchor),
  readHead,
  visited: VISITED,
  visit,
  imports,
};
