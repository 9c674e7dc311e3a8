/**
 * JavaScript, TypeScript and TSX: the facts of a target read off its syntax tree, and the import
 * bindings of a file (`import a, {b as c} from 'm'`, `const d = require('m')`).
 */
import type Parser from 'tree-sitter';
import type { LanguageId } from '../../graph/mod.ts';
import { docAboveNode } from './doc.ts';
import { descendants, parserFor, returnShapeOf, type ReturnShapes } from './syntax.ts';
import { pushOnce, type ImportBinding, type ReturnShape, type TargetFacts } from './types.ts';

/** Import bindings of a script: `import a, {b as c} from 'm'`, `const d = require('m')`. */
export function scriptImports(text: string, language: LanguageId): ImportBinding[] {
  const tree = parserFor(language).parse(text);
  const out: ImportBinding[] = [];
  try {
    for (const node of tree.rootNode.namedChildren) {
      if (node.type === 'import_statement') {
        const source = node.childForFieldName('source');
        const module = source ? stringValue(source) : '';
        const clause = node.namedChildren.find((c) => c.type === 'import_clause');
        if (!clause) continue;
        for (const id of descendants(clause, (n) => n.type === 'identifier')) {
          const spec = id.parent;
          if (spec?.type === 'import_specifier' && spec.childForFieldName('alias') && spec.childForFieldName('name')?.id === id.id) continue;
          out.push({ name: id.text, module });
        }
      } else if (node.type === 'lexical_declaration' || node.type === 'variable_declaration') {
        for (const decl of node.namedChildren) {
          if (decl.type !== 'variable_declarator') continue;
          const value = decl.childForFieldName('value');
          const module = value ? requiredModule(value) : undefined;
          if (module === undefined) continue;
          const name = decl.childForFieldName('name');
          if (!name) continue;
          if (name.type === 'identifier') out.push({ name: name.text, module });
          else for (const id of descendants(name, (n) => n.type === 'identifier' || n.type === 'shorthand_property_identifier_pattern')) out.push({ name: id.text, module });
        }
      }
    }
  } finally {
    (tree as { delete?: () => void }).delete?.();
  }
  return out;
}

function requiredModule(value: Parser.SyntaxNode): string | undefined {
  let v = value;
  while (v.type === 'member_expression' || v.type === 'await_expression') {
    const inner = v.type === 'member_expression' ? v.childForFieldName('object') : v.namedChildren[0];
    if (!inner) return undefined;
    v = inner;
  }
  if (v.type !== 'call_expression') return undefined;
  const fn = v.childForFieldName('function');
  if (fn?.text !== 'require' && fn?.type !== 'import') return undefined;
  const arg = v.childForFieldName('arguments')?.namedChildren[0];
  return arg && (arg.type === 'string' || arg.type === 'template_string') ? stringValue(arg) : undefined;
}

