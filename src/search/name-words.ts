/**
 * Names read as prose: the words of `parseOptionFlags` are "parse option flags", and the words of a
 * path are those of its file name. Plain words are not names to the knowledge boundary, so a name's
 * words can open a sentence where the name itself would be a code span; they are said only where
 * they read as words (`fmtq` or `Ok` glossed as a phrase is nonsense).
 */

/** The lower-case words of an identifier: camelCase, snake_case, kebab-case and digits split. */
export function wordsOf(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[^A-Za-z0-9]+/g, ' ')
    .trim()
    .toLowerCase()
    .split(' ')
    .filter((w) => w.length > 0);
}

/** Short words of English that carry no vowel or are below three letters and still read. */
const SHORT_WORDS = new Set(['a', 'an', 'as', 'at', 'be', 'by', 'do', 'go', 'if', 'in', 'is', 'it', 'no', 'of', 'on', 'or', 'to', 'up', 'we', 'my', 'by', 'io', 'id', 'ok']);

/** Whether a lower-case word reads as a word: letters only, a vowel, or a short word of English. */
export function isWord(word: string): boolean {
  if (!/^[a-z]+$/.test(word)) return false;
  if (SHORT_WORDS.has(word)) return true;
  if (word.length < 3) return false;
  // A run of four consonants (`strbuf`) or no vowel at all (`fmt`) is an abbreviation.
  return /[aeiouy]/.test(word) && !/[^aeiouy]{4}/.test(word);
}

/**
 * The words of a name when they read as a phrase: two words or more, each a word, one of them
 * three letters or longer. A single word (`Ok`, `Len`) is a name, not a phrase to gloss.
 */
export function phraseOf(name: string): string[] | undefined {
  if (isDunder(name)) return undefined;
  const w = wordsOf(name);
  if (w.length < 2 || w.length > 6) return undefined;
  if (!w.every(isWord) || !w.some((x) => x.length >= 3)) return undefined;
  return w;
}

/** The words of a name as a noun: a phrase, or a single word of three letters or more. */
export function nounOf(name: string): string | undefined {
  const phrase = phraseOf(name);
  if (phrase) return phrase.join(' ');
  if (isDunder(name)) return undefined;
  const w = wordsOf(name);
  return w.length === 1 && w[0]!.length >= 3 && isWord(w[0]!) ? w[0] : undefined;
}

/** `__all__`, `__init__`: a name the language gives a meaning to, not words of the code's own. */
const isDunder = (name: string): boolean => /^__\w+__$/.test(name);

/** Verbs names often start with: a name that starts with one reads as an action. */
const VERBS = new Set(
  (
    'accept add advance emit exit slice splice concat spawn listen trigger throw allocate append apply assert assign attach await begin bind build calculate call cancel capture check choose clean clear ' +
    'clone close collect combine commit compare compile complete compose compute configure connect consume contain convert copy count create ' +
    'decode declare define delete describe destroy detach detect dispatch drain drop dump emit enable encode end ensure enter escape evaluate exec execute ' +
    'exchange expand expect export extend extract fetch fill filter find finish fix flatten flush fold format free generate get grow handle hash hide ' +
    'ignore import include increment index initialize insert inspect install invoke iterate join keep link list load lock log lookup lower ' +
    'make map mark match measure merge move normalize notify open order output pack pad parse peek pick place poll pop prepare prepend print ' +
    'process produce push put quote raise read rebuild receive record reduce refresh register reject release reload remove render repeat replace ' +
    'report request require reset resize resolve restore resume retry return reverse rewrite rotate run save scan search select send serialize ' +
    'set setup shift show shrink sort split start stop store strip subscribe swap sync take tokenize trace transform translate traverse trim truncate ' +
    'try unescape unlink unlock unpack unquote unwrap update upper use validate verify visit wait walk wrap write yield'
  ).split(' '),
);

/** Verbs whose last syllable is stressed: the consonant doubles (`emitting`). */
const DOUBLING = new Set(['format', 'output', 'input', 'emit', 'commit', 'submit', 'admit', 'omit', 'permit', 'refer', 'prefer', 'occur', 'begin', 'forget', 'regret', 'unwrap', 'unzip']);

export function isVerb(word: string): boolean {
  return VERBS.has(word);
}

/** `parse` -> `parsing`, `set` -> `setting`, `write` -> `writing`. */
export function gerund(verb: string): string {
  if (verb.endsWith('ie')) return `${verb.slice(0, -2)}ying`;
  if (/[^aeiou]e$/.test(verb) && verb !== 'be') return `${verb.slice(0, -1)}ing`;
  const syllables = (verb.match(/[aeiouy]+/g) ?? []).length;
  if ((syllables === 1 || DOUBLING.has(verb)) && /[^aeiou][aeiou][^aeiouwxy]$/.test(verb)) return `${verb}${verb.slice(-1)}ing`;
  return `${verb}ing`;
}

const PREDICATES = new Set(['is', 'has', 'can', 'should', 'needs', 'must', 'was', 'does']);

/**
 * What a function named `name` does, as an action phrase (`parsing option flags`, `checking
 * whether it is empty`), when its name starts with a verb and reads as words.
 */
export function actionOf(name: string): string | undefined {
  if (isDunder(name)) return undefined;
  const w = wordsOf(name);
  if (w.length === 0 || !w.every(isWord)) return undefined;
  const [head, ...rest] = w;
  if (PREDICATES.has(head!) && rest.length > 0) return `checking whether it ${head} ${rest.join(' ')}`;
  if (!isVerb(head!)) return undefined;
  // `compareAndSet`: each verb after a conjunction is an action too ("comparing and setting").
  return [gerund(head!), ...rest.map((x, i) => (i > 0 && /^(and|or|then)$/.test(rest[i - 1]!) && isVerb(x) ? gerund(x) : x))].join(' ');
}

/** The imperative of the same action (`parse option flags`), for "to ..." phrases. */
export function imperativeOf(name: string): string | undefined {
  const w = wordsOf(name);
  if (w.length === 0 || !w.every(isWord) || !isVerb(w[0]!)) return undefined;
  return w.join(' ');
}

const PLAIN_STEMS = new Set(['index', 'mod', 'lib', 'main', 'init', '__init__', 'package', 'types', 'util', 'utils', 'common', 'core']);

/**
 * The words a path's file name is made of (`src/option-parser.ts` -> `option parser`), with the
 * directory's where the file name says nothing of its own (`index.ts`, `mod.rs`, `__init__.py`).
 */
export function pathWordsOf(path: string): string | undefined {
  const parts = path.split('/');
  const base = parts[parts.length - 1]!.replace(/\.[^.]*$/, '').replace(/\.(test|spec|d)$/, ' $1');
  const stem = base.replace(/^_+|_+$/g, '');
  const own = wordsOf(stem).filter((w) => !/^\d+$/.test(w));
  const dir = parts.length > 1 ? wordsOf(parts[parts.length - 2]!) : [];
  const words = PLAIN_STEMS.has(stem.toLowerCase()) && dir.length > 0 ? [...dir, ...(stem === 'types' ? ['types'] : [])] : own;
  if (words.length === 0 || words.length > 6 || !words.every(isWord)) return undefined;
  return words.join(' ');
}

export const capitalized = (s: string): string => (s.length > 0 ? `${s[0]!.toUpperCase()}${s.slice(1)}` : s);
