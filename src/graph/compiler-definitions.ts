/**
 * Definitions of a TS/JS file read by the TypeScript compiler's parser, for files where
 * tree-sitter's tree has errors: its error recovery often swallows the rest of a file (a 2,778-line
 * types.ts gave 19 definitions), while the compiler's parser recovers statement by statement.
 * Extraction keeps both parsers' findings: each recovers some regions the other loses.
 * The kinds follow the tags queries': classes, functions (declared, or a function value bound to
 * a name), methods, interfaces, type aliases, enums, namespaces, and top-level constants.
 *
 * The compiler is loaded on first use only (it is large, and most files parse cleanly). Where it
 * is not installed (it is a development dependency), there is no fallback: undefined.
 */
import { createRequire } from 'node:module';
import type * as TS from 'typescript';
import type { Definition, DefinitionKind, LanguageId } from './types.ts';

const maxSignature = 200;
let compiler: typeof TS | null | undefined;

function typescript(): typeof TS | null {
  if (compiler === undefined) {
    try {
      compiler = createRequire(import.meta.url)('typescript') as typeof TS;
    } catch {
      compiler = null;
    }
  }
  return compiler;
}

/** `language`: typescript, tsx or javascript. Sorted by start line, outer first. */
export function compilerDefinitions(language: LanguageId, text: string): Definition[] | undefined {
  const ts = typescript();
  if (!ts) return undefined;
  const kind = language === 'typescript' ? ts.ScriptKind.TS : language === 'tsx' ? ts.ScriptKind.TSX : ts.ScriptKind.JSX;
  const file = ts.createSourceFile(`file.${language === 'typescript' ? 'ts' : 'tsx'}`, text, ts.ScriptTarget.Latest, true, kind);
  const out: Definition[] = [];
  const visit = (node: TS.Node) => {
    const found = definitionAt(ts, node);
    if (found) out.push(definition(file, text, node, found.name, found.kind));
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return out.sort((a, b) => a.startLine - b.startLine || b.endLine - a.endLine || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function definitionAt(ts: typeof TS, node: TS.Node): { name: string; kind: DefinitionKind } | undefined {
  const named = (kind: DefinitionKind) => {
    const name = (node as TS.NamedDeclaration).name;
    return name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) ? { name: name.text, kind } : undefined;
  };
  if (ts.isFunctionDeclaration(node)) return named('function');
  if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) return named('class');
  if (ts.isMethodDeclaration(node) || ts.isMethodSignature(node)) return named('method');
  if (ts.isInterfaceDeclaration(node)) return named('interface');
  if (ts.isTypeAliasDeclaration(node)) return named('type');
  if (ts.isEnumDeclaration(node)) return named('enum');
  if (ts.isModuleDeclaration(node)) return named('module');
  if (ts.isVariableDeclaration(node)) {
    const init = node.initializer;
    if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) return named('function');
    return isTopLevelLexical(ts, node) ? named('constant') : undefined;
  }
  if (ts.isPropertyAssignment(node) && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) return named('function');
  return undefined;
}

/** `const x = ..` or `let x = ..` directly in the file (exported or not), as scriptDefinitions tags them. */
function isTopLevelLexical(ts: typeof TS, node: TS.VariableDeclaration): boolean {
  const list = node.parent;
  if (!ts.isVariableDeclarationList(list) || (list.flags & (ts.NodeFlags.Const | ts.NodeFlags.Let)) === 0) return false;
  return ts.isVariableStatement(list.parent) && ts.isSourceFile(list.parent.parent);
}

function definition(file: TS.SourceFile, text: string, node: TS.Node, name: string, kind: DefinitionKind): Definition {
  const start = node.getStart(file);
  const startLine = file.getLineAndCharacterOfPosition(start).line;
  const lineStart = file.getPositionOfLineAndCharacter(startLine, 0);
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  return {
    name,
    kind,
    startLine: startLine + 1,
    endLine: file.getLineAndCharacterOfPosition(node.getEnd()).line + 1,
    signature: text.slice(lineStart, Math.min(lineEnd, lineStart + maxSignature)).trim(),
  };
}
