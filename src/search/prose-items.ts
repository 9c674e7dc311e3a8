/**
 * What the grounded proposer can say before a piece of a prose document (a section of a README, a
 * paragraph of a guide), inside the knowledge boundary: what the piece is for, from what is known
 * when it is written — the code names it mentions that the files written before define (docs
 * follow the code they document), the files it points to, its examples and their language, its
 * shape (a table, a list, prose), whether it opens a section or goes on with one — and never its
 * own words: no heading text, no sentence, no literal, and no name's words that its heading holds.
 *
 * Wordings open with content (the mentioned names' words, the example's language, the shape) where
 * there is some, so that what a document's pieces say varies with what they hold.
 */
import { isAmbient, namesIn } from '../boundary/mod.ts';
import type { LanguageId } from '../graph/mod.ts';
import type { FactItem } from './grounded-proposer.ts';
import { exampleLanguage, type ProseFacts } from './facts/prose.ts';
import { actionOf, capitalized, nounOf, pathWordsOf, wordsOf } from './name-words.ts';

type Item = FactItem;

const code = (name: string): string => `\`${name}\``;

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];
/** Counts in words, digits up to 99, then "many" (see grounded-proposer.ts `counted`). */
function counted(n: number, word: string, plural = `${word}s`): string {
  if (n === 1) return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
  return `${NUMBER_WORDS[n] ?? (n < 100 ? String(n) : 'many')} ${plural}`;
}

/** Languages whose keywords and builtins are nobody's definitions: a document naming `const` documents nothing. */
const LANGUAGES: LanguageId[] = ['javascript', 'typescript', 'python', 'go', 'rust', 'java', 'c', 'cpp'];
const isLanguageWord = (name: string): boolean => LANGUAGES.some((l) => isAmbient(l, name));

const DOTTED = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

/** A word as the heading test compares it: lower case, a plural's `s`, an `-ing` or `-ed` dropped. */
const stem = (w: string): string => w.toLowerCase().replace(/(?<=\w{3})(ing|ed|es|s)$/, '');

export interface ProseItemsInput {
  facts: ProseFacts;
  /** Whether a (dotted) name is inside the boundary. */
  knows: (name: string) => boolean;
  /** The document so far: names it already mentioned are not news. */
  preceding: string;
  /** The document's path. */
  path?: string;
  /** The design's responsibility for the document, when there is one. */
  responsibility?: string;
  /** The design's dependencies: for a document, the files whose code it documents, and which names. */
  dependencies?: ReadonlyArray<{ path: string; why: string }>;
}

