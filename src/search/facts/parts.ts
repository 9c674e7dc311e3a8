/**
 * The natural parts of a target, read off its syntax tree: the top-level nodes of the chunk (a run
 * of comments is one part), or, where one node holds most of the chunk (a class, a function, a
 * table), the nodes of its body. A long target is a sequence of such parts, and the order in which
 * they come is what an engineer plans before writing it: "a comment first, then the loop, then the
 * call that does the work". The grounded proposer says that order (grounded-proposer.ts, the
 * `parts` item), one clause per part, so the reasoning before a long write grows with it.
 *
 * Invariant: parts are disjoint slices of the target, in order; a part never splits a token.
 */
import type Parser from 'tree-sitter';
import type { LanguageId } from '../../graph/mod.ts';
import { balanceFragment, withTree } from './syntax.ts';

export interface TargetPart {
  text: string;
  /** The part is comments only (a doc comment, notes, a licence). */
  comment: boolean;
}

/** Parts more than this are read as one trailing part: a clause each would say little. */
const MAX_PARTS = 64;

const isComment = (n: Parser.SyntaxNode): boolean => /comment/.test(n.type);

/** The node whose children are the target's parts: down through any node that holds most of it. */
function spreadNode(root: Parser.SyntaxNode): Parser.SyntaxNode {
  let node = root;
  for (let depth = 0; depth < 12; depth++) {
    const span = node.endIndex - node.startIndex;
    const kids = node.namedChildren;
    const widest = kids.reduce<Parser.SyntaxNode | undefined>((a, b) => (!a || b.endIndex - b.startIndex > a.endIndex - a.startIndex ? b : a), undefined);
    if (!widest || isComment(widest) || /string|regex/.test(widest.type)) return node;
    if ((widest.endIndex - widest.startIndex) * 10 < span * 7 || widest.namedChildCount === 0) return node;
    node = widest;
  }
  return node;
}

/** The parts of `target` (see the module comment); one part when the tree shows none. */
export function targetParts(target: string, language: LanguageId): TargetPart[] {
  const text = balanceFragment(target, language);
  const parts = withTree(language, text, (root) => {
    const node = spreadNode(root);
    const out: Array<{ start: number; end: number; comment: boolean }> = [];
    for (const k of node.namedChildren) {
      const comment = isComment(k);
      const last = out.at(-1);
      if (last && ((comment && last.comment) || out.length >= MAX_PARTS)) {
        last.end = k.endIndex;
        last.comment &&= comment;
        continue;
      }
      out.push({ start: k.startIndex, end: k.endIndex, comment });
    }
    return out;
  });
  if (!parts || parts.length === 0) return [{ text: target, comment: false }];
  return parts.map((p) => ({ text: target.slice(p.start, Math.min(p.end, target.length)), comment: p.comment })).filter((p) => p.text.trim().length > 0);
}