function stringValue(node: Parser.SyntaxNode): string {
  return node.text.replace(/^['"`]|['"`]$/g, '');
}

const DECLARATIONS = new Set(['function_declaration', 'generator_function_declaration', 'class_declaration', 'abstract_class_declaration', 'lexical_declaration', 'variable_declaration', 'expression_statement', 'interface_declaration', 'type_alias_declaration', 'enum_declaration']);
const FUNCTIONS = new Set(['function_declaration', 'generator_function_declaration', 'function_expression', 'function', 'arrow_function', 'generator_function', 'method_definition']);

/** A short dotted callee (`f`, `a.b`, `this.x.y`), or undefined for anything more complex. */
function dotted(node: Parser.SyntaxNode): string | undefined {
  if (node.type === 'identifier' || node.type === 'this' || node.type === 'property_identifier') return node.text;
  if (node.type === 'member_expression') {
    const obj = node.childForFieldName('object');
    const prop = node.childForFieldName('property');
    if (!obj || !prop || prop.type !== 'property_identifier') return undefined;
    const left = dotted(obj);
    if (!left || left.split('.').length >= 3) return undefined;
    return `${left}.${prop.text}`;
  }
  return undefined;
}

/** What opens a module without being a definition: imports, `require` bindings, directives. */
function isPreamble(node: Parser.SyntaxNode): boolean {
  if (node.type === 'comment' || node.type === 'import_statement') return true;
  if (node.type === 'expression_statement') return node.namedChildren[0]?.type === 'string';
  if (node.type === 'lexical_declaration' || node.type === 'variable_declaration') {
    const decls = node.namedChildren.filter((c) => c.type === 'variable_declarator');
    return decls.length > 0 && decls.every((d) => {
      const value = d.childForFieldName('value');
      return value !== null && requiredModule(value) !== undefined;
    });
  }
  return false;
}

/**
 * Reads the target's first definition (past comments, imports and directives) and its body.
 * Returns the definition's outermost node (its `export` statement, if any), or undefined.
 */
export function readScript(root: Parser.SyntaxNode, text: string, language: LanguageId, facts: TargetFacts): Parser.SyntaxNode | undefined {
  // The definition itself: the first declaration at the top, unwrapped from `export`.
  const anchor = root.namedChildren.find((n) => !isPreamble(n));
  let def = anchor;
  if (anchor) {
    const doc = docAboveNode(anchor, text, language);
    if (doc) facts.definitionDoc = doc;
  }
  if (def?.type === 'export_statement') {
    facts.isExported = true;
    def = def.childForFieldName('declaration') ?? def.namedChildren.find((n) => DECLARATIONS.has(n.type)) ?? def;
  }
  let fn: Parser.SyntaxNode | undefined;
  if (def) {
    if (def.type === 'class_declaration' || def.type === 'abstract_class_declaration' || def.type === 'class') {
      facts.kind = 'class';
      facts.name = def.childForFieldName('name')?.text;
      const heritage = def.namedChildren.find((c) => c.type === 'class_heritage');
      const base = heritage?.namedChildren.find((c) => c.type !== 'extends_clause' || true);
      const baseName = base ? (base.type === 'extends_clause' ? base.namedChildren[0] : base) : undefined;
      const baseText = baseName ? dotted(baseName) : undefined;
      if (baseText) facts.extends = baseText;
      const body = def.childForFieldName('body');
      for (const m of body?.namedChildren ?? []) {
        const name = m.childForFieldName('name');
        if (m.type === 'method_definition' && name && name.type === 'property_identifier') pushOnce(facts.methods, name.text);
      }
    } else if (FUNCTIONS.has(def.type)) {
      facts.kind = def.type === 'method_definition' ? 'method' : 'function';
      facts.name = def.childForFieldName('name')?.text;
      fn = def;
    } else if (def.type === 'lexical_declaration' || def.type === 'variable_declaration') {
      const decl = def.namedChildren.find((c) => c.type === 'variable_declarator');
      facts.name = decl?.childForFieldName('name')?.text;
      const value = decl?.childForFieldName('value');
      if (value && FUNCTIONS.has(value.type)) {
        facts.kind = 'function';
        fn = value;
      } else if (value?.type === 'class') facts.kind = 'class';
      else facts.kind = 'constant';
    } else if (def.type === 'expression_statement') {
      const assign = def.namedChildren[0];
      if (assign?.type === 'assignment_expression') {
        const left = assign.childForFieldName('left');
        const right = assign.childForFieldName('right');
        const name = left?.type === 'member_expression' ? left.childForFieldName('property')?.text : left?.text;
        if (name) facts.name = name;
        // `exports.x = ...`, `module.exports.x = ...`: the file's exports, not a new definition.
        if (left?.type === 'member_expression' && /^(module\.)?exports$/.test(left.childForFieldName('object')?.text ?? '')) facts.isExported = true;
        if (right && FUNCTIONS.has(right.type)) {
          facts.kind = 'function';
          fn = right;
        } else facts.kind = 'constant';
      }
    } else if (def.type === 'interface_declaration' || def.type === 'type_alias_declaration' || def.type === 'enum_declaration') {
      facts.name = def.childForFieldName('name')?.text;
      facts.kind = 'other';
    }
  }
  if (fn) {
    const head = fn.text.slice(0, 40);
    facts.isAsync = /^(export\s+)?(default\s+)?async\b/.test(head) || fn.children.some((c) => c.type === 'async');
    facts.isGenerator = fn.type.includes('generator') || fn.children.some((c) => c.type === '*');
    const params = fn.childForFieldName('parameters') ?? fn.childForFieldName('parameter');
    if (params) {
      const names = params.type === 'identifier' ? [params] : descendants(params, (n) => n.type === 'identifier' || n.type === 'shorthand_property_identifier_pattern');
      for (const n of names) {
        // Default values and type annotations hold identifiers that are not parameters.
        if (n.parent && (n.parent.type === 'assignment_pattern' || n.parent.type === 'required_parameter' || n.parent.type === 'optional_parameter') && n.parent.namedChildren[0]?.id !== n.id) continue;
        if (n.parent?.type === 'type_annotation') continue;
        pushOnce(facts.params, n.text, 12);
      }
    }
  }
  const bind = (pattern: Parser.SyntaxNode): void => {
    for (const id of descendants(pattern, (x) => x.type === 'identifier' || x.type === 'shorthand_property_identifier_pattern')) {
      if (id.parent?.type !== 'type_annotation') pushOnce(facts.bound, id.text, 256);
    }
  };
  for (const p of facts.params) pushOnce(facts.bound, p, 256);
  const visit = (n: Parser.SyntaxNode): void => {
    if (FUNCTIONS.has(n.type) && n !== fn) {
      const params = n.childForFieldName('parameters') ?? n.childForFieldName('parameter');
      if (params) bind(params);
      const name = n.childForFieldName('name');
      if (name && name.text !== facts.name) pushOnce(facts.bound, name.text, 256);
    }
    switch (n.type) {
      case 'if_statement':
      case 'ternary_expression':
        facts.control.branches++;
        readCheck(n.childForFieldName('condition'), facts);
        break;
      case 'for_statement':
      case 'while_statement':
      case 'do_statement':
        facts.control.loops++;
        break;
      case 'for_in_statement': {
        facts.control.loops++;
        const left = n.childForFieldName('left');
        if (left) bind(left);
        const right = n.childForFieldName('right');
        const subject = right ? dotted(right) : undefined;
        if (subject) pushOnce(facts.iterates, subject, 8);
        break;
      }
      case 'switch_statement':
        facts.control.switches++;
        break;
      case 'switch_case': {
        const value = n.childForFieldName('value');
        if (value && value.text.length <= 24) pushOnce(facts.cases, value.text, 16);
        break;
      }
      case 'try_statement':
        facts.control.tries++;
        break;
      case 'throw_statement': {
        facts.control.throws++;
        const e = n.namedChildren[0];
        const ctor = e?.type === 'new_expression' ? e.childForFieldName('constructor') : undefined;
        if (ctor) {
          const name = dotted(ctor);
          if (name) pushOnce(facts.errors, name, 8);
        }
        break;
      }
      case 'await_expression':
        facts.control.awaits++;
        break;
      case 'yield_expression':
        facts.control.yields++;
        break;
      case 'return_statement':
        facts.control.returns++;
        if (facts.returns.length < 8) facts.returns.push(returnShape(n.namedChildren[0]));
        break;
      case 'call_expression': {
        const callee = n.childForFieldName('function');
        const name = callee ? dotted(callee) : undefined;
        if (name && name !== 'require') pushOnce(facts.calls, name, 32);
        break;
      }
      case 'new_expression': {
        const ctor = n.childForFieldName('constructor');
        const name = ctor ? dotted(ctor) : undefined;
        if (name) pushOnce(facts.constructs, name, 16);
        break;
      }
      case 'member_expression': {
        const name = dotted(n);
        if (name && name.split('.').length === 2 && n.parent?.type !== 'call_expression') pushOnce(facts.members, name, 48);
        break;
      }
      case 'variable_declarator': {
        const name = n.childForFieldName('name');
        if (name?.type === 'identifier' && name.text !== facts.name) pushOnce(facts.locals, name.text, 32);
        if (name) bind(name);
        break;
      }
      case 'catch_clause': {
        const param = n.childForFieldName('parameter');
        if (param) bind(param);
        break;
      }
      case 'function_declaration': {
        const name = n.childForFieldName('name');
        if (name && name.text !== facts.name) pushOnce(facts.locals, name.text, 32);
        break;
      }
      case 'string': {
        const s = stringValue(n);
        if (s.length >= 2 && s.length <= 24 && !/[\n\\]/.test(s)) pushOnce(facts.strings, s, 24);
        break;
      }
    }
    for (const c of n.namedChildren) visit(c);
  };
  visit(root);
  return anchor;
}

function readCheck(cond: Parser.SyntaxNode | null | undefined, facts: TargetFacts): void {
  if (!cond || facts.checks.length >= 12) return;
  let c = cond;
  while (c.type === 'parenthesized_expression' && c.namedChildren[0]) c = c.namedChildren[0];
  if (c.type === 'binary_expression') {
    const op = c.children[1]?.type ?? '';
    const left = c.childForFieldName('left');
    const right = c.childForFieldName('right');
    if (!left || !right) return;
    if (op === '&&' || op === '||') {
      readCheck(left, facts);
      readCheck(right, facts);
      return;
    }
    if (left.type === 'unary_expression' && left.text.startsWith('typeof') && right.type === 'string') {
      const subject = left.namedChildren[0] ? dotted(left.namedChildren[0]) : undefined;
      if (subject) facts.checks.push({ kind: 'typeof', subject, type: stringValue(right) });
    } else if (op === 'instanceof') {
      const subject = dotted(left);
      const ctor = dotted(right);
      if (subject && ctor) facts.checks.push({ kind: 'instanceof', subject, ctor });
    } else if ((right.type === 'null' || right.text === 'undefined') && /^[!=]==?$/.test(op)) {
      const subject = dotted(left);
      if (subject) facts.checks.push({ kind: 'missing', subject });
    }
  } else if (c.type === 'unary_expression' && c.text.startsWith('!')) {
    const inner = c.namedChildren[0];
    const subject = inner ? dotted(inner) : undefined;
    if (subject) facts.checks.push({ kind: 'missing', subject });
  } else if (c.type === 'call_expression' && c.childForFieldName('function')?.text === 'Array.isArray') {
    const arg = c.childForFieldName('arguments')?.namedChildren[0];
    const subject = arg ? dotted(arg) : undefined;
    if (subject) facts.checks.push({ kind: 'array', subject });
  }
}

const RETURN_SHAPES: ReturnShapes = {
  self: ['this'],
  booleans: ['true', 'false'],
  literals: ['null', 'number', 'string', 'template_string'],
  arrays: ['array'],
  comparisons: ['===', '!==', '==', '!=', '<', '>', '<=', '>=', '&&', '||', 'instanceof', 'in'],
  negation: true,
  none: { kind: 'other' },
  special: (e) => {
    switch (e.type) {
      case 'identifier':
        return e.text === 'undefined' ? { kind: 'literal' } : undefined;
      case 'object': {
        const keys: string[] = [];
        for (const p of e.namedChildren) {
          const key = p.type === 'pair' ? p.childForFieldName('key') : p.type === 'shorthand_property_identifier' ? p : undefined;
          if (key && (key.type === 'property_identifier' || key.type === 'shorthand_property_identifier')) pushOnce(keys, key.text, 8);
        }
        return { kind: 'object', keys };
      }
      case 'call_expression': {
        const fn = e.childForFieldName('function');
        const callee = fn ? dotted(fn) : undefined;
        return callee ? { kind: 'call', callee } : { kind: 'other' };
      }
      case 'new_expression': {
        const ctor = e.childForFieldName('constructor');
        const name = ctor ? dotted(ctor) : undefined;
        return name ? { kind: 'new', ctor: name } : { kind: 'other' };
      }
      default:
        return undefined;
    }
  },
};

const returnShape = (e: Parser.SyntaxNode | undefined): ReturnShape => returnShapeOf(e, RETURN_SHAPES);

