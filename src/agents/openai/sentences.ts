/**
 * Sentences of a model's prose, the unit a boundary repair keeps or drops. A sentence ends at
 * `.`, `!` or `?` (with any closing quote or bracket) before whitespace or the end, and at a line
 * break; never inside a `code span`, and a dot inside a word (`a.b`, `3.14`, `src/x.ts`) ends
 * nothing. Each sentence keeps the whitespace after it, so kept sentences join back as written.
 */

export interface Sentence {
  text: string;
  /** The whitespace that followed it in the original. */
  after: string;
}

const ENDS = new Set(['.', '!', '?']);
const CLOSERS = new Set([')', ']', '"', "'", '”', '’']);

export function sentencesOf(text: string): Sentence[] {
  const out: Sentence[] = [];
  const n = text.length;
  let start = 0;
  let inCode = false;
  const cut = (end: number): number => {
    let next = end;
    while (next < n && /\s/.test(text[next]!)) next++;
    const body = text.slice(start, end).trim();
    if (body.length > 0) out.push({ text: body, after: text.slice(end, next) });
    else if (out.length > 0) out[out.length - 1]!.after += text.slice(start, next);
    start = next;
    return next;
  };
  for (let i = 0; i < n; i++) {
    const c = text[i]!;
    if (c === '`') {
      // An unclosed backtick is a stray character, not the start of a span that swallows the rest.
      if (inCode || text.indexOf('`', i + 1) >= 0) inCode = !inCode;
      continue;
    }
    if (inCode) continue;
    if (c === '\n') {
      i = cut(i) - 1;
      continue;
    }
    if (!ENDS.has(c)) continue;
    let end = i + 1;
    while (end < n && CLOSERS.has(text[end]!)) end++;
    if (end === n || /\s/.test(text[end]!)) i = cut(end) - 1;
  }
  if (start < n) cut(n);
  return out;
}

/** The sentences' texts. */
export function splitSentences(text: string): string[] {
  return sentencesOf(text).map((s) => s.text);
}

/** Sentences joined back with the whitespace that followed each (the last one's dropped). */
export function joinSentences(sentences: readonly Sentence[]): string {
  return sentences
    .map((s) => s.text + s.after)
    .join('')
    .trim();
}
