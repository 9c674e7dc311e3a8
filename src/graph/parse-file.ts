/**
 * Parse one file and extract its facts. The tree is released as soon as the facts are out:
 * `tree.delete()` where the binding has it, and in any case no reference to it survives this call.
 *
 * node-tree-sitter 0.25 has no `delete`. A tree's native memory is freed by the wrapper's N-API
 * finalizer, which runs only (1) after V8 has collected the wrapper, which V8 is in no hurry to do
 * since it does not see the native memory, and (2) once the thread returns to its event loop
 * (finalizers are deferred). Parsing the same 107 KB file 600 times in a loop grew RSS by 1.7 GB
 * even with a full GC every 100 parses; with a GC and a turn of the event loop every 100 parses it
 * stayed flat. So callers parse in batches and call `releaseTrees()` after each batch, then let
 * the event loop turn (the worker returns from its message handler; the inline pool awaits
 * setImmediate). `releaseTrees` runs a minor GC (the batch's wrappers are young), and a full one
 * every `fullCollectChars` for wrappers promoted meanwhile; GC is reachable when the runtime lets
 * `--expose-gc` be switched on here.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import Parser from 'tree-sitter';
import { blankMacros } from './c-macros.ts';
import { checkNodeLayout, extractFacts } from './extract.ts';
import { grammarFor } from './grammars.ts';
import type { FileFacts, LanguageId } from './types.ts';

const fullCollectChars = 4_000_000;

type Collect = (opts?: { type: 'minor' | 'major' }) => void;
let collect: Collect | null | undefined;
function collector(): Collect | null {
  if (collect === undefined) {
    try {
      const g = (globalThis as { gc?: Collect }).gc;
      if (typeof g === 'function') collect = g;
      else {
        setFlagsFromString('--expose-gc');
        collect = runInNewContext('gc') as Collect;
      }
    } catch {
      collect = null;
    }
  }
  return collect;
}

export class FileParser {
  private readonly parser = new Parser();
  private sinceFull = 0;

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
      if ((language === 'c' || language === 'cpp') && tree.rootNode.hasError) tree = this.withMacrosBlanked(text, tree);
    } catch (err) {
      this.parser.reset();
      return { language, definitions: [], references: [], imports: [], parseError: true, parseFailed: err instanceof Error ? err.message : String(err) };
    }
    try {
      return extractFacts(grammar, tree, text);
    } catch (err) {
      // A bug in extraction must not take a whole batch (or worker) down with it.
      return { language, definitions: [], references: [], imports: [], parseError: tree.rootNode.hasError, parseFailed: `extraction failed: ${err instanceof Error ? err.message : String(err)}` };
    } finally {
      (tree as { delete?: () => void }).delete?.();
      this.sinceFull += text.length;
    }
  }

  /**
   * A C/C++ tree with errors, parsed again with annotation macros blanked (c-macros.ts), if that
   * leaves fewer errors. Positions are the same in both texts: extraction reads the original.
   */
  private withMacrosBlanked(text: string, tree: Parser.Tree): Parser.Tree {
    const blanked = blankMacros(text, tree);
    if (blanked === text) return tree;
    const again = this.parser.parse(blanked);
    return errorCount(again) < errorCount(tree) ? again : tree;
  }

  /** After a batch: lets V8 collect the batch's dead tree wrappers (see the note above). */
  releaseTrees(): void {
    const gc = collector();
    if (!gc) return;
    if (this.sinceFull >= fullCollectChars) {
      this.sinceFull = 0;
      gc({ type: 'major' });
    } else gc({ type: 'minor' });
  }
}

function errorCount(tree: Parser.Tree): number {
  return tree.rootNode.descendantsOfType('ERROR').length + (tree.rootNode.hasError ? 1 : 0);
}
