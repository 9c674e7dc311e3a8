/**
 * Go: functions, methods (the receiver is bound, not a parameter), types (struct, interface,
 * named types), package-level constants and variables; doc comments are the `//` lines right
 * above. Go has no exceptions: `panic` counts as a throw, and the errors a function hands back
 * are the error types it builds (`&PathError{..}`) and the sentinel errors it returns (`ErrX`).
 */
import type Parser from 'tree-sitter';
import { docAboveNode } from './doc.ts';
import type { LanguageReader, ReadContext } from './reader.ts';
import { literalContent, returnShapeOf, withoutGenerics, type ReturnShapes } from './syntax.ts';
import { pushOnce, type ImportBinding, type ReturnShape } from './types.ts';

function dotted(node: Parser.SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'identifier' || node.type === 'field_identifier' || node.type === 'package_identifier' || node.type === 'type_identifier') return node.text;
  if (node.type === 'selector_expression') {
    const left = dotted(node.childForFieldName('operand'));
    const field = node.childForFieldName('field');
    if (!left || !field || left.split('.').length >= 3) return undefined;
    return `${left}.${field.text}`;
  }
  return undefined;
}

/** The name of a type as written (`T`, `pkg.T`, `T[K]` → `T`, `*T` → `T`); undefined for literal types. */
function typeName(node: Parser.SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'type_identifier') return node.text;
  if (node.type === 'qualified_type') return node.text.replace(/\s+/g, '');
  if (node.type === 'pointer_type' || node.type === 'parenthesized_type') return typeName(node.namedChildren[0]);
  if (node.type === 'generic_type') return typeName(node.childForFieldName('type'));
  return undefined;
}

const isSentinelError = (name: string): boolean => /(^|\.)(Err[A-Z0-9]\w*|EOF)$/.test(name);
const isErrorType = (name: string): boolean => /Error$/.test(name);

/** Names a parameter list declares, in order. */
function parameterNames(list: Parser.SyntaxNode | null | undefined): string[] {
  const out: string[] = [];
  for (const p of list?.namedChildren ?? []) {
    if (p.type !== 'parameter_declaration' && p.type !== 'variadic_parameter_declaration') continue;
    for (const name of p.childrenForFieldName('name')) out.push(name.text);
  }
  return out;
}

const RETURN_SHAPES: ReturnShapes = {
  booleans: ['true', 'false'],
  literals: ['nil', 'int_literal', 'float_literal', 'interpreted_string_literal', 'raw_string_literal', 'rune_literal'],
  special: (e) => {
    if (e.type === 'call_expression') {
      const callee = dotted(e.childForFieldName('function'));
      return callee ? { kind: 'call', callee } : { kind: 'other' };
    }
    if (e.type !== 'unary_expression' && e.type !== 'composite_literal') return undefined;
    // `T{...}` or `&T{...}`: a construction of T, or an array.
    const lit = e.type === 'composite_literal' ? e : e.namedChildren[0]?.type === 'composite_literal' ? e.namedChildren[0] : undefined;
    const type = lit?.childForFieldName('type');
    if (type?.type === 'slice_type' || type?.type === 'array_type') return { kind: 'array' };
    const name = typeName(type);
    return name ? { kind: 'new', ctor: name } : { kind: 'other' };
  },
};

const returnShape = (e: Parser.SyntaxNode | undefined): ReturnShape => returnShapeOf(e, RETURN_SHAPES);

