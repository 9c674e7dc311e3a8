/**
 * Facts about one target definition, read off its syntax tree (tree-sitter, with the graph's
 * grammars) in every language the graph parses: what the grounded proposer states. Every name
 * recorded here is text of the target or of the file's imports, so a step built from these facts
 * names only real identifiers. Each language has its reader under facts/; a target the parser
 * cannot read at all falls back to a lexical reading.
 */
import type { LanguageId } from '../graph/mod.ts';
import { tokenize } from './score/mod.ts';
import { docComment } from './facts/doc.ts';
import { isScript, readerFor } from './facts/languages.ts';
import { readLexically } from './facts/lexical.ts';
import { readWith } from './facts/reader.ts';
import { readScript, scriptImports } from './facts/script.ts';
import { balanceFragment, MAX_PARSE_CHARS, withTree } from './facts/syntax.ts';
import { emptyFacts, type ImportBinding, type TargetFacts } from './facts/types.ts';

export type { Check, DefinitionForm, ImportBinding, ReturnShape, TargetFacts } from './facts/types.ts';
export { docComment } from './facts/doc.ts';
export { codeOnly, lexicalImports } from './facts/lexical.ts';

export interface TargetFactsInput {
  target: string;
  /** Language of the target (javascript when not given). */
  language?: LanguageId;
  /** Text before the target in its file: the doc comment right above it is read from here. */
  preceding?: string;
  /** Imports of the file (see `importBindings`). */
  imports?: readonly ImportBinding[];
}

export function targetFacts(input: TargetFactsInput): TargetFacts {
  const facts = emptyFacts(identifierCounts(input.target));
  for (const imp of input.imports ?? []) if (facts.identifiers.has(imp.name)) facts.dependencies.push(imp);
  const language = input.language ?? 'javascript';
  const text = input.target.length > MAX_PARSE_CHARS ? input.target.slice(0, MAX_PARSE_CHARS) : input.target;
  let read: boolean | undefined;
  try {
    if (isScript(language)) {
      read = withTree(language, text, (root) => {
        const anchor = readScript(root, text, language, facts);
        if (!facts.definitionDoc && input.preceding !== undefined && (!anchor || /^\s*$/.test(text.slice(0, anchor.startIndex)))) {
          const doc = docComment(input.preceding, language);
          if (doc) facts.doc = facts.definitionDoc = doc;
        }
        return true;
      });
    } else {
      const reader = readerFor(language);
      const balanced = balanceFragment(text, language);
      if (reader) read = withTree(language, balanced, (root) => (readWith(reader, root, { text: balanced, language, ...(input.preceding !== undefined ? { preceding: input.preceding } : {}) }, facts), true));
    }
  } catch {
    // A reader's bug on odd code must not lose the target: the lexical reading stands in.
    read = undefined;
  }
  if (!read) {
    const fresh = emptyFacts(facts.identifiers);
    fresh.dependencies = facts.dependencies;
    readLexically(text, language, fresh);
    const doc = input.preceding !== undefined ? docComment(input.preceding, language) : undefined;
    if (doc) fresh.doc = fresh.definitionDoc = doc;
    return fresh;
  }
  return facts;
}

/** Identifier tokens of `text` with counts (the code tokenizer's identifier class). */
export function identifierCounts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of tokenize(text)) if (/^[A-Za-z_$][\w$]*$/.test(t)) out.set(t, (out.get(t) ?? 0) + 1);
  return out;
}

/**
 * Import bindings of a file, read off its tree: JS/TS `import a, {b as c} from 'm'` and
 * `const d = require('m')`; Python `import a.b as c`, `from m import x`; Go imports (the alias,
 * else the path's last element); Rust `use` trees and `extern crate`; Java imports (the simple
 * name). C and C++ `#include` binds no name.
 */
export function importBindings(text: string, language: LanguageId = 'javascript'): ImportBinding[] {
  const head = text.length > MAX_PARSE_CHARS ? text.slice(0, MAX_PARSE_CHARS) : text;
  try {
    if (isScript(language)) return scriptImports(head, language);
    const reader = readerFor(language);
    return (reader && withTree(language, head, (root) => reader.imports(root))) ?? [];
  } catch {
    return [];
  }
}
