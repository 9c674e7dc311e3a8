/**
 * Doc comments, cleaned to their first sentence: JSDoc and Javadoc (block tags dropped, inline
 * `{@code x}` read as x), Rust `///` and `//!` (markdown links read as their text), Go and C
 * comment lines, Doxygen (`@brief` kept, other commands dropped), Python docstrings.
 */
import type Parser from 'tree-sitter';
import type { LanguageId } from '../../graph/mod.ts';
import { startsLine } from './syntax.ts';

const MAX_DOC_WORDS = 24;

/** The first sentence of the comment block that ends right above the target, cleaned. */
export function docComment(preceding: string, language: LanguageId = 'javascript'): string | undefined {
  const text = preceding.trimEnd();
  if (text.endsWith('*/')) {
    const start = text.lastIndexOf('/*');
    if (start < 0) return undefined;
    // A comment after code on its line is about that line (`int x; /* bytes */`), not what follows.
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    if (!/^\s*$/.test(text.slice(lineStart, start))) return undefined;
    return commentDoc(text.slice(start), language);
  }
  const lines = text.split('\n');
  const got: string[] = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!/^\s*\/\//.test(lines[i]!)) break;
    got.unshift(lines[i]!);
  }
  return got.length > 0 ? commentDoc(got.join('\n'), language) : undefined;
}

/** Whether a comment's text is a doc comment in `language` (C, C++, Go, JS: any comment). */
export function isDocComment(text: string, language: LanguageId): boolean {
  if (language === 'rust') return /^(\/\/\/(?!\/)|\/\*\*(?!\*)|\/\/!|\/\*!)/.test(text);
  if (language === 'java') return /^\/\*\*(?!\*)/.test(text);
  // Go directives and build constraints are no documentation.
  if (language === 'go' && /^\/\/(go:|line |export |extern |\s*\+build)/.test(text)) return false;
  return text.startsWith('//') || text.startsWith('/*');
}

/** The cleaned first sentence of one comment (or a run of line comments), or undefined. */
export function commentDoc(comment: string, language: LanguageId): string | undefined {
  return firstSentence(cleanMarkup(commentBody(comment), language));
}

/** The cleaned first paragraph of a comment (or a run of line comments), whitespace collapsed. */
export function commentParagraph(comment: string, language: LanguageId): string | undefined {
  return firstParagraph(cleanMarkup(commentBody(comment), language));
}

/** The first paragraph of a Python docstring (the string literal's text). */
export function docstringParagraph(literal: string): string | undefined {
  const body = docstringBody(literal);
  return body === undefined ? undefined : firstParagraph(body);
}

/** A comment's text without its markers: `/*`, `*` margins, `//`, `///`, `//!`. */
function commentBody(comment: string): string {
  let body: string;
  if (comment.startsWith('/*')) {
    body = comment
      .replace(/^\/\*[*!]?/, '')
      .replace(/\*+\/$/, '')
      .split('\n')
      .map((l) => l.replace(/^\s*\*+(?!\/)\s?/, ''))
      .join('\n');
  } else {
    body = comment
      .split('\n')
      .map((l) => l.replace(/^\s*\/\/[/!]?<?\s?/, ''))
      .join('\n');
  }
  return body;
}

/** The first sentence of a Python docstring (the string node's text, quotes and prefix included). */
export function docstringDoc(literal: string): string | undefined {
  const body = docstringBody(literal);
  return body === undefined ? undefined : firstSentence(body);
}