/** Every statement the facts of a document's piece support; see the module comment. */
export function proseItems(input: ProseItemsInput): Item[] {
  const f = input.facts;
  const items: Item[] = [];
  const headingWords = new Set(f.headingTexts.flatMap((h) => wordsOf(h)).filter((w) => w.length >= 3).map(stem));
  const headingTexts = f.headingTexts.map((h) => h.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim()).filter((h) => h.split(' ').length >= 2);
  /** A wording that repeats a heading (its whole text, or a name's words that are the heading's) is not offered. */
  const clean = (w: string, nounWords: readonly string[] = []): boolean => {
    const flat = w.toLowerCase().replace(/`[^`]*`/g, ' ').replace(/[^a-z0-9]+/g, ' ');
    if (headingTexts.some((h) => ` ${flat} `.includes(` ${h} `))) return false;
    return nounWords.length === 0 || !nounWords.every((x) => headingWords.has(stem(x)));
  };
  type Wording = string | undefined | [string, readonly string[]];
  const keep = (wordings: readonly Wording[]): string[] =>
    wordings
      .filter((w): w is string | [string, readonly string[]] => w !== undefined)
      .filter((w) => (typeof w === 'string' ? clean(w) : clean(w[0], w[1])))
      .map((w) => (typeof w === 'string' ? w : w[0]));
  /** `fallback`: wordings that open alike whatever the piece holds, offered when no other one is. */
  const add = (id: string, names: string[], wordings: readonly Wording[], fallback: readonly Wording[] = []): void => {
    const kept = keep(wordings);
    const spare = keep(fallback);
    if (kept.length + spare.length > 0) items.push({ id, names: names.flatMap((n) => n.split('.')), wordings: kept, fallback: spare });
  };
  const doc = input.path ? pathWordsOf(input.path) : undefined;

  // The code names the piece mentions that the code written before defines: news first.
  // A name or path a heading holds is the heading's text: stating it would be copying it.
  const inHeading = (n: string): boolean => {
    const words = wordsOf(n.split('.').pop()!).map(stem);
    return f.headingTexts.some((h) => h.includes(n) || (words.length > 0 && words.every((w) => wordsOf(h).map(stem).includes(w))));
  };
  const mentioned = f.codeNames.filter((n) => DOTTED.test(n) && n.length >= 2 && !isLanguageWord(n.split('.')[0]!) && input.knows(n) && !inHeading(n));
  // Names the design says it documents first, then names new to the document, each in order.
  const documented = new Set((input.dependencies ?? []).flatMap((d) => namesIn(d.why)));
  const rank = (n: string) => (documented.has(n.split('.')[0]!) || documented.has(n.split('.').pop()!) ? 0 : 2) + (input.preceding.includes(n) ? 1 : 0);
  const ordered = mentioned.map((n, i) => ({ n, i })).sort((a, b) => rank(a.n) - rank(b.n) || a.i - b.i).map((x) => x.n);
  for (let g = 0; g < 3 && g * 3 < ordered.length; g++) {
    const group = ordered.slice(g * 3, g * 3 + 3);
    const l = list(group.map(code));
    const last = group.map((n) => n.split('.').pop()!);
    const nouns = [...new Set(last.map(nounOf).filter((x): x is string => x !== undefined))];
    const actions = [...new Set(last.map(actionOf).filter((x): x is string => x !== undefined))];
    const are = group.length === 1 ? 'is' : 'are';
    const nounWords = nouns.flatMap((n) => n.split(' '));
    add(`mentions:${g}`, group, [
      nouns.length > 0 ? [`${capitalized(list(nouns))}: this part explains ${l}, from the code written before.`, nounWords] : undefined,
      actions.length > 0 ? [`${capitalized(list(actions))}: what ${l} ${group.length === 1 ? 'does' : 'do'} is for the reader here.`, actions.flatMap((a) => a.split(' '))] : undefined,
      doc ? `The ${doc} doc turns to ${l} here.` : undefined,
    ], [`It documents ${l}, written before.`, `${l} ${are} what a reader meets here, as the code defines ${group.length === 1 ? 'it' : 'them'}.`]);
  }

  // Where the names come from: the files the design says the document documents.
  for (const dep of input.dependencies ?? []) {
    const names = ordered.filter((n) => namesIn(dep.why).includes(n.split('.')[0]!)).slice(0, 3);
    if (names.length === 0) continue;
    const l = list(names.map(code));
    const words = pathWordsOf(dep.path);
    add(`source:${dep.path}`, names, [
      `${l} ${names.length === 1 ? 'comes' : 'come'} from ${code(dep.path)}, written before: this part documents ${names.length === 1 ? 'it' : 'them'}.`,
      words ? [`The ${words} code, ${code(dep.path)}, is what this part documents: ${l}.`, words.split(' ')] : undefined,
      `What ${code(dep.path)} defines is documented here: ${l}.`,
    ]);
  }

  f.examples.slice(0, 3).forEach((ex, i) => {
    const lang = exampleLanguage(ex.language);
    const size = ex.lines > 0 ? counted(ex.lines, 'line') : undefined;
    if (lang === 'shell') {
      add(`example:${i}`, [], [
        `Shell commands show how it is run${size ? `: ${size}` : ''}.`,
        `A shell session follows${size ? `, ${size}` : ''}: the commands a reader types.`,
        `Commands to type come next, in a shell block.`,
      ]);
    } else if (lang) {
      add(`example:${i}`, [], [
        `${lang} code shows it in use${size ? `: ${size} of example` : ''}.`,
        `An example in ${lang} follows${size ? `, ${size}` : ''}.`,
        size ? `${capitalized(size)} of ${lang} ${ex.lines === 1 ? 'illustrates' : 'illustrate'} the point.` : undefined,
      ]);
    } else {
      add(`example:${i}`, [], [`A code block follows${size ? `, ${size}` : ''}.`, `Some code comes next${size ? `: ${size}` : ''}, as it is typed.`]);
    }
  });

  if (f.tableRows > 0) {
    add('table', [], [`A table of ${counted(f.tableRows, 'row')} sets it out.`, `Rows of a table, ${counted(f.tableRows, 'row')}, carry this part.`, `${capitalized(counted(f.tableRows, 'row'))} of a table: one entry each.`]);
  }
  if (f.listItems > 1) {
    const links = f.links >= f.listItems / 2 ? ', most of them links' : '';
    add('list', [], [`A list of ${counted(f.listItems, 'item')}${links}.`, `${capitalized(counted(f.listItems, 'item'))} in a list${links}: one point each.`, `Bullet points, ${counted(f.listItems, 'item')}${links}.`]);
  }
  if (f.paragraphs > 0) {
    const around = f.examples.length > 0 ? ', around the code' : '';
    add('prose', [], [
      `${capitalized(counted(f.paragraphs, 'paragraph'))} of prose${around}.`,
      `Prose carries it: ${counted(f.paragraphs, 'paragraph')}${around}.`,
      f.paragraphs === 1 ? `One paragraph says it${around}.` : `The prose runs to ${counted(f.paragraphs, 'paragraph')}${around}.`,
    ]);
  }
  if (input.preceding.trim().length === 0) {
    add('opening', [], [
      `The document opens with its title${f.images > 0 ? ' and its badges' : ''}.`,
      doc ? `First in the ${doc} doc: its title${f.images > 0 ? ', badges' : ''} and what it is about.` : undefined,
      `Its first lines say what the project is.`,
    ]);
  } else if (f.opensSection) {
    const levels = ['zero', 'one', 'two', 'three', 'four', 'five', 'six'];
    const level = levels[f.headings[0]!] ?? 'lower';
    add('section', [], [
      f.headings.length > 1 ? `${capitalized(counted(f.headings.length, 'short section'))} start here.` : `A new section starts here, under a level-${level} heading.`,
      f.headings.length > 1 ? `Several headings here: ${counted(f.headings.length, 'section')}, each short.` : `Level ${level}: a section of its own begins.`,
      `Next section, after what came before.`,
    ]);
  } else {
    add('section', [], [`The section before goes on here.`, `More of the same section follows.`, `It carries on where the last part stopped.`]);
  }
  // Paths of files the design says it documents, or that the document named before.
  const known = new Set((input.dependencies ?? []).map((d) => d.path));
  const paths = f.paths.filter((p) => (known.has(p) || input.preceding.includes(p)) && !inHeading(p));
  if (paths.length > 0) add('paths', [], [`It points to ${list(paths.slice(0, 3).map(code))}.`, `${list(paths.slice(0, 3).map(code))}: the files it refers to.`]);
  if (f.links >= 2 && f.listItems < 2) add('links', [], [`${capitalized(counted(f.links, 'link'))} lead elsewhere for more.`, `Links, ${counted(f.links, 'link')}, point to more.`]);
  const responsibility = input.responsibility?.trim().replace(/\.$/, '') ?? '';
  if (responsibility.length > 0 && responsibility.length <= 200) {
    const clause = /^[A-Z][a-z]/.test(responsibility) ? `${responsibility[0]!.toLowerCase()}${responsibility.slice(1)}` : responsibility;
    add('design', [], [`The document's job, from its design: ${clause}.`, `${capitalized(clause)}: this part is one piece of that.`]);
  }
  return items;
}
