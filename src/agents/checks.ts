/**
 * The tester's real checks, run on what was written:
 * - syntax: the tree-sitter parse has no ERROR or MISSING node;
 * - undefined-name: every identifier used is declared in the file (declarations, parameters,
 *   imports) or is a global of the environment;
 * - arity: a call to a function defined in the file passes as many arguments as it declares
 *   (functions with optional, default or rest parameters are not checked).
 *
 * The environment (its globals, and the functions real code calls with varying arity) is learned
 * from the repository's real files with the same analysis, the way a linter is configured with the
 * globals of its platform: real code therefore passes, and a misspelled name, a dropped import, a
 * dropped argument or a broken bracket does not.
 */
import Parser from 'tree-sitter';
import { languageFor } from '../graph/grammars.ts';
import type { LanguageId } from '../graph/types.ts';
import type { Finding } from './types.ts';

export interface CheckEnvironment {
  globals: Set<string>;
  /** Functions whose real calls disagree with their declared arity somewhere: never flagged. */
  varyingArity: Set<string>;
}

export interface CheckReport {
  checks: string[];
  findings: Finding[];
  /** What the checks printed, as a developer would see it. */
  output: string;
}

const parsers = new Map<LanguageId, Parser>();
function parserFor(lang: LanguageId): Parser {
  let p = parsers.get(lang);
  if (!p) {
    p = new Parser();
    p.setLanguage(languageFor(lang));
    parsers.set(lang, p);
  }
  return p;
}

const IDENT_TYPES = new Set(['identifier', 'shorthand_property_identifier']);
const DECLARING_PARENT = /declarat|definition|parameter|import|pattern|binding|catch|specifier|alias|for_in|for_statement|enum|type_alias|class|function|method|lambda|with_item|field|label|generic|struct|trait|impl|let|const|var|macro|use_|package|module|receiver/;
const CALL_TYPES = new Set(['call_expression', 'call']);
const FUNCTION_TYPES = new Set(['function_declaration', 'function_definition', 'generator_function_declaration']);

interface Analysis {
  syntax: Finding[];
  used: Array<{ name: string; line: number }>;
  declared: Set<string>;
  arity: Map<string, number>;
  calls: Array<{ name: string; args: number; line: number }>;
  /** Identifiers outside declaring positions, with their offsets. */
  useSites: Array<{ name: string; start: number }>;
}

function walk(node: Parser.SyntaxNode, visit: (n: Parser.SyntaxNode) => boolean | void): void {
  const cursor = node.walk();
  let descend = true;
  for (;;) {
    if (descend && visit(cursor.currentNode) !== false && cursor.gotoFirstChild()) continue;
    if (cursor.gotoNextSibling()) {
      descend = true;
      continue;
    }
    do {
      if (!cursor.gotoParent()) return;
    } while (!cursor.gotoNextSibling());
    descend = true;
  }
}

function fixedArity(params: Parser.SyntaxNode): number | undefined {
  let n = 0;
  for (const p of params.namedChildren) {
    if (/comment/.test(p.type)) continue;
    if (/optional|default|rest|splat|variadic|dictionary|list_splat|keyword/.test(p.type)) return undefined;
    if (p.text.includes('=') || p.text.includes('?') || p.text.startsWith('...') || p.text.startsWith('*')) return undefined;
    n++;
  }
  return n;
}

