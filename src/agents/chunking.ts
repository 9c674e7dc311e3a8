/**
 * Where a file is cut into the pieces the coder (or the tester) writes one at a time, each after
 * its own refined reasoning. A file that fits the target size is one piece. A longer one is cut at
 * its top-level definitions first (each piece ends where a definition ends and holds what precedes
 * it: imports, comments, blank lines); a piece still over the target is cut at its natural parts,
 * read off the syntax tree: a class, impl or struct at its members (the header up to the first
 * member, then each member with the comments, decorators and attributes above it), a long function
 * at the statements of its body, a test suite at its cases, a table at its rows. Parts too short to
 * stand alone are grouped with their neighbours. A prose document (Markdown, reStructuredText, plain
 * text) over the target is cut at its sections, and a long section at its paragraphs (never inside
 * a fenced or an indented block); the coder writes each piece after its own searched reasoning.
 * Data and configuration (JSON, YAML, lock files) have no grammar here and are one piece, written
 * without a search.
 *
 * Invariants: pieces are whole lines, in order, and cover the file, so their texts concatenate to
 * it exactly; a cut is only ever made between two siblings of the syntax tree that lie on different
 * lines, so no piece starts or ends inside a token (a string, a comment) or inside a line; a
 * document is only cut before a heading or a paragraph (after a blank line, at the margin), never
 * inside a fence.
 */
import Parser from 'tree-sitter';
import { languageFor } from '../graph/mod.ts';
import type { Definition, LanguageId } from '../graph/types.ts';
import { isListStart, isTableRow, proseLines } from '../search/facts/prose.ts';

/** The default size past which a chunk is cut further, in characters (lines: the workspace's `maxChunkLines`). */
export const DEFAULT_CHUNK_CHARS = 2_000;

export interface ChunkTarget {
  /** A piece longer than this many lines is cut further, where the syntax allows. */
  maxLines: number;
  /** A piece longer than this many characters is cut further, where the syntax allows. */
  maxChars: number;
}

/** 1-based, inclusive line numbers of a piece. */
export interface LineRange {
  startLine: number;
  endLine: number;
}

export interface ChunkPlanInput {
  content: string;
  language: LanguageId | null;
  /** The file's top-level definitions, in order: the first cuts of a file over the target. */
  topLevel: readonly Pick<Definition, 'startLine' | 'endLine'>[];
  target: ChunkTarget;
  /** The file is a prose document (src/search/facts/prose.ts): cut at its sections and paragraphs; `html`: an HTML page. */
  prose?: boolean | 'html';
}

/** The lines of `content` with the offsets that size a range of them. */
class Lines {
  readonly count: number;
  /** offsets[i]: characters before line i + 1 (each line with its newline). */
  private readonly offsets: number[];

  constructor(readonly all: readonly string[]) {
    this.count = all.length;
    this.offsets = [0];
    for (const l of all) this.offsets.push(this.offsets.at(-1)! + l.length + 1);
  }

  chars(r: LineRange): number {
    return this.offsets[r.endLine]! - this.offsets[r.startLine - 1]!;
  }

  lines(r: LineRange): number {
    return r.endLine - r.startLine + 1;
  }

  fits(r: LineRange, t: ChunkTarget): boolean {
    return this.lines(r) <= t.maxLines && this.chars(r) <= t.maxChars;
  }

  text(r: LineRange): string {
    return this.all.slice(r.startLine - 1, r.endLine).join('\n') + (r.endLine === this.count ? '' : '\n');
  }
}

/** Line ranges of the pieces `content` is written in; see the module comment. */
export function planChunks(input: ChunkPlanInput): LineRange[] {
  const lines = new Lines(input.content.split('\n'));
  const whole = { startLine: 1, endLine: lines.count };
  if (lines.fits(whole, input.target)) return [whole];
  if (input.prose) return proseRanges(lines, input.target, input.prose === 'html');
  // Data and config are written whole, without a search: a cut would only add writes.
  if (!input.language) return [whole];
  const tree = parse(input.language, input.content);
  if (!tree) return topLevelRanges(lines, input.topLevel);
  try {
    const root = tree.rootNode;
    const out: LineRange[] = [];
    for (const r of topLevelRanges(lines, syntaxEnds(root, input.topLevel))) {
      out.push(...(lines.fits(r, input.target) ? [r] : packShort(lines, partsOf(root, r, lines, input.target), input.target)));
    }
    return out;
  } finally {
    (tree as { delete?: () => void }).delete?.();
  }
}

/** Texts of the pieces, in order: each but the last ends with its newline, so they join to the file. */
export function rangeTexts(content: string, ranges: readonly LineRange[]): string[] {
  const lines = new Lines(content.split('\n'));
  return ranges.map((r) => lines.text(r));
}

