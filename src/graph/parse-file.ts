/**
 * Parse one file and extract its facts. The tree is released as soon as the facts are out:
 * `tree.delete()` where the binding has it, and in any case no reference to it survives this call.
 */
import Parser from 'tree-sitter';
import { extractFacts } from './extract.ts';
import { grammarFor } from './grammars.ts';
import type { FileFacts, LanguageId } from './types.ts';

export class FileParser {
  private readonly parser = new Parser();

  parse(language: LanguageId, text: string): FileFacts {
    const grammar = grammarFor(language);
    this.parser.setLanguage(grammar.language);
    let tree: Parser.Tree;
    try {
      tree = this.parser.parse(text);
    } catch (err) {
      this.parser.reset();
      return { language, definitions: [], references: [], imports: [], parseError: true, parseFailed: err instanceof Error ? err.message : String(err) };
    }
    try {
      return extractFacts(grammar, tree, text);
    } finally {
      (tree as { delete?: () => void }).delete?.();
    }
  }
}
