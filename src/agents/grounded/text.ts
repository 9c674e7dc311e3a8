/** Small wording helpers for grounded text: lists, code names, seeded choice of phrasing. */
import type { Rng } from '../../search/rng.ts';

export const code = (name: string): string => `\`${name}\``;

/**
 * `a`, `a and b`, `a, b and c`; at most `max` items, then "and N more" (in words past 99: a number
 * of three digits may be one of the answer's literals).
 */
export function list(items: readonly string[], max = 6): string {
  if (items.length === 0) return 'nothing';
  const shown = items.slice(0, max);
  const rest = items.length - shown.length;
  if (rest > 0) return `${shown.join(', ')} and ${rest < 100 ? rest : 'many'} more`;
  if (shown.length === 1) return shown[0]!;
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1]}`;
}

/** One of the phrasings, chosen by the seeded generator. */
export function choose(rng: Rng, ...options: string[]): string {
  return rng.pick(options);
}

export function firstSentence(text: string | undefined, max = 200): string | undefined {
  if (!text) return undefined;
  const clean = text.replace(/^#+\s*/gm, '').replace(/\s+/g, ' ').trim();
  const m = /^(.+?[.!?])(\s|$)/.exec(clean);
  const s = (m ? m[1]! : clean).slice(0, max).trim();
  return s.length > 0 ? s : undefined;
}

/** `1 file`, `3 files`; `many files` past 99 (see `list`). */
export function plural(n: number, word: string): string {
  return `${n < 100 ? n : 'many'} ${word}${n === 1 ? '' : 's'}`;
}

export { counted } from '../../search/grounded-proposer.ts';
export { actionOf, capitalized, imperativeOf, nounOf, pathWordsOf, phraseOf, wordsOf } from '../../search/name-words.ts';