function readHead(def: Parser.SyntaxNode, anchor: Parser.SyntaxNode, ctx: ReadContext): Parser.SyntaxNode {
  const f = ctx.facts;
  const doc = docAboveNode(anchor, ctx.text, 'go');
  if (doc) f.definitionDoc = doc;
  if (def.type === 'function_declaration' || def.type === 'method_declaration') {
    f.kind = def.type === 'method_declaration' ? 'method' : 'function';
    const name = def.childForFieldName('name')?.text;
    if (name) f.name = name;
    f.isExported = name !== undefined && /^[A-Z]/.test(name);
    for (const p of parameterNames(def.childForFieldName('parameters'))) pushOnce(f.params, p, 12);
    const receiver = def.childForFieldName('receiver');
    for (const r of parameterNames(receiver)) ctx.bind(r);
    const owner = typeName(receiver?.namedChildren.find((p) => p.type === 'parameter_declaration')?.childForFieldName('type'));
    if (owner) f.owner = owner;
    for (const r of parameterNames(def.childForFieldName('result'))) ctx.bind(r);
    for (const t of def.childForFieldName('type_parameters')?.namedChildren ?? []) for (const id of t.namedChildren.filter((x) => x.type === 'identifier')) ctx.bind(id.text);
    return def.childForFieldName('body') ?? def;
  }
  if (def.type === 'type_declaration') {
    const spec = def.namedChildren.find((c) => c.type === 'type_spec' || c.type === 'type_alias');
    const name = spec?.childForFieldName('name')?.text;
    if (name) f.name = name;
    f.isExported = name !== undefined && /^[A-Z]/.test(name);
    const type = spec?.childForFieldName('type');
    if (type?.type === 'struct_type') {
      f.kind = 'class';
      f.form = 'struct';
    } else if (type?.type === 'interface_type') {
      f.kind = 'class';
      f.form = 'interface';
      for (const m of type.namedChildren) {
        const n = m.type === 'method_elem' ? m.childForFieldName('name')?.text : undefined;
        if (n) pushOnce(f.methods, n, 32);
        // An embedded interface is what this one extends.
        if (m.type === 'type_elem' && f.extends === undefined) {
          const base = typeName(m.namedChildren[0]);
          if (base) f.extends = base;
        }
      }
    } else {
      f.kind = 'other';
      f.form = 'type';
    }
    return def;
  }
  // `const X = ...`, `var x = ...` (or the first of a group).
  const spec = def.namedChildren.find((c) => c.type === 'const_spec' || c.type === 'var_spec' || c.type === 'var_spec_list');
  const first = spec?.type === 'var_spec_list' ? spec.namedChildren.find((c) => c.type === 'var_spec') : spec;
  const name = first?.childForFieldName('name')?.text;
  if (name) {
    f.name = name;
    f.kind = 'constant';
    f.isExported = /^[A-Z]/.test(name);
  }
  return def;
}

function declareAll(node: Parser.SyntaxNode | null | undefined, ctx: ReadContext): void {
  for (const id of node?.namedChildren ?? []) if (id.type === 'identifier' && id.text !== '_') ctx.declare(id.text);
}

/** The node types `visit` reads. */
const VISITED = ['if_statement', 'for_statement', 'range_clause', 'expression_switch_statement', 'type_switch_statement', 'select_statement', 'expression_case', 'type_case', 'return_statement', 'call_expression', 'composite_literal', 'selector_expression', 'short_var_declaration', 'var_spec', 'const_spec', 'func_literal', 'labeled_statement', 'interpreted_string_literal'];

