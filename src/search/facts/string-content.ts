/**
 * What a long string literal holds, read off its characters: how many characters a reader sees
 * (grapheme clusters) against its code points, the emoji among them and the hard cases of emoji
 * (sequences joined by zero-width joiners, skin-tone modifiers, flags, keycaps, variation
 * selectors), the Unicode blocks its emoji come from and the scripts of its letters. These are
 * facts about the data, said in words: none of them quotes the string, so a step can state them
 * before the string is written (a test's fixture of emoji, a table of CJK text).
 */

export interface StringContent {
  codePoints: number;
  /** What a reader counts as characters: extended grapheme clusters. */
  graphemes: number;
  /** Grapheme clusters that hold a pictographic emoji. */
  emoji: number;
  /** Emoji clusters joined by zero-width joiners (a family, a profession with a gender). */
  joined: number;
  /** Emoji clusters with a skin-tone modifier. */
  skinTones: number;
  /** Flags: pairs of regional indicators. */
  flags: number;
  /** Keycaps: a digit, `#` or `*` with the combining keycap. */
  keycaps: number;
  /** Emoji clusters with the emoji-presentation selector (U+FE0F). */
  presentation: number;
  /** The Unicode blocks the emoji come from, most used first. */
  emojiBlocks: string[];
  /** The scripts of the letters outside ASCII, most used first. */
  scripts: string[];
}

/** Emoji blocks, by their Unicode names. */
const BLOCKS: ReadonlyArray<[number, number, string]> = [
  [0x2600, 0x26ff, 'Miscellaneous Symbols'],
  [0x2700, 0x27bf, 'Dingbats'],
  [0x2b00, 0x2bff, 'Miscellaneous Symbols and Arrows'],
  [0x2190, 0x21ff, 'Arrows'],
  [0x2300, 0x23ff, 'Miscellaneous Technical'],
  [0x3000, 0x303f, 'CJK Symbols and Punctuation'],
  [0x3200, 0x32ff, 'Enclosed CJK Letters and Months'],
  [0x1f000, 0x1f02f, 'Mahjong Tiles'],
  [0x1f0a0, 0x1f0ff, 'Playing Cards'],
  [0x1f100, 0x1f1ff, 'Enclosed Alphanumeric Supplement'],
  [0x1f200, 0x1f2ff, 'Enclosed Ideographic Supplement'],
  [0x1f300, 0x1f5ff, 'Miscellaneous Symbols and Pictographs'],
  [0x1f600, 0x1f64f, 'Emoticons'],
  [0x1f680, 0x1f6ff, 'Transport and Map Symbols'],
  [0x1f900, 0x1f9ff, 'Supplemental Symbols and Pictographs'],
  [0x1fa70, 0x1faff, 'Symbols and Pictographs Extended-A'],
];

const SCRIPTS = ['Latin', 'Greek', 'Cyrillic', 'Armenian', 'Hebrew', 'Arabic', 'Devanagari', 'Bengali', 'Thai', 'Georgian', 'Hangul', 'Hiragana', 'Katakana', 'Han', 'Ethiopic'] as const;
const SCRIPT_RE = new Map(SCRIPTS.map((s) => [s, new RegExp(`^\\p{Script=${s}}$`, 'u')]));

const PICTOGRAPHIC = /\p{Extended_Pictographic}/u;
const MODIFIER = /\p{Emoji_Modifier}/u;
const REGIONAL = /\p{Regional_Indicator}/gu;

function blockOf(cp: number): string | undefined {
  return BLOCKS.find(([lo, hi]) => cp >= lo && cp <= hi)?.[2];
}

function ranked(counts: Map<string, number>): string[] {
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([k]) => k);
}

export function stringContent(text: string): StringContent {
  const out: StringContent = { codePoints: 0, graphemes: 0, emoji: 0, joined: 0, skinTones: 0, flags: 0, keycaps: 0, presentation: 0, emojiBlocks: [], scripts: [] };
  const blocks = new Map<string, number>();
  const scripts = new Map<string, number>();
  for (const ch of text) {
    out.codePoints++;
    const cp = ch.codePointAt(0)!;
    if (cp <= 0x7f) continue;
    if (PICTOGRAPHIC.test(ch)) {
      const b = blockOf(cp);
      if (b) blocks.set(b, (blocks.get(b) ?? 0) + 1);
    } else if (/\p{L}/u.test(ch)) {
      const s = SCRIPTS.find((x) => SCRIPT_RE.get(x)!.test(ch));
      if (s) scripts.set(s, (scripts.get(s) ?? 0) + 1);
    }
  }
  for (const { segment } of new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)) {
    out.graphemes++;
    const regional = segment.match(REGIONAL)?.length ?? 0;
    if (regional >= 2) out.flags++;
    if (segment.includes('\u20e3')) out.keycaps++;
    if (!PICTOGRAPHIC.test(segment)) continue;
    out.emoji++;
    if (segment.includes('\u200d')) out.joined++;
    if (MODIFIER.test(segment)) out.skinTones++;
    if (segment.includes('\ufe0f')) out.presentation++;
  }
  out.emojiBlocks = ranked(blocks);
  out.scripts = ranked(scripts);
  return out;
}
