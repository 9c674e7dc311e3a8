/**
 * Parse one file and extract its facts. The tree is released as soon as the facts are out:
 * `tree.delete()` where the binding has it, and in any case no reference to it survives this call.
 *
 * node-tree-sitter 0.25 has no `delete`: a tree's native memory is freed when V8 collects its
 * wrapper, and V8 does not count that memory, so dead trees can pile up (a plain parse loop over
 * 15 MB of source reached 685 MiB RSS). So after every `collectEveryChars` of parsed source the
 * parser asks V8 for a collection, when the runtime lets it (`--expose-gc`, switched on here).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Parser from 'tree-sitter';
import { checkNodeLayout, extractFacts } from './extract.ts';
import { grammarFor } from './grammars.ts';
import type { FileFacts, LanguageId } from './types.ts';

const collectEveryChars = 4_000_000;

let collect: (() => void) | null | undefined;
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      const g = (globalThis as { gc?: () => void }).gc;
      if (typeof g === 'function') collect = g;
      else {
        setFlagsFromString('--expose-gc');
        collect = runInNewContext('gc') as () => void;
      }
    } catch {
      collect = null;
    }
  }
  return collect;
}

export class FileParser {
  private readonly parser = new Parser();
  private sinceCollect = 0;

  constructor() {
    // A node away from the origin, so the layout check compares non-zero positions.
    this.parser.setLanguage(grammarFor('javascript').language);
    const probe = this.parser.parse('x;\n  y;\n').rootNode.lastChild;
    if (probe) checkNodeLayout(probe);
  }

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
      this.sinceCollect += text.length;
      if (this.sinceCollect >= collectEveryChars) {
        this.sinceCollect = 0;
        collector()?.();
      }
    }
  }
}
