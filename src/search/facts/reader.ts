/**
 * The structural reading every language shares: find the target's definition (past its doc
 * comment, imports, attributes and preprocessor lines), let the language read its head (kind,
 * name, parameters, bases, methods), then walk it once for the body's facts.
 */
import type Parser from 'tree-sitter';
import type { LanguageId } from '../../graph/mod.ts';
import { isKeyword } from '../../boundary/lexicon.ts';
import { docComment } from './doc.ts';
import { MAX_VISITS } from './syntax.ts';
import { pushOnce, type ImportBinding, type TargetFacts } from './types.ts';

/** How a node met while looking for the definition counts. */
export type Role = 'definition' | 'fallback' | 'container' | undefined;

export interface ReadContext {
  facts: TargetFacts;
  /** The parsed text (the target, balanced). */
  text: string;
  language: LanguageId;
  /** The definition, once found. */
  def?: Parser.SyntaxNode;
  /** A name the target binds (never its own name). */
  bind(name: string): void;
  /** A name declared inside the target: bound, and listed among its locals. */
  declare(name: string): void;
}

export interface LanguageReader {
  /**
   * What a node is while looking for the definition: `definition` (the first one found wins),
   * `fallback` (taken when no definition follows: constants, variables), `container` (looked
   * into: namespaces, preprocessor conditionals, error recovery), undefined (passed over:
   * comments, imports, attributes, macros).
   */
  role(node: Parser.SyntaxNode): Role;
  /** The definition an anchor holds (`decorated_definition` → its function). */
  unwrap(anchor: Parser.SyntaxNode): Parser.SyntaxNode;
  /** Kind, name, parameters, bases, methods, doc; returns the node whose inside is walked. */
  readHead(def: Parser.SyntaxNode, anchor: Parser.SyntaxNode, ctx: ReadContext): Parser.SyntaxNode;
  /** The node types `visit` reads: the walk asks the tree for these alone, in one call. */
  visited: readonly string[];
  /** One node of the walk, in document order. */
  visit(node: Parser.SyntaxNode, ctx: ReadContext): void;
  /** Import bindings at the top of a file (or target). */
  imports(root: Parser.SyntaxNode): ImportBinding[];
}

const MAX_SEARCH_DEPTH = 8;

/** Keywords that the language lets name things all the same (`union`, `match`, C's `error`). */
const SOFT_KEYWORDS: Partial<Record<LanguageId, ReadonlySet<string>>> = {
  python: new Set(['match', 'case', 'type']),
  rust: new Set(['union', 'macro_rules']),
  c: new Set(['include', 'define', 'ifdef', 'ifndef', 'endif', 'elif', 'undef', 'pragma', 'error', 'line', 'defined']),
  cpp: new Set(['include', 'define', 'ifdef', 'ifndef', 'endif', 'elif', 'undef', 'pragma', 'error', 'line', 'defined', 'override', 'final', 'import', 'module']),
};

/** A word no definition can be named: what error recovery reads as a name is no definition. */
export function isReserved(language: LanguageId, name: string): boolean {
  return isKeyword(language, name) && !SOFT_KEYWORDS[language]?.has(name);
}

/** Back to no definition: what the head reader said about a misread one. */
function forgetHead(facts: TargetFacts): void {
  facts.kind = 'other';
  facts.params = [];
  facts.methods = [];
  facts.bound = [];
  facts.locals = [];
  facts.errors = [];
  facts.isAsync = facts.isGenerator = facts.isExported = false;
  for (const key of ['name', 'form', 'owner', 'extends', 'definitionDoc'] as const) delete facts[key];
}

/** A name the target may bind: an identifier, and not the receiver every method has. */
const isBindable = (name: string): boolean => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'self' && name !== 'this';

/**
 * The anchor of the target's definition: the first definition, else the first fallback at the
 * shallowest depth (a module's constant, before one assigned inside its `try` block).
 */
export function findDefinition(root: Parser.SyntaxNode, reader: LanguageReader): Parser.SyntaxNode | undefined {
  let fallback: { node: Parser.SyntaxNode; depth: number } | undefined;
  const search = (node: Parser.SyntaxNode, depth: number): Parser.SyntaxNode | undefined => {
    for (const child of node.namedChildren) {
      const role = reader.role(child);
      if (role === 'definition') return child;
      if (role === 'fallback') {
        if (!fallback || depth < fallback.depth) fallback = { node: child, depth };
      }
      else if (role === 'container' && depth < MAX_SEARCH_DEPTH) {
        const found = search(child, depth + 1);
        if (found) return found;
      }
    }
    return undefined;
  };
  return search(root, 0) ?? fallback?.node;
}

export interface StructureInput {
  text: string;
  language: LanguageId;
  preceding?: string;
}

/** Reads `root` (the tree of `input.text`) into `facts` with `reader`. */
export function readWith(reader: LanguageReader, root: Parser.SyntaxNode, input: StructureInput, facts: TargetFacts): void {
  const ctx: ReadContext = {
    facts,
    text: input.text,
    language: input.language,
    bind: (name) => {
      if (name !== facts.name && isBindable(name)) pushOnce(facts.bound, name, 256);
    },
    declare: (name) => {
      if (name === facts.name || !isBindable(name)) return;
      pushOnce(facts.bound, name, 256);
      if (!facts.params.includes(name)) pushOnce(facts.locals, name, 32);
    },
  };
  let anchor = findDefinition(root, reader);
  let scope: Parser.SyntaxNode = root;
  if (anchor) {
    const def = reader.unwrap(anchor);
    ctx.def = def;
    scope = reader.readHead(def, anchor, ctx);
    if (facts.name !== undefined && isReserved(input.language, facts.name)) {
      // Error recovery made a definition of statements (`else if (x) {` read as a method `if`):
      // the target is a piece of a body, with no definition of its own.
      forgetHead(facts);
      delete ctx.def;
      anchor = undefined;
      scope = root;
    }
  }
  if (anchor) {
    // The definition opens the target: the doc comment, if any, closes what precedes it.
    if (facts.definitionDoc === undefined && input.preceding !== undefined && /^\s*$/.test(input.text.slice(0, anchor.startIndex))) {
      const doc = docComment(input.preceding, input.language);
      if (doc) facts.doc = facts.definitionDoc = doc;
    }
  }
  for (const p of facts.params) pushOnce(facts.bound, p, 256);
  // One native call for every node the reader reads: walking child lists costs a call per node.
  const nodes = scope.descendantsOfType(reader.visited as string[]);
  // Keywords are nodes too (Python's `await` token inside its `await` expression): named ones only.
  for (let i = 0; i < nodes.length && i < MAX_VISITS; i++) if (nodes[i]!.isNamed) reader.visit(nodes[i]!, ctx);
  // The target's own imports are its dependencies where its definition uses them.
  const own = reader.imports(root);
  if (own.length > 0 && anchor) {
    const used = new Set(anchor.text.match(/[A-Za-z_$][\w$]*/g) ?? []);
    for (const imp of own) if (used.has(imp.name) && !facts.dependencies.some((d) => d.name === imp.name)) facts.dependencies.push(imp);
  }
}
