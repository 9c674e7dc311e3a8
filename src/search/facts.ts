/**
 * Facts about one target definition, read off its syntax tree (tree-sitter, JS/TS grammars from
 * the graph's grammar table): what the grounded proposer states. Every name recorded here is text
 * of the target or of the file's imports, so a step built from these facts names only real
 * identifiers. Other languages fall back to the identifiers the code tokenizer finds.
 */
import Parser from 'tree-sitter';
import { languageFor, type LanguageId } from '../graph/mod.ts';
import { isKeyword } from '../boundary/lexicon.ts';
import { tokenize } from './score/mod.ts';

export interface ImportBinding {
  /** The local name the import binds. */
  name: string;
  module: string;
}

export type ReturnShape =
  | { kind: 'identifier'; name: string }
  | { kind: 'call'; callee: string }
  | { kind: 'new'; ctor: string }
  | { kind: 'object'; keys: string[] }
  | { kind: 'array' }
  | { kind: 'boolean' }
  | { kind: 'this' }
  | { kind: 'literal' }
  | { kind: 'other' };

export type Check =
  | { kind: 'typeof'; subject: string; type: string }
  | { kind: 'missing'; subject: string }
  | { kind: 'array'; subject: string }
  | { kind: 'instanceof'; subject: string; ctor: string };

export interface TargetFacts {
  name?: string;
  kind: 'function' | 'class' | 'method' | 'constant' | 'other';
  params: string[];
  isAsync: boolean;
  isGenerator: boolean;
  isExported: boolean;
  /** First sentence of the doc comment above the target, when there is one. */
  doc?: string;
  /** Every identifier-like token of the target, with its count. */
  identifiers: Map<string, number>;
  /** Names declared inside (variables, inner functions), in order. */
  locals: string[];
  /**
   * Every name the target binds itself: parameters (its own and its inner functions'), variables,
   * destructured names, loop variables, caught errors. Whatever the known names, these are the
   * target's: a step that names them restates the answer.
   */
  bound: string[];
  /** Callees (`f`, `a.b`, `a.b.c`), in order of first call. */
  calls: string[];
  /** `new X` constructors. */
  constructs: string[];
  /** `object.property` pairs read or written, object an identifier or `this`. */
  members: string[];
  dependencies: ImportBinding[];
  control: { branches: number; loops: number; switches: number; tries: number; throws: number; awaits: number; returns: number; yields: number };
  /** Loop subjects: what `for ... of/in` iterates. */
  iterates: string[];
  cases: string[];
  checks: Check[];
  errors: string[];
  returns: ReturnShape[];
  methods: string[];
  extends?: string;
  strings: string[];
}

const SUPPORTED = new Set<LanguageId>(['javascript', 'typescript', 'tsx']);
const parsers = new Map<LanguageId, Parser>();

function parserFor(language: LanguageId): Parser {
  let p = parsers.get(language);
  if (!p) {
    p = new Parser();
    p.setLanguage(languageFor(language));
    parsers.set(language, p);
  }
  return p;
}

export interface TargetFactsInput {
  target: string;
  /** Language of the target; facts are structural for javascript/typescript/tsx. */
  language?: LanguageId;
  /** Text before the target in its file: the doc comment right above it is read from here. */
  preceding?: string;
  /** Imports of the file (see `importBindings`). */
  imports?: readonly ImportBinding[];
}

export function targetFacts(input: TargetFactsInput): TargetFacts {
  const facts: TargetFacts = {
    kind: 'other',
    params: [],
    isAsync: false,
    isGenerator: false,
    isExported: false,
    identifiers: identifierCounts(input.target),
    locals: [],
    bound: [],
    calls: [],
    constructs: [],
    members: [],
    dependencies: [],
    control: { branches: 0, loops: 0, switches: 0, tries: 0, throws: 0, awaits: 0, returns: 0, yields: 0 },
    iterates: [],
    cases: [],
    checks: [],
    errors: [],
    returns: [],
    methods: [],
    strings: [],
  };
  const doc = input.preceding !== undefined ? docComment(input.preceding) : undefined;
  if (doc) facts.doc = doc;
  for (const imp of input.imports ?? []) if (facts.identifiers.has(imp.name)) facts.dependencies.push(imp);
  const language = input.language ?? 'javascript';
  if (!SUPPORTED.has(language)) {
    readLexically(input.target, language, facts);
    return facts;
  }
  const tree = parserFor(language).parse(input.target);
  try {
    readStructure(tree.rootNode, facts);
  } finally {
    (tree as { delete?: () => void }).delete?.();
  }
  return facts;
}