function visit(n: Parser.SyntaxNode, ctx: ReadContext): void {
  const f = ctx.facts;
  const c = f.control;
  switch (n.type) {
    case 'if_statement': {
      c.branches++;
      const cond = n.childForFieldName('condition');
      if (cond?.type === 'binary_expression' && cond.children[1]?.type === '==' && cond.childForFieldName('right')?.type === 'nil') {
        const subject = dotted(cond.childForFieldName('left'));
        if (subject && f.checks.length < 12) f.checks.push({ kind: 'missing', subject });
      }
      break;
    }
    case 'for_statement':
      c.loops++;
      break;
    case 'range_clause': {
      declareAll(n.childForFieldName('left'), ctx);
      const subject = dotted(n.childForFieldName('right'));
      if (subject) pushOnce(f.iterates, subject, 8);
      break;
    }
    case 'expression_switch_statement':
    case 'type_switch_statement':
    case 'select_statement':
      c.switches++;
      if (n.type === 'type_switch_statement') declareAll(n.childForFieldName('alias'), ctx);
      break;
    case 'expression_case': {
      const value = n.childForFieldName('value');
      if (value && value.text.length <= 24) pushOnce(f.cases, value.text, 16);
      break;
    }
    case 'type_case': {
      const type = n.childForFieldName('type');
      if (type && type.text.length <= 24) pushOnce(f.cases, type.text, 16);
      break;
    }
    case 'return_statement': {
      c.returns++;
      const values = n.namedChildren[0]?.type === 'expression_list' ? n.namedChildren[0].namedChildren : n.namedChildren;
      if (f.returns.length < 8) f.returns.push(returnShape(values[0]));
      for (const v of values) {
        const name = dotted(v);
        if (name && isSentinelError(name)) pushOnce(f.errors, name, 8);
      }
      break;
    }
    case 'call_expression': {
      const callee = dotted(n.childForFieldName('function'));
      if (callee) {
        pushOnce(f.calls, callee, 32);
        if (callee === 'panic') c.throws++;
      }
      break;
    }
    case 'composite_literal': {
      const name = typeName(n.childForFieldName('type'));
      if (name) {
        pushOnce(f.constructs, withoutGenerics(name), 16);
        if (isErrorType(name)) pushOnce(f.errors, name, 8);
      }
      break;
    }
    case 'selector_expression': {
      const name = dotted(n);
      if (name && name.split('.').length === 2 && n.parent?.type !== 'call_expression') pushOnce(f.members, name, 48);
      break;
    }
    case 'short_var_declaration':
      declareAll(n.childForFieldName('left'), ctx);
      break;
    case 'var_spec':
    case 'const_spec':
      for (const name of n.childrenForFieldName('name')) if (name.text !== '_') ctx.declare(name.text);
      break;
    case 'func_literal':
      for (const p of parameterNames(n.childForFieldName('parameters'))) ctx.bind(p);
      for (const p of parameterNames(n.childForFieldName('result'))) ctx.bind(p);
      break;
    case 'labeled_statement': {
      const label = n.childForFieldName('label');
      if (label) ctx.bind(label.text);
      break;
    }
    case 'interpreted_string_literal': {
      const s = literalContent(n, 'interpreted_string_literal_content');
      if (s) pushOnce(f.strings, s, 24);
      return;
    }
  }
}

/** Package names the imports bind: the alias, else the path's last element (`v2` suffixes skipped). */
function imports(root: Parser.SyntaxNode): ImportBinding[] {
  const out: ImportBinding[] = [];
  for (const decl of root.namedChildren) {
    if (decl.type !== 'import_declaration') continue;
    const specs = decl.namedChildren.flatMap((c) => (c.type === 'import_spec_list' ? c.namedChildren : [c])).filter((c) => c.type === 'import_spec');
    for (const spec of specs) {
      const path = spec.childForFieldName('path')?.text.replace(/^["`]|["`]$/g, '');
      if (!path) continue;
      const alias = spec.childForFieldName('name');
      if (alias && alias.type !== 'package_identifier') continue; // `_` and `.` bind no name
      const parts = path.split('/');
      let last = parts[parts.length - 1]!;
      if (/^v\d+$/.test(last) && parts.length > 1) last = parts[parts.length - 2]!;
      last = last.replace(/\.v\d+$/, '').replace(/^go-/, '');
      const name = alias?.text ?? last;
      if (/^[A-Za-z_]\w*$/.test(name)) out.push({ name, module: path });
    }
  }
  return out;
}

export const go: LanguageReader = {
  role(n) {
    if (n.type === 'function_declaration' || n.type === 'method_declaration' || n.type === 'type_declaration') return 'definition';
    if (n.type === 'const_declaration' || n.type === 'var_declaration') return 'fallback';
    return n.type === 'ERROR' ? 'container' : undefined;
  },
  unwrap: (anchor) => anchor,
  readHead,
  visited: VISITED,
  visit,
  imports,
};