function docstringBody(literal: string): string | undefined {
  return /^[rRuUbBfF]{0,2}("""|'''|"|')([\s\S]*?)(\1)?$/.exec(literal.trim())?.[2];
}

/** Markup that is no prose: Javadoc and Doxygen tags, HTML, markdown links and emphasis. */
function cleanMarkup(body: string, language: LanguageId): string {
  let text = body
    // Doxygen's brief description is the doc; other block commands end it.
    .replace(/(^|\n)\s*[@\\]brief\s+/g, '$1')
    .replace(/(^|\n)\s*[@\\](param|return|returns|throws|exception|see|since|author|version|deprecated|apiNote|implSpec|implNote|serial|tparam|retval|note|pre|post|example)\b[\s\S]*$/, '$1');
  text = text
    .replace(/\{@(?:code|literal|value)\s+([^}]*)\}/g, '$1')
    .replace(/\{@link(?:plain)?\s+([^}\s]+)(?:\s+([^}]*))?\}/g, (_, target: string, label?: string) => label?.trim() || target.replace(/^#/, '').replace(/#/g, '.').replace(/\(.*$/, ''))
    .replace(/\{@inheritDoc\}/g, '')
    .replace(/<\/?[a-zA-Z][^>]*>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&nbsp;/g, ' ')
    .replace(/&amp;/g, '&');
  if (language === 'rust' || language === 'go') {
    text = text
      .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/\[(`[^`\]]+`)\](?!\()/g, '$1')
      .replace(/\[([^\]`]+)\](?![(:])/g, '$1')
      .replace(/(^|\n)\s*\[[^\]]+\]:.*$/gm, '');
  }
  return text;
}

/** The first paragraph (up to a blank line or a code fence), whitespace collapsed. */
function firstParagraph(body: string): string | undefined {
  const paragraph = (body.replace(/^\s*\n/, '').split(/\n\s*\n/)[0] ?? '').replace(/^\s*(```|~~~)[\s\S]*$/m, '');
  const flat = paragraph.replace(/^\*+/, '').replace(/\s+/g, ' ').trim();
  return /[A-Za-z]/.test(flat) ? flat : undefined;
}

/** The first sentence of the first paragraph, whitespace collapsed, capped at 24 words. */
export function firstSentence(body: string): string | undefined {
  const flat = firstParagraph(body);
  if (flat === undefined) return undefined;
  const sentence = sentenceEnd(flat);
  const words = sentence.split(' ');
  return words.length > MAX_DOC_WORDS ? words.slice(0, MAX_DOC_WORDS).join(' ') + ' ...' : sentence;
}

const ABBREVIATION = /(?:\b(?:e\.g|i\.e|etc|vs|cf|approx|resp|incl)|\.\.)$/i;

function sentenceEnd(text: string): string {
  const re = /[.!?](?=\s|$)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const upTo = text.slice(0, m.index);
    if (m.index + 1 < 8 || ABBREVIATION.test(upTo)) continue;
    return text.slice(0, m.index + 1);
  }
  return text;
}

/**
 * The doc comment right above `anchor` in the target: the run of comments that ends on the line
 * before it (or before the attributes between them), each starting its own line. `skip` says
 * which siblings stand between a doc comment and its definition (Rust attributes).
 */
export function docAboveNode(anchor: Parser.SyntaxNode, text: string, language: LanguageId, skip: (n: Parser.SyntaxNode) => boolean = () => false): string | undefined {
  let top = anchor;
  let prev = anchor.previousNamedSibling;
  while (prev && skip(prev) && endRow(prev) >= top.startPosition.row - 1) {
    top = prev;
    prev = prev.previousNamedSibling;
  }
  const run: Parser.SyntaxNode[] = [];
  let row = top.startPosition.row;
  while (prev && /comment/.test(prev.type) && endRow(prev) >= row - 1 && endRow(prev) <= row && startsLine(prev, text)) {
    // The nearest comments are the doc; a plain comment above them is not part of it.
    if (!isDocComment(prev.text, language)) break;
    run.unshift(prev);
    row = prev.startPosition.row;
    prev = prev.previousNamedSibling;
  }
  if (run.length === 0) return undefined;
  // Rust `///` lines are one comment each; a block comment stands alone.
  const block = run[run.length - 1]!;
  if (block.text.startsWith('/*')) return commentDoc(block.text, language);
  const lines = run.filter((c) => c.text.startsWith('//')).map((c) => c.text.trimEnd());
  return commentDoc(lines.join('\n'), language);
}

/** The last row a node covers (a line comment's node may end at column 0 of the next row). */
function endRow(n: Parser.SyntaxNode): number {
  return n.endPosition.column === 0 && n.endPosition.row > n.startPosition.row ? n.endPosition.row - 1 : n.endPosition.row;
}