function analyse(lang: LanguageId, content: string): Analysis {
  const tree = parserFor(lang).parse(content);
  const a: Analysis = { syntax: [], used: [], declared: new Set(), arity: new Map(), calls: [], useSites: [] };
  try {
    walk(tree.rootNode, (n) => {
      if (n.type === 'ERROR' || n.isMissing) {
        if (a.syntax.length === 0) {
          const what = n.isMissing ? `missing "${n.type}"` : `unexpected "${n.text.slice(0, 30).replace(/\s+/g, ' ')}"`;
          a.syntax.push({ check: 'syntax', line: n.startPosition.row + 1, message: `syntax error: ${what}` });
        }
        return false;
      }
      if (IDENT_TYPES.has(n.type)) {
        const parent = n.parent;
        const name = n.text;
        if (parent && (DECLARING_PARENT.test(parent.type) || (parent.type === 'assignment' && parent.childForFieldName('left')?.id === n.id))) {
          a.declared.add(name);
        } else {
          a.useSites.push({ name, start: n.startIndex });
        }
        a.used.push({ name, line: n.startPosition.row + 1 });
      }
      if (FUNCTION_TYPES.has(n.type)) {
        const name = n.childForFieldName('name')?.text;
        const params = n.childForFieldName('parameters');
        if (name && params) {
          const k = fixedArity(params);
          if (k !== undefined && !a.arity.has(name)) a.arity.set(name, k);
          else if (k === undefined) a.arity.set(name, -1);
        }
      }
      if (CALL_TYPES.has(n.type)) {
        const fn = n.childForFieldName('function');
        const args = n.childForFieldName('arguments');
        if (fn && args && fn.type === 'identifier') {
          a.calls.push({ name: fn.text, args: args.namedChildren.filter((c) => !/comment/.test(c.type)).length, line: n.startPosition.row + 1 });
        }
      }
      return true;
    });
  } finally {
    (tree as { delete?: () => void }).delete?.();
  }
  return a;
}

/**
 * Offsets of identifiers that are uses of a name the file declares: misspelling one of these
 * makes a name the checks do not know (the faults module draws from them).
 */
export function declaredNameUses(lang: LanguageId, content: string): Array<{ name: string; start: number }> {
  const a = analyse(lang, content);
  return a.useSites.filter((u) => a.declared.has(u.name));
}

function undefinedNames(a: Analysis): Array<{ name: string; line: number }> {
  return a.used.filter((u) => !a.declared.has(u.name));
}

function arityMismatches(a: Analysis): Array<{ name: string; line: number; args: number; expected: number }> {
  const out: Array<{ name: string; line: number; args: number; expected: number }> = [];
  for (const c of a.calls) {
    const k = a.arity.get(c.name);
    if (k !== undefined && k >= 0 && c.args !== k) out.push({ ...c, expected: k });
  }
  return out;
}

export function emptyEnvironment(): CheckEnvironment {
  return { globals: new Set(), varyingArity: new Set() };
}

/** Adds what a real file needs from its environment (its undeclared names, its varying calls). */
export function learnEnvironment(env: CheckEnvironment, lang: LanguageId, realContent: string): void {
  const a = analyse(lang, realContent);
  for (const u of undefinedNames(a)) env.globals.add(u.name);
  for (const m of arityMismatches(a)) env.varyingArity.add(m.name);
}

export function runChecks(lang: LanguageId | null, path: string, content: string, env: CheckEnvironment): CheckReport {
  if (!lang) return { checks: [], findings: [], output: `${path}: no checks for this kind of file` };
  const a = analyse(lang, content);
  const findings: Finding[] = [...a.syntax];
  const seen = new Set<string>();
  for (const u of undefinedNames(a)) {
    if (env.globals.has(u.name) || seen.has(u.name)) continue;
    seen.add(u.name);
    findings.push({ check: 'undefined-name', line: u.line, message: `"${u.name}" is not defined` });
  }
  for (const m of arityMismatches(a)) {
    if (env.varyingArity.has(m.name)) continue;
    findings.push({ check: 'arity', line: m.line, message: `${m.name}() takes ${m.expected} argument${m.expected === 1 ? '' : 's'}, called with ${m.args}` });
  }
  findings.sort((x, y) => x.line - y.line);
  const checks = ['syntax', 'undefined-name', 'arity'];
  const output =
    findings.length === 0
      ? `${path}: ${checks.join(', ')}: ok`
      : findings.map((f) => `${path}:${f.line}: ${f.check}: ${f.message}`).join('\n') + `\n${findings.length} problem${findings.length === 1 ? '' : 's'}`;
  return { checks, findings, output };
}