/**
 * The definition a piece is about: the outermost definition that starts in it (a method, or the
 * class whose header it holds), else the innermost one it starts inside (a part of a long
 * function's body); none for a piece outside every definition.
 */
export function ownDefinition<D extends Pick<Definition, 'startLine' | 'endLine'>>(r: LineRange, definitions: readonly D[]): D | undefined {
  let own: D | undefined;
  for (const d of definitions) {
    if (d.startLine < r.startLine || d.startLine > r.endLine) continue;
    if (!own || d.startLine < own.startLine || (d.startLine === own.startLine && d.endLine > own.endLine)) own = d;
  }
  if (own) return own;
  let around: D | undefined;
  for (const d of definitions) if (d.startLine < r.startLine && d.endLine >= r.startLine && (!around || d.startLine >= around.startLine)) around = d;
  return around;
}

// ---- the top-level cuts ----

const CLOSING_ONLY = /^[\s})\];]*$/;
const COMMENT_ONLY = /^\s*(\/\/\/?|#|\*|\/\*\*?|--)/;

/**
 * Each piece ends where a top-level definition ends and holds everything since the previous one;
 * what follows the last definition is a piece of its own, unless it is only blank lines, comments
 * and closing brackets (then the last piece takes it).
 */
function topLevelRanges(lines: Lines, topLevel: ChunkPlanInput['topLevel']): LineRange[] {
  const out: LineRange[] = [];
  let start = 1;
  for (const d of topLevel) {
    if (d.endLine < start || d.endLine >= lines.count) continue;
    out.push({ startLine: start, endLine: d.endLine });
    start = d.endLine + 1;
  }
  if (start <= lines.count) {
    const tail = lines.all.slice(start - 1);
    if (out.length > 0 && tail.every((l) => CLOSING_ONLY.test(l) || COMMENT_ONLY.test(l))) out.at(-1)!.endLine = lines.count;
    else out.push({ startLine: start, endLine: lines.count });
  }
  return out;
}

/**
 * The top-level definitions with their ends moved to the end of the top-level node each starts in
 * (a C definition is its declarator to the graph, its body follows), and past any node that starts
 * before that end and ends after it: a cut there falls between two nodes of the tree.
 */
function syntaxEnds(root: Parser.SyntaxNode, topLevel: ChunkPlanInput['topLevel']): LineRange[] {
  const nodes = root.namedChildren;
  return topLevel.map((d) => {
    let end = d.endLine;
    for (const n of nodes) {
      if (firstLine(n) > end) break;
      if (lastLine(n) > end) end = lastLine(n);
    }
    return { startLine: d.startLine, endLine: end };
  });
}

// ---- cutting at the syntax tree ----

const parsers = new Map<LanguageId, Parser>();

function parse(language: LanguageId, content: string): Parser.Tree | undefined {
  let p = parsers.get(language);
  if (!p) {
    p = new Parser();
    p.setLanguage(languageFor(language));
    parsers.set(language, p);
  }
  try {
    return p.parse(content);
  } catch {
    p.reset();
    return undefined;
  }
}

/** Nodes that belong with what follows them: a doc comment, a decorator, an attribute. */
const LEADING = /comment|^decorator$|^attribute_item$|^annotation$|^marker_annotation$/;

/** Nodes that are one token to a reader, whatever the grammar puts inside: never cut. */
const UNCUT = /string|comment|heredoc|regex|char_literal/;

const firstLine = (n: Parser.SyntaxNode) => n.startPosition.row + 1;
/** A node that ends at column 0 (a Python block, a C preprocessor line) ends on the line before. */
const lastLine = (n: Parser.SyntaxNode) => (n.endPosition.column === 0 && n.endPosition.row > n.startPosition.row ? n.endPosition.row : n.endPosition.row + 1);

/**
 * Where `node`'s children may be cut: before a named child that starts on a later line than the
 * previous child ends, unless that previous child is a comment or decorator (it goes with what it
 * precedes). Returned as the last line of the piece before each cut.
 */
function cutsBetweenChildren(node: Parser.SyntaxNode): number[] {
  const cuts: number[] = [];
  const children = node.children;
  for (let i = 1; i < children.length; i++) {
    const prev = children[i - 1]!;
    const next = children[i]!;
    if (!next.isNamed) continue;
    // A comment with a blank line after it stands apart (a run of commented-out code, notes).
    if (LEADING.test(prev.type) && !(/comment/.test(prev.type) && lastLine(prev) + 1 < firstLine(next))) continue;
    if (lastLine(prev) < firstLine(next)) cuts.push(firstLine(next) - 1);
  }
  if (IF.test(node.type)) cuts.push(...elseCuts(node));
  return [...new Set(cuts)].sort((a, b) => a - b);
}

const IF = /^if_(statement|expression)$/;

/**
 * The cuts of an `if ... else if ... else` chain: before each line that goes on to the next link
 * (`} else if (...) {`), between the last statement of the block that closes there and its brace.
 */
function elseCuts(node: Parser.SyntaxNode): number[] {
  const cuts: number[] = [];
  let link: Parser.SyntaxNode | undefined = node;
  for (let depth = 0; link && depth < 256; depth++) {
    const consequence = link.childForFieldName('consequence');
    const alternative = link.childForFieldName('alternative');
    if (!consequence || !alternative) break;
    const inner = consequence.namedChildren.filter((c) => !/comment/.test(c.type)).at(-1);
    if (firstLine(alternative) > lastLine(consequence)) cuts.push(firstLine(alternative) - 1);
    else if (inner && lastLine(inner) < firstLine(alternative)) cuts.push(firstLine(alternative) - 1);
    const next: Parser.SyntaxNode | undefined = IF.test(alternative.type) ? alternative : alternative.namedChildren.find((c) => IF.test(c.type));
    link = next;
  }
  return cuts;
}

/** The child of `node` covering the most lines of `r`: where its structure continues. */
function widestChild(node: Parser.SyntaxNode, r: LineRange): Parser.SyntaxNode | undefined {
  let best: Parser.SyntaxNode | undefined;
  let bestLines = 0;
  for (const c of node.namedChildren) {
    const lines = Math.min(lastLine(c), r.endLine) - Math.max(firstLine(c), r.startLine) + 1;
    if (lines > bestLines) {
      best = c;
      bestLines = lines;
    }
  }
  return best;
}

/** The children of `node` that lie (at least partly) in `r`. */
function childrenIn(node: Parser.SyntaxNode, r: LineRange): Parser.SyntaxNode[] {
  return node.namedChildren.filter((c) => lastLine(c) >= r.startLine && firstLine(c) <= r.endLine);
}

/** A part of a range; `opens`: it is the header of what follows (a class's, a function's first lines). */
interface Part extends LineRange {
  opens?: boolean;
}

/**
 * Cuts `r` (a range `node` spans, with the lines around it that go with it) into parts that fit the
 * target where the syntax allows: between the children of `node` lying in `r`, or, when none of
 * their boundaries falls inside `r`, inside the child that covers the most of it. A part that does
 * not fit is cut again inside the one child it holds; so is the part after a header when the two
 * do not fit together, so the header goes with the start of what it opens. A range with no
 * structure left to cut (one long string, one long line) stays whole. `force`: cut even if `r` fits.
 */
function partsOf(node: Parser.SyntaxNode, r: LineRange, lines: Lines, target: ChunkTarget, force = false, depth = 0): Part[] {
  if ((!force && lines.fits(r, target)) || depth > 64 || UNCUT.test(node.type)) return [r];
  const cuts = cutsBetweenChildren(node).filter((c) => c >= r.startLine && c < r.endLine);
  if (cuts.length === 0) {
    const inner = widestChild(node, r);
    return inner ? partsOf(inner, r, lines, target, force, depth + 1) : [r];
  }
  const out: Part[] = [];
  let start = r.startLine;
  for (const [i, end] of [...cuts, r.endLine].entries()) {
    const part = { startLine: start, endLine: end };
    start = end + 1;
    const header = i === 0 && opensWith(node, part);
    const afterHeader = i === 1 && out[0]?.opens === true && !lines.fits({ startLine: out[0].startLine, endLine: end }, target);
    if (lines.fits(part, target) && !afterHeader) {
      out.push(header ? { ...part, opens: true } : part);
      continue;
    }
    const held = childrenIn(node, part).filter((c) => !LEADING.test(c.type));
    const main = held.length === 1 ? held[0] : widestChild(node, part);
    const inner: Part[] = main ? partsOf(main, part, lines, target, afterHeader, depth + 1) : [part];
    if (header) inner[0] = { ...inner[0]!, opens: true };
    out.push(...inner);
  }
  return out;
}

/**
 * Whether `first`, the first part of `node`, is its header: what opens it before its content (a
 * brace, `def ...:`, a signature before the body that holds most of it), not its first statement.
 */
function opensWith(node: Parser.SyntaxNode, first: LineRange): boolean {
  if (node.parent === null) return false;
  if (node.child(0)?.isNamed === false) return true;
  const span = lastLine(node) - firstLine(node) + 1;
  const body = node.namedChildren.find((c) => 2 * (lastLine(c) - firstLine(c) + 1) > span);
  return body !== undefined && firstLine(body) > first.endLine;
}

/** A part too short to stand alone: a closing brace, a last `return`, a lone opening line. */
function isTiny(lines: Lines, r: LineRange, target: ChunkTarget): boolean {
  return lines.lines(r) <= Math.max(2, Math.floor(target.maxLines / 12)) && lines.chars(r) <= target.maxChars / 12;
}

/**
 * Neighbouring parts are written together while together they stay within half the target: short
 * members (getters, one-line cases) go in small groups, a part of some length stands alone. A
 * header, and a part too short to stand alone, joins its neighbour whenever the two fit the target.
 */
function packShort(lines: Lines, parts: readonly Part[], target: ChunkTarget): LineRange[] {
  const half = { maxLines: Math.max(1, Math.floor(target.maxLines / 2)), maxChars: Math.max(1, Math.floor(target.maxChars / 2)) };
  const out: Part[] = [];
  for (const p of parts) {
    const last = out.at(-1);
    if (last) {
      const joined = { startLine: last.startLine, endLine: p.endLine };
      const attached = last.opens === true || isTiny(lines, last, target) || isTiny(lines, p, target);
      // A header goes forward, with what it opens, rather than back onto what came before.
      const forward = p.opens === true && last.opens !== true && !isTiny(lines, last, target);
      if (!forward && (lines.fits(joined, half) || (attached && lines.fits(joined, target)))) {
        last.endLine = p.endLine;
        last.opens = p.opens;
        continue;
      }
    }
    out.push({ ...p });
  }
  return out.map((p) => ({ startLine: p.startLine, endLine: p.endLine }));
}

// ---- cutting a document ----

/**
 * A document's pieces: its blocks (a heading or a paragraph, with the blank lines after it) packed
 * in order. A block joins the piece before it while the two fit the target; a block that opens a
 * section joins only while the two fit half the target (short sections go in small groups), or when
 * the piece before is a lone heading (a heading goes with what it opens). A block still over the
 * target is cut before its list items; one that cannot be cut (a long fence) stays whole.
 */
function proseRanges(lines: Lines, target: ChunkTarget, html: boolean): LineRange[] {
  const read = proseLines(lines.all, html);
  const starts: number[] = [];
  // Only an opening fence, never a line inside one, is marked as a paragraph.
  for (let i = 0; i < lines.count; i++) if (i === 0 || read[i]!.paragraph || read[i]!.heading !== undefined) starts.push(i + 1);
  const blocks: Array<Part & { heading: boolean }> = [];
  starts.forEach((s, k) => {
    const end = (starts[k + 1] ?? lines.count + 1) - 1;
    const block = { startLine: s, endLine: end };
    const heading = read[s - 1]!.heading !== undefined;
    if (lines.fits(block, target)) {
      blocks.push({ ...block, heading });
      return;
    }
    // Too long for one piece: cut before its items (a list's, at the outermost level that has
    // two or more; a table's rows), never inside a fence. Packing puts the items back together.
    let from = s;
    for (const l of itemStarts(lines, read, s, end)) {
      blocks.push({ startLine: from, endLine: l - 1, heading: heading && from === s });
      from = l;
    }
    blocks.push({ startLine: from, endLine: end, heading: heading && from === s });
  });
  const half = { maxLines: Math.max(1, Math.floor(target.maxLines / 2)), maxChars: Math.max(1, Math.floor(target.maxChars / 2)) };
  const out: Array<LineRange & { loneHeading: boolean }> = [];
  for (const b of blocks) {
    const last = out.at(-1);
    if (last) {
      const joined = { startLine: last.startLine, endLine: b.endLine };
      const fits = b.heading ? lines.fits(joined, half) || (last.loneHeading && lines.fits(joined, target)) : lines.fits(joined, target);
      if (fits || (last.loneHeading && !lines.fits(b, target))) {
        last.endLine = b.endLine;
        last.loneHeading = false;
        continue;
      }
    }
    out.push({ startLine: b.startLine, endLine: b.endLine, loneHeading: b.heading && isTiny(lines, b, target) });
  }
  return out.map((p) => ({ startLine: p.startLine, endLine: p.endLine }));
}

/** Lines (1-based, after `start`, up to `end`) where a long block's items start: see `proseRanges`. */
function itemStarts(lines: Lines, read: ReturnType<typeof proseLines>, start: number, end: number): number[] {
  const items: Array<{ line: number; indent: number }> = [];
  const rows: number[] = [];
  for (let l = start + 1; l <= end; l++) {
    const text = lines.all[l - 1]!;
    if (read[l - 1]!.fenced) continue;
    if (isListStart(text)) items.push({ line: l, indent: text.length - text.trimStart().length });
    else if (isTableRow(text)) rows.push(l);
  }
  const indents = [...new Set(items.map((i) => i.indent))].sort((a, b) => a - b);
  const level = indents.find((d) => items.filter((i) => i.indent <= d).length >= 2);
  const listCuts = level === undefined ? [] : items.filter((i) => i.indent <= level).map((i) => i.line);
  return [...new Set([...listCuts, ...rows])].sort((a, b) => a - b);
}