/** Identifier tokens of `text` with counts (the code tokenizer's identifier class). */
export function identifierCounts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of tokenize(text)) if (/^[A-Za-z_$][\w$]*$/.test(t)) out.set(t, (out.get(t) ?? 0) + 1);
  return out;
}

/** The first sentence of the comment block that ends right above the target, cleaned. */
export function docComment(preceding: string): string | undefined {
  const text = preceding.trimEnd();
  let body: string | undefined;
  if (text.endsWith('*/')) {
    const start = text.lastIndexOf('/*');
    if (start < 0) return undefined;
    body = text
      .slice(start + 2, -2)
      .split('\n')
      .map((l) => l.replace(/^\s*\*+\s?/, '').trim())
      .join(' ');
  } else {
    const lines = text.split('\n');
    const got: string[] = [];
    for (let i = lines.length - 1; i >= 0; i--) {
      const m = /^\s*\/\/+\s?(.*)$/.exec(lines[i]!);
      if (!m) break;
      got.unshift(m[1]!.trim());
    }
    if (got.length === 0) return undefined;
    body = got.join(' ');
  }
  body = body.replace(/^\*+/, '').replace(/@\w+[\s\S]*$/, '').replace(/\s+/g, ' ').trim();
  if (body.length === 0) return undefined;
  const sentence = /^(.{8,}?[.!?])(\s|$)/.exec(body)?.[1] ?? body;
  const words = sentence.split(' ');
  return words.length > 24 ? words.slice(0, 24).join(' ') + ' ...' : sentence;
}

/** Import bindings of a file: `import a, {b as c} from 'm'`, `const d = require('m')` (and `lexicalImports` elsewhere). */
export function importBindings(text: string, language: LanguageId = 'javascript'): ImportBinding[] {
  if (!SUPPORTED.has(language)) return lexicalImports(text, language);
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

function descendants(node: Parser.SyntaxNode, keep: (n: Parser.SyntaxNode) => boolean): Parser.SyntaxNode[] {
  const out: Parser.SyntaxNode[] = [];
  const visit = (n: Parser.SyntaxNode): void => {
    if (keep(n)) out.push(n);
    for (const c of n.namedChildren) visit(c);
  };
  visit(node);
  return out;
}

const DECLARATIONS = new Set(['function_declaration', 'generator_function_declaration', 'class_declaration', 'abstract_class_declaration', 'lexical_declaration', 'variable_declaration', 'expression_statement', 'interface_declaration', 'type_alias_declaration', 'enum_declaration']);
const FUNCTIONS = new Set(['function_declaration', 'generator_function_declaration', 'function_expression', 'function', 'arrow_function', 'generator_function', 'method_definition']);

function pushOnce(list: string[], value: string, max = 64): void {
  if (list.length < max && !list.includes(value)) list.push(value);
}

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

function readStructure(root: Parser.SyntaxNode, facts: TargetFacts): void {
  // The definition itself: the first declaration at the top, unwrapped from `export`.
  let def = root.namedChildren.find((n) => n.type !== 'comment');
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

function returnShape(e: Parser.SyntaxNode | undefined): ReturnShape {
  if (!e) return { kind: 'other' };
  switch (e.type) {
    case 'identifier':
      return e.text === 'undefined' ? { kind: 'literal' } : { kind: 'identifier', name: e.text };
    case 'this':
      return { kind: 'this' };
    case 'true':
    case 'false':
      return { kind: 'boolean' };
    case 'null':
    case 'number':
    case 'string':
    case 'template_string':
      return { kind: 'literal' };
    case 'array':
      return { kind: 'array' };
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
    case 'binary_expression': {
      const op = e.children[1]?.type ?? '';
      return ['===', '!==', '==', '!=', '<', '>', '<=', '>=', '&&', '||', 'instanceof', 'in'].includes(op) ? { kind: 'boolean' } : { kind: 'other' };
    }
    case 'unary_expression':
      return e.text.startsWith('!') ? { kind: 'boolean' } : { kind: 'other' };
    default:
      return { kind: 'other' };
  }
}

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

function readLexically(target: string, language: LanguageId, facts: TargetFacts): void {
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
