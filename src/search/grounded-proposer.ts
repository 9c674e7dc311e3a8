/**
 * The grounded proposer: offline, deterministic for a seed, built from facts about the target
 * (facts.ts), stated only as far as the knowledge boundary allows (docs/reasoning.md): what an
 * engineer can think before writing the code. Its purpose (the doc comment already written, the
 * design, a declared name), its shape without its names (an async function of two parameters, two
 * branches and a loop), which known dependencies it calls, that it throws a known error class,
 * extends a known base, returns something of a known kind.
 *
 * What only the code itself can say is never offered: its locals, its parameters' names, its
 * string literals, the fields and members of its own objects — stating those is restating the
 * answer, and the search's guard refuses it anyway.
 *
 * Each fact becomes an item with a few wordings; a request draws `k` items not yet stated in the
 * steps so far, without replacement, with probability growing with the prior (Gumbel top-k: the
 * seed varies the choice and the order), and one wording each (the seed varies the wording). The
 * prior of an item is larger when it names more of the target's (known) identifiers not named yet.
 *
 * Boundary: a wording is offered only when every name it states (`statedNames`, the boundary's own
 * reading of prose) is in `knownIdentifiers` or is the language's (`isAmbient`).
 */
import { createRng, mixSeed, type Rng } from './rng.ts';
import { targetFacts, type ImportBinding, type TargetFacts } from './facts.ts';
import { isAmbient, literalsOf, namesIn, quotesString, statedNames } from '../boundary/mod.ts';
import type { LanguageId } from '../graph/mod.ts';
import type { Proposal, ProposalRequest, Proposer } from './proposer.ts';
import { actionOf, capitalized, imperativeOf, nounOf, pathWordsOf, phraseOf } from './name-words.ts';
import { isHtmlPath, isProsePath, proseFacts } from './facts/prose.ts';
import { emptyFacts } from './facts/types.ts';
import { proseItems } from './prose-items.ts';
import { identifierCounts } from './facts.ts';
import { targetParts, type TargetPart } from './facts/parts.ts';
import { stringContent, type StringContent } from './facts/string-content.ts';
import { dataItems, isDataPath } from './facts/data.ts';
import { about, NUMBER_WORDS } from './facts/count-words.ts';

/** What the proposer knows of the file's design (a `FileDesign`, structurally). */
export interface DesignNote {
  responsibility: string;
  publicInterface: readonly string[];
  dependencies: ReadonlyArray<{ path: string; why: string }>;
}

export interface GroundedProposerOptions {
  language?: LanguageId;
  /** Text before the target in its file (for the doc comment). */
  preceding?: string;
  imports?: readonly ImportBinding[];
  /**
   * The names inside the knowledge boundary at the target: steps may state these and the
   * language's own, nothing else. Absent: only the language's own.
   */
  knownIdentifiers?: ReadonlySet<string>;
  /** The design of the file, when the architect wrote one. */
  design?: DesignNote;
  /** The file the target is in (its words are said of it). */
  path?: string;
  /** Facts computed elsewhere (skips parsing). */
  facts?: TargetFacts;
}

/** A statement the proposer can make, with its wordings. */
export interface FactItem {
  id: string;
  names: string[];
  wordings: string[];
  /** Wordings that open alike for any target: offered only when the boundary keeps every one of `wordings` back. */
  fallback?: string[];
  /** Added to the item's prior: how much more than its names it says (the order of a long target's parts). */
  weight?: number;
}

/** The names a step states, as the boundary reads them (code spans, code-shaped words, calls, dotted names). */
export function namedIdentifiers(step: string): string[] {
  return namesIn(step);
}

/** Heads whose members belong to the code at hand (as the boundary's guard reads them). */
const OWN_HEADS = new Set(['this', 'self', 'cls', 'super', 'Self', 'crate']);

/** Whether every name `text` states is known or the language's (a builtin's member included). */
export function statesOnlyKnown(text: string, known: ReadonlySet<string>, language: LanguageId | null): boolean {
  return statedNames(text).every(
    ({ name, head }) =>
      known.has(name) || isAmbient(language, name) || (head !== undefined && head !== name && !OWN_HEADS.has(head) && isAmbient(language, head)),
  );
}

const code = (name: string): string => `\`${name}\``;

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function chunks<T>(items: readonly T[], size: number, max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length && out.length < max; i += size) out.push(items.slice(i, i + size));
  return out;
}


/**
 * `two branches`, `a loop`, `25 calls`, `many types`: counts in words, digits up to 99, then
 * "many" (a number of three digits may be one of the answer's literals).
 */
export function counted(n: number, word: string, plural = `${word}s`): string {
  if (n === 1) return `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
  return `${NUMBER_WORDS[n] ?? (n < 100 ? String(n) : 'many')} ${plural}`;
}

const isKeywordName = (name: string): boolean => ['import', 'from', 'export', 'package', 'use', 'include'].includes(name);

const KIND_WORD: Record<TargetFacts['kind'], string> = { function: 'function', class: 'class', method: 'method', constant: 'constant', other: 'definition' };

/** Whether a name is a single identifier or a dotted chain of them. */
const DOTTED = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

/** How a sentence about the target refers to it: by its name's words where they read, else by its file's, else by kind. */
interface Subject {
  /** `the push front method`, `this function`: lower case, to open a sentence capitalized. */
  noun: string;
  /** Whether `noun` is made of content words (the target's or its file's): it varies with the code. */
  own: boolean;
  /** Other ways to say `noun` (a file's part), one chosen per statement so that they do not all open alike. */
  forms?: string[];
}

function subjectOf(f: TargetFacts, named: boolean, file: string | undefined): Subject {
  const kind = KIND_WORD[f.kind];
  const noun = named && f.name !== undefined ? nounOf(f.name) : undefined;
  if (noun) return { noun: `the ${noun} ${kind}`, own: true };
  // An unnamed target (a member whose name is the answer, a statement) is the file's next part.
  if (file) {
    const part = f.kind === 'other' ? 'part' : kind;
    const forms = [`the ${file} file's next ${part}`, `this ${file} ${part}`, `${file}'s next ${part}`];
    if (f.kind === 'function' || f.kind === 'method') forms.push(`a ${f.params.length === 0 ? 'parameterless' : `${NUMBER_WORDS[f.params.length] ?? 'many'}-parameter`} ${part} of the ${file} file`);
    return { noun: forms[0]!, own: true, forms };
  }
  return { noun: f.kind === 'other' ? 'this code' : `this ${kind}`, own: false };
}

/** The action a callee's name (its last part) reads as: `l.insertValue` -> `inserting value`. */
const calleeAction = (callee: string): string | undefined => actionOf(callee.split('.').pop()!);

/** The words a callee's name (its last part) reads as: `z.nativeEnum` -> `native enum`. */
const calleeWords = (callee: string): string | undefined => nounOf(callee.split('.').pop()!);

/** `TypeError` -> `a type error`: an error class read as words, when it reads. */
function errorWords(name: string): string | undefined {
  const phrase = phraseOf(name);
  if (!phrase || !/^(error|exception|failure|panic)$/.test(phrase[phrase.length - 1]!)) return undefined;
  const text = phrase.join(' ');
  return `${/^[aeiou]/.test(text) ? 'an' : 'a'} ${text}`;
}

/** What most of a target is when it is not code to run: comment lines, commented-out code, one long string. */
interface Bulk {
  lines: number;
  commentLines: number;
  /** Comment lines that read as code (`// const x = f(y);`): code kept, switched off. */
  commentedCode: number;
  /** The longest string literal, its length, and whether it is mostly outside ASCII. */
  longest: string;
  longestString: number;
  nonAscii: boolean;
  /** The comment is a licence or copyright notice. */
  licence: boolean;
  /** The comment lines' text, markers taken off, one per line (blank lines kept: they part paragraphs). */
  comment: string[];
}

/** What a licence or copyright notice says. */
const LICENCE = /\bcopyright\s*(\(c\)|©|\d{4})|licen[cs]ed under|spdx-license|all rights reserved|permission is hereby granted|general public licen[cs]e/i;

const COMMENTED_CODE = /([;{}(),]\s*$|^\s*(const|let|var|function|return|if|for|while|import|export|def|class|public|private|static|int|void|fn|func|type|interface)\b|=>|\w\(.*\)\s*;?\s*$)/;

function bulkOf(target: string, language: LanguageId | null): Bulk {
  const lines = target.split('\n').filter((l) => l.trim().length > 0);
  let commentLines = 0;
  let commentedCode = 0;
  let licence = false;
  let inBlock = false;
  const comment: string[] = [];
  const hash = language === 'python';
  for (const l of lines) {
    let text: string | undefined;
    if (inBlock) {
      text = l.replace(/^\s*\*?/, '');
      if (l.includes('*/')) inBlock = false;
    } else if (/^\s*\/\*/.test(l)) {
      text = l.replace(/^\s*\/\*+/, '');
      inBlock = !l.includes('*/');
    } else if (/^\s*\/\//.test(l)) text = l.replace(/^\s*\/\/+!?/, '');
    else if (hash && /^\s*#/.test(l)) text = l.replace(/^\s*#+/, '');
    if (text === undefined) continue;
    comment.push(text);
    commentLines++;
    if (COMMENTED_CODE.test(text)) commentedCode++;
    if (LICENCE.test(text)) licence = true;
  }
  const longest = literalsOf(target, language).strings.reduce((a, b) => (b.length > a.length ? b : a), '');
  const outside = [...longest].filter((ch) => ch.codePointAt(0)! > 127).length;
  return { comment, lines: lines.length, commentLines, commentedCode, longest, longestString: longest.length, nonAscii: outside * 2 > [...longest].length, licence };
}

/** `about three thousand`, `many thousand`: a size in words (digits could be one of the answer's literals). */
function thousands(chars: number): string {
  const k = Math.max(1, Math.round(chars / 1000));
  return k <= 12 ? `about ${NUMBER_WORDS[k]} thousand` : 'many thousand';
}

/**
 * The words of what `target` awaits (`await app.inject(...)` -> `inject`), in order, once each:
 * the last part of each awaited callee whose name `known` says is known (its head may be the
 * target's own: the method of a known API is known), read as words.
 */
function awaitedWords(target: string, known: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const m of target.matchAll(/\bawait\s+(?:new\s+)?([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\s*[(<]/g)) {
    const last = m[1]!.split('.').pop()!;
    const words = known(last) ? nounOf(last) : undefined;
    if (words && !out.includes(words)) out.push(words);
    if (out.length >= 3) break;
  }
  return out;
}

/**
 * What a long comment in the target covers, before it is written: the known names it explains
 * (code-shaped words of the comment that files written before define, news first), how many
 * paragraphs it runs to and the examples it sets off as code. Its own words stay unsaid.
 */
function commentItems(comment: readonly string[], language: LanguageId | null, own: ReadonlySet<string>, knows: (name: string) => boolean, self: string | undefined, preceding: string): Array<{ id: string; names: string[]; wordings: string[] }> {
  const out: Array<{ id: string; names: string[]; wordings: string[] }> = [];
  const text = comment.join('\n');
  // Type-like and dotted names: a comment's lower-case words are its examples' locals as often as code.
  const mentioned = [...new Set(namesIn(text))].filter((n) => DOTTED.test(n) && n.length >= 3 && /[A-Z._]/.test(n) && n !== self && !own.has(n.split('.')[0]!) && knows(n) && !isAmbient(language, n.split('.')[0]!) && !isKeywordName(n));
  const news = rarestFirst(mentioned, preceding).slice(0, 4);
  let paragraphs = 0;
  let inParagraph = false;
  let examples = 0;
  let inExample = false;
  let sections = 0;
  for (const line of comment) {
    const blank = line.trim().length === 0;
    if (!blank && !inParagraph) paragraphs++;
    inParagraph = !blank;
    // An example: an indented run (Go, reStructuredText), a fence, `<pre>`, `{@code`, a doctest.
    const example = /^(\t| {3,})\S/.test(line) || /^\s*(```|<pre>|>>>)/.test(line) || /\{@code\s/.test(line);
    if (example && !inExample) examples++;
    inExample = example;
    if (/^\s*(<h[1-6][\s>]|#{1,3}\s+\S)/.test(line)) sections++;
  }
  // A long comment is planned by the known names each of its thirds turns to first.
  if (comment.length >= 40 && mentioned.length >= 4) {
    const third = Math.ceil(comment.length / 3);
    const seen = new Set<string>();
    const parts = [0, 1, 2].map((i) => {
      const here = [...new Set(namesIn(comment.slice(i * third, (i + 1) * third).join('\n')))].filter((n) => mentioned.includes(n) && !seen.has(n)).slice(0, 2);
      for (const n of here) seen.add(n);
      return here;
    });
    if (parts.every((x) => x.length > 0)) {
      const [a, b, c] = parts.map((x) => list(x.map(code)));
      const lead = nounOf(parts[0]![0]!.split('.').pop()!);
      out.push({ id: 'comment-outline', names: parts.flat(), wordings: [
        `The comment opens on ${a}, goes on to ${b} and ends with ${c}: that is its order.`,
        lead ? `${capitalized(lead)} opens the comment (${a}); then come ${b}, and last ${c}.` : `First ${a}, then ${b}, last ${c}: the comment takes them in that order.`,
      ] });
    }
  }
  if (news.length > 0) {
    const l = list(news.map(code));
    // Led by the words of what it explains, or of what it documents: comments differ as those do.
    const lead = nounOf(news[0]!.split('.').pop()!);
    const owner = self !== undefined && knows(self) ? nounOf(self) : undefined;
    out.push({ id: 'comment-names', names: news, wordings: [
      lead ? `${capitalized(lead)} leads what the comment explains: ${l}, known from the code before.` : undefined,
      owner ? `${capitalized(owner)}'s comment turns to ${l}: how ${news.length === 1 ? 'it is' : 'they are'} treated, for whoever calls it.` : undefined,
      lead && news.length > 1 ? `${capitalized(lead)} first, then ${list(news.slice(1).map(code))}: the comment says how each is treated.` : undefined,
    ].filter((w): w is string => w !== undefined) });
  }
  if (paragraphs >= 2) {
    const ex = [
      sections > 1 ? `under ${about(sections)} headings` : undefined,
      examples > 0 ? `with ${examples === 1 ? 'an example' : `${about(examples)} examples`} set off as code` : undefined,
    ].filter((x) => x !== undefined).map((x) => `, ${x}`).join('');
    out.push({ id: 'comment-shape', names: [], wordings: [
      `${capitalized(about(paragraphs))} paragraphs of comment${ex}: what a caller needs to know, written down before the code.`,
      `The comment runs to ${about(paragraphs)} paragraphs${ex}: the contract comes before the code.`,
    ] });
  }
  return out;
}


/**
 * What a long string holds (facts/string-content.ts), said in words: its emoji and their hard
 * cases, the Unicode blocks they come from, the scripts of its letters. True of the data, and
 * none of it quotes the string: what an engineer writing such a fixture means it to cover.
 */
function stringItems(c: StringContent): Array<{ id: string; wordings: string[]; clause?: string }> {
  const out: Array<{ id: string; wordings: string[]; clause?: string }> = [];
  const several = c.codePoints > c.graphemes * 1.2;
  if (c.emoji * 2 >= c.graphemes && c.emoji >= 10) {
    out.push({ id: 'string-emoji', wordings: [], clause: `they are emoji, ${about(c.emoji)} of them as a reader counts characters${several ? `, in ${about(c.codePoints)} code points, since many are sequences of several` : ''}` });
    const hard = [
      c.joined > 0 ? `${about(c.joined)} ${c.joined === 1 ? 'sequence' : 'sequences'} joined by zero-width joiners` : undefined,
      c.skinTones > 0 ? `${about(c.skinTones)} with a skin-tone modifier` : undefined,
      c.flags > 0 ? `${about(c.flags)} ${c.flags === 1 ? 'flag' : 'flags'} made of two regional indicators` : undefined,
      c.keycaps > 0 ? `${about(c.keycaps)} ${c.keycaps === 1 ? 'keycap' : 'keycaps'}` : undefined,
      c.presentation > 0 ? `${about(c.presentation)} with the emoji presentation selector` : undefined,
    ].filter((x): x is string => x !== undefined);
    if (hard.length >= 2) {
      out.push({ id: 'string-hard', wordings: [
        `It covers the hard cases of matching emoji: ${list(hard)}.`,
        `The cases a simple pattern gets wrong are all in it: ${list(hard)}.`,
      ] });
    }
    if (c.emojiBlocks.length >= 2) {
      const top = list(c.emojiBlocks.slice(0, 3));
      const n = c.emojiBlocks.length;
      out.push({ id: 'string-blocks', wordings: [
        `Its emoji come from ${about(n)} Unicode blocks, most of them from ${top}: a pattern that knows one range of code points would reject it.`,
        `${capitalized(about(n))} Unicode blocks are drawn on, ${top} the most, so a check for emoji has to know all of them.`,
      ] });
    }
  }
  if (c.scripts.length > 0) {
    const top = list(c.scripts.slice(0, 3));
    out.push({ id: 'string-scripts', wordings: [
      `Its letters are ${top}${c.scripts.length > 3 ? ' and more' : ''}: text outside ASCII, where a length in code units and in characters differ.`,
      `${capitalized(top)} text${c.scripts.length > 3 ? ', among other scripts,' : ''} fills it: ${about(c.graphemes)} characters as a reader counts them.`,
    ] });
  }
  return out;
}

/** Names in the order a reader meets them as news: those the code before used least come first. */
function rarestFirst(names: readonly string[], preceding: string): string[] {
  const uses = (n: string): number => {
    let count = 0;
    for (let i = preceding.indexOf(n); i >= 0 && count < 50; i = preceding.indexOf(n, i + n.length)) count++;
    return count;
  };
  return names.map((n, i) => ({ n, i, u: uses(n) })).sort((a, b) => a.u - b.u || a.i - b.i).map((x) => x.n);
}

const escaped = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * How often the file so far uses `name` as code: called, or its members or path read (`name(`,
 * `name.x`, `name::x`, `name<T>`), on lines that do not name `module` (its import). An import the
 * file already uses, or a callee it has called again and again, is the file's habit, not news
 * about the part at hand: the cases of a test file all call the runner and build the app.
 */
export function usesSoFar(name: string, preceding: string, module?: string): number {
  if (!DOTTED.test(name) || preceding.length === 0) return 0;
  const use = new RegExp(`(^|[^\\w$.])${escaped(name)}\\s*(\\(|\\.[A-Za-z_$]|::|<)`, 'g');
  const quoted = module === undefined ? [] : [`'${module}'`, `"${module}"`, `\`${module}\``, `<${module}>`];
  let count = 0;
  for (const line of preceding.split('\n')) {
    if (!line.includes(name) || quoted.some((q) => line.includes(q)) || (module !== undefined && /^\s*(import|from|use|using|package)\b/.test(line))) continue;
    count += line.match(use)?.length ?? 0;
    if (count >= 8) break;
  }
  return count;
}

/** Calls the file so far has made this often are its habit (see `usesSoFar`): not said again. */
const HABIT = 3;

/**
 * Every statement the facts support that an engineer can make before writing the target, each
 * with its wordings. `knows` says whether a (dotted) name is inside the boundary; items about
 * names it does not know are left out here, and wordings are filtered once more by the proposer.
 *
 * Wordings open with content — the name's words (or, for a target whose name is the answer, its
 * file's words), the doc comment, the callee's words or action, what an import is used for, the
 * counts of the shape — so that what a run says varies as its code does, not only with the seed.
 * A wording that opens alike for every target ("It calls ...") is a fallback, offered only when
 * the boundary keeps every content-led one back. `path`: the file the target is in; `preceding`:
 * the file so far (what it used least is news, and is said first; what it uses again and again,
 * its habits, is said only with `habits`, where nothing else is left to say).
 */
export function factItems(f: TargetFacts, knows: (name: string) => boolean = () => false, design?: DesignNote, path?: string, preceding = '', target = '', language: LanguageId | null = null, habits = false): FactItem[] {
  const items: FactItem[] = [];
  const defined = (ws: Array<string | undefined>): string[] => ws.filter((w): w is string => w !== undefined);
  // A file's part is said one of a few ways, chosen per statement and chunk (the file so far).
  const said = (id: string, w: string): string => {
    const forms = subject.forms;
    if (!forms || !w.toLowerCase().includes(subject.noun)) return w;
    const form = forms[mixSeed(id, preceding.length, f.calls.length, f.params.length) % forms.length]!;
    return w.replaceAll(capitalized(subject.noun), capitalized(form)).replaceAll(subject.noun, form);
  };
  const add = (id: string, names: string[], wordings: Array<string | undefined>, fallback: Array<string | undefined> = []): void => {
    let kept = defined(wordings);
    // Of a file's part, half the statements that have other content to lead with do not lead with the file.
    const aboutFile = (w: string) => subject.forms !== undefined && w.toLowerCase().includes(subject.noun);
    if (kept.some((w) => !aboutFile(w)) && mixSeed(id, 'lead', preceding.length) % 2 === 0) kept = kept.filter((w) => !aboutFile(w));
    items.push({ id, names: names.flatMap((n) => n.split('.')).filter((n) => n.length > 0), wordings: kept.map((w) => said(id, w)), fallback: defined(fallback) });
  };
  // The target's own bindings (parameters, locals, loop variables) are its answer, even where a
  // file written before happens to use the same name.
  const own = new Set([...f.bound, ...f.params, ...f.locals]);
  const outside = (name: string): boolean => DOTTED.test(name) && !own.has(name.split('.')[0]!) && knows(name);
  const known = (names: readonly string[]): string[] => names.filter(outside);
  const kind = KIND_WORD[f.kind];
  // Where the architect declared the file's names, the target is one of them or its name is not
  // known (a top-level loop whose first call the lexical reading took for a name, say).
  const declaredNames = new Set((design?.publicInterface ?? []).flatMap((e) => namesIn(e)));
  const named = f.name !== undefined && knows(f.name) && !isKeywordName(f.name) && (declaredNames.size === 0 || declaredNames.has(f.name));
  const file = path ? pathWordsOf(path) : undefined;
  const subject = subjectOf(f, named, file);
  /** The subject is the target's own name's words (not its file's). */
  const byName = subject.own && named;
  const S = capitalized(subject.noun);
  // Sentences led by content words; by "this function" they would all open alike.
  const bySubject = (text: string): string | undefined => (subject.own ? text : undefined);
  const inFile = file ? `the ${file} file` : undefined;

  if (f.doc) {
    // The comment is said as written: trimming or re-punctuating it can rebuild a run of the code.
    add('doc', [], [/[.!?]$/.test(f.doc) ? `${f.doc} That is the job here.` : undefined], [`Purpose: ${f.doc}`, `The doc comment says: ${f.doc}`]);
  }
  if (named) {
    const n = code(f.name!);
    const action = f.kind === 'function' || f.kind === 'method' ? actionOf(f.name!) : undefined;
    const imperative = action ? imperativeOf(f.name!) : undefined;
    const noun = nounOf(f.name!);
    const reexport = f.kind === 'constant' && f.isExported && f.control.returns === 0 && f.calls.length === 0;
    if (reexport) {
      add('name', [f.name!], [noun ? `${capitalized(noun)} is exported from here as ${n}.` : undefined, inFile ? `${capitalized(inFile)} exports ${n}.` : undefined], [`It exports ${n}.`, `${n} is exported here.`]);
    } else if (action) {
      add('name', [f.name!], [
        `${capitalized(action)} comes next: the ${kind} ${n}.`,
        `${capitalized(action)} is the job of ${n}.`,
        imperative ? `To ${imperative}, I write the ${kind} ${n}.` : undefined,
        phraseOf(f.name!) ? `${capitalized(phraseOf(f.name!)!.join(' '))}: its name says what ${n} does.` : undefined,
      ], [`Next, ${action}: that is ${n}.`]);
    } else if (noun) {
      add('name', [f.name!], [`${capitalized(noun)} comes next: the ${kind} ${n}.`, `The ${noun} ${kind} is next, ${n}.`, `${capitalized(noun)}, as the ${kind} ${n}.`], [`Write the ${kind} ${n}.`]);
    } else {
      add('name', [f.name!], [inFile ? `${capitalized(inFile)} continues with the ${kind} ${n}.` : undefined, inFile ? `Next in ${inFile}: the ${kind} ${n}.` : undefined], [`Write the ${kind} ${n}.`, `Next: the ${kind} ${n}.`]);
    }
    const declared = design?.publicInterface.find((e) => namesIn(e).includes(f.name!));
    if (declared) {
      add('declared', [f.name!], [
        subject.own ? `${S} is in the design: ${declared}.` : undefined,
        noun ? `${capitalized(noun)} is declared in the design as ${declared}.` : undefined,
      ], [`The design declares it: ${declared}.`, `The architect listed ${declared} in the interface.`]);
    }
  }
  const responsibility = design?.responsibility.trim().replace(/\.$/, '') ?? '';
  // After a colon the responsibility goes on the sentence: "Provides ..." reads "provides ...".
  const asClause = /^[A-Z][a-z]/.test(responsibility) ? `${responsibility[0]!.toLowerCase()}${responsibility.slice(1)}` : responsibility;
  // A long responsibility is about the whole file: said once, in the intent, not at every chunk.
  // The file's job is the file's, not a member's: said of a target that has a name of its own.
  if (responsibility.length > 0 && responsibility.length <= 200 && (named || !subject.forms)) {
    add('design', [], [
      bySubject(`${S} is one part of what the design asks: ${asClause}.`),
      file ? `The ${file} file's job, from its design: ${asClause}.` : undefined,
    ], [`The file's job, from its design: ${asClause}.`, `This is part of what the design asks of the file: ${asClause}.`]);
  }
  // What most of the target is, when most of it does not run: a long comment, old code, data.
  const bulk = bulkOf(target, language);
  if (bulk.commentLines >= 8 && bulk.commentLines * 2 >= bulk.lines) {
    const n = counted(bulk.commentLines, 'line');
    const running = bulk.lines - bulk.commentLines;
    if (bulk.licence) {
      add('bulk', [], [
        `A licence notice comes here: ${n} of it${running > 0 ? `, then ${counted(running, 'line')} of code` : ', before any code'}.`,
        `${capitalized(n)} of licence and copyright notice${running > 0 ? `, then ${counted(running, 'line')} of code` : ''}.`,
      ]);
    } else if (bulk.commentedCode * 2 >= bulk.commentLines) {
      add('bulk', [], [
        `Commented-out code comes here: ${n} kept as comments, nothing that runs.`,
        `${capitalized(counted(bulk.commentLines, 'comment line'))} of old code, kept but switched off${running > 0 ? `, around ${counted(running, 'line')} that ${running === 1 ? 'runs' : 'run'}` : ''}.`,
      ]);
    } else {
      add('bulk', [], [
        `A long comment takes most of this part: ${n} of notes${running > 0 ? `, then ${counted(running, 'line')} of code` : ''}.`,
        `${capitalized(n)} of comment explain the code around them${running > 0 ? `; ${counted(running, 'line')} of it ${running === 1 ? 'runs' : 'run'}` : ''}.`,
      ]);
    }
  }
  if (bulk.commentLines >= 8 && bulk.commentLines * 3 >= bulk.lines * 2) {
    // A part that is mostly comment explains the file: what the design says it is for, and
    // the definitions it declares that are still to come (they follow in this file).
    if (responsibility.length > 0 && !items.some((it) => it.id === 'design')) {
      add('bulk-why', [], [file ? `The comment is there for the ${file} file's job: ${asClause}.` : undefined], [`The comment is there for the file's job: ${asClause}.`]);
    }
    const toCome = [...declaredNames].filter((n) => !preceding.includes(n) && !f.identifiers.has(n) && knows(n)).slice(0, 4);
    if (toCome.length > 0) {
      const l = list(toCome.map(code));
      add('bulk-next', toCome, [`After it come the definitions still to write: ${l}.`, `${capitalized(counted(toCome.length, 'declared name'))} ${toCome.length === 1 ? 'is' : 'are'} still to come after the comment: ${l}.`]);
    }
  }
  if (bulk.commentLines >= 8 && bulk.commentedCode * 2 < bulk.commentLines && !bulk.licence) {
    // Where the comment is most of the target, what it covers comes before statements about the rest.
    const mostly = bulk.commentLines * 2 >= bulk.lines;
    for (const it of commentItems(bulk.comment, language, own, knows, f.name, preceding)) {
      add(it.id, it.names, it.wordings);
      if (mostly) items.at(-1)!.weight = 3;
    }
  }
  if (bulk.longestString >= 1000 && bulk.longestString * 2 >= target.length) {
    const size = thousands(bulk.longestString);
    const chars = bulk.nonAscii ? ' characters, nearly all outside ASCII' : ' characters';
    const held = stringItems(stringContent(bulk.longest));
    // Of a string of emoji, how many a reader sees is part of saying what it is.
    const emoji = held.find((it) => it.id === 'string-emoji');
    const seen = emoji ? `; ${emoji.clause}` : '';
    add('bulk-string', [], [
      `One long string literal makes up most of it: ${size}${chars}${seen}.`,
      `Data more than logic: a single string of ${size}${chars}, typed out as it is${seen}.`,
    ]);
    // What the string holds is most of what there is to say before it: first in the outline.
    for (const item of held.filter((it) => it !== emoji)) {
      add(item.id, [], item.wordings);
      items.at(-1)!.weight = 0.5;
    }
    // The call the file so far leaves open (`emoji.parse(`): the string is its argument.
    const open = /([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\(\s*$/.exec(preceding)?.[1];
    if (open && outside(open)) {
      add('bulk-call', [open], [`The call to ${code(open)} is open from the part before: the string is its argument, and the call closes after it.`, `${code(open)} takes it as its argument, then the call closes.`]);
    }
  }
  if (f.kind === 'function' || f.kind === 'method') {
    const mode = f.isAsync ? 'an async ' : f.isGenerator ? 'a generator ' : 'a ';
    const n = f.params.length;
    const takes = n === 0 ? 'no parameters' : counted(n, 'parameter');
    add('shape', [], [
      bySubject(`${S} is ${mode}${kind} taking ${takes}.`),
      n === 0 ? bySubject(`${S} needs no inputs: it works from what is in scope.`) : bySubject(`${S} takes ${takes}.`),
      `${capitalized(takes)} ${n === 1 ? 'goes' : 'go'} in; ${subject.noun} is ${f.isAsync || f.isGenerator ? mode.trim() : 'a plain'} ${kind}.`,
    ], [`It is ${mode}${kind} of ${takes}.`, `${capitalized(mode)}${kind} taking ${takes}.`]);
  } else if (f.kind === 'class') {
    add('shape', [], [bySubject(`${S} keeps its state and behaviour together.`)], [`It is a class.`, `A class holds this part of the job.`]);
  }
  // An import, with what the target uses it for where it reads (`z.bigint` -> "bigint").
  // An import the file so far already uses came in before: saying so again is no news.
  const fresh = f.dependencies.filter((d) => habits || usesSoFar(d.name, preceding, d.module) === 0);
  for (const dep of rarestFirst(fresh.map((d) => d.name), preceding).slice(0, 6).map((n) => fresh.find((d) => d.name === n)!)) {
    if (!outside(dep.name)) continue;
    const d = code(dep.name);
    const action = calleeAction(dep.name);
    const noun = nounOf(dep.name);
    const members = rarestFirst([...new Set([...f.calls, ...f.constructs].filter((c) => c.startsWith(`${dep.name}.`) && outside(c)))], preceding);
    const uses = [...new Set(members.map(calleeWords).filter((w): w is string => w !== undefined))].slice(0, 3);
    const usesPhrase = list(uses);
    add(`dep:${dep.name}`, [dep.name, ...members.slice(0, 3)], [
      noun ? `${capitalized(noun)} comes in from '${dep.module}' as ${d}.` : undefined,
      noun ? `${capitalized(noun)} is imported from '${dep.module}': ${d}.` : undefined,
      noun ? `${capitalized(noun)}, from '${dep.module}', is ${d}.` : undefined,
      action ? `${capitalized(action)} is not done here: ${d} from '${dep.module}' does it.` : undefined,
      uses.length > 0 ? `${capitalized(usesPhrase)} ${uses.length === 1 ? 'comes' : 'come'} from ${d}, imported from '${dep.module}'.` : undefined,
      uses.length > 0 ? `For ${usesPhrase}, it takes ${d} from '${dep.module}'.` : undefined,
      bySubject(`${S} takes ${d} from '${dep.module}'.`),
    ], [`From '${dep.module}' it takes ${d}.`, `The '${dep.module}' import gives it ${d}.`]);
  }
  for (const dep of design?.dependencies ?? []) {
    // A dependency the design explains and this target uses: the why carries over.
    const uses = namesIn(dep.why).filter((n) => f.identifiers.has(n) && outside(n));
    if (uses.length === 0) continue;
    const why = dep.why.trim().replace(/\.$/, '');
    const dwords = pathWordsOf(dep.path);
    add(`why:${dep.path}`, uses, [
      dwords ? `${capitalized(dwords)}, written before, is what it builds on: ${code(dep.path)} (${why}).` : undefined,
      bySubject(`${S} builds on ${code(dep.path)} (${why}).`),
    ], [`It builds on ${code(dep.path)} (${why}).`, `The design lists ${code(dep.path)} for this: ${why}.`]);
  }
  chunks(rarestFirst(known(f.calls).filter((c) => habits || usesSoFar(c, preceding) < HABIT), preceding), 3, 6).forEach((group, i) => {
    const l = list(group.map(code));
    // What the calls do, in their members' words (`args.slice` -> slicing), where those read.
    const actions = [...new Set(group.map(calleeAction).filter((a): a is string => a !== undefined))];
    const words = [...new Set(group.map(calleeWords).filter((a): a is string => a !== undefined))];
    const what = capitalized(list(actions));
    const one = group.length === 1;
    add(`calls:${i}`, group, [
      ...(actions.length > 0 ? [`${what} ${actions.length === 1 ? 'is' : 'are'} left to ${l}.`, `For ${list(actions)}, it calls ${l}.`] : []),
      // The callees' words lead where the target's own name does not (a member, a statement).
      words.length > 0 && !byName ? `${capitalized(list(words))}, through ${l}.` : undefined,
      words.length > 0 && actions.length === 0 && !byName ? `${capitalized(list(words))}: ${l} ${one ? 'does' : 'do'} that part of the work.` : undefined,
      bySubject(`${S} calls ${l}.`),
      byName ? `${S} leaves part of the work to ${l}.` : undefined,
    ], [`It calls ${l}.`, `Work is delegated to ${l}.`, `${capitalized(counted(group.length, 'call'))} ${one ? 'does' : 'do'} the work here: ${l}.`]);
  });
  chunks(known(f.constructs), 2, 3).forEach((group, i) => {
    const l = list(group.map(code));
    const words = [...new Set(group.map(calleeWords).filter((a): a is string => a !== undefined))];
    add(`new:${i}`, group, [bySubject(`${S} makes new ${l} objects.`), words.length > 0 ? `New ${list(words)} objects: ${l}.` : undefined], [`It creates new ${l} objects.`, `It constructs ${l} with new.`]);
  });
  const c = f.control;
  if (c.branches + c.loops + c.switches + c.tries > 0) {
    const parts: string[] = [];
    if (c.branches) parts.push(counted(c.branches, 'branch', 'branches'));
    if (c.loops) parts.push(counted(c.loops, 'loop'));
    if (c.switches) parts.push(f.cases.length > 1 ? `a switch over ${counted(f.cases.length, 'case')}` : 'a switch');
    if (c.tries) parts.push(`error handling with try/catch`);
    add('control', [], [bySubject(`${S} has ${list(parts)}.`), `${capitalized(list(parts))}: that is the shape of the body.`], [`Control flow: ${list(parts)}.`, `Its shape: ${list(parts)}.`]);
  } else if (f.kind === 'function' || f.kind === 'method') {
    add('control', [], [bySubject(`${S} runs straight through, with no branches.`), `Straight-line code: ${subject.noun} has no branches.`], [`The body is straight-line code with no branches.`, `No branching: one straight path.`]);
  }
  // One item per kind of check: two guards against missing values are one thought.
  const checkKinds = new Set<string>();
  const checks = f.checks.filter((ch) => {
    const key = ch.kind === 'typeof' ? `typeof:${ch.type}` : ch.kind === 'instanceof' ? `instanceof:${ch.ctor}` : ch.kind;
    if (checkKinds.has(key)) return false;
    checkKinds.add(key);
    return true;
  });
  checks.slice(0, 4).forEach((ch, i) => {
    if (ch.kind === 'typeof') add(`check:${i}`, [], [`A ${ch.type} takes a separate path.`, bySubject(`${S} tells a ${ch.type} apart before using it.`)], [`It checks whether a value is a ${ch.type} before using it.`]);
    else if (ch.kind === 'missing') add(`check:${i}`, [], [`An absent value is handled first.`, bySubject(`${S} has to cope with a missing value.`)], [`It guards against a missing value first.`]);
    else if (ch.kind === 'array') add(`check:${i}`, [], [`An array is handled on its own.`, bySubject(`${S} takes an array or a single value.`)], [`It tells arrays apart from single values.`]);
    else if (outside(ch.ctor)) add(`check:${i}`, [ch.ctor], [`A ${code(ch.ctor)} instance is special-cased.`, bySubject(`${S} treats ${code(ch.ctor)} instances apart.`)], [`It checks for ${code(ch.ctor)} instances.`]);
  });
  const errors = known(f.errors).slice(0, 3);
  if (errors.length > 0) {
    const l = list(errors.map(code));
    const first = errorWords(errors[0]!);
    add('errors', errors, [
      `Invalid input raises ${l}.`,
      bySubject(`${S} raises ${l} when its input is wrong.`),
      first ? `${capitalized(first)} (${code(errors[0]!)}) is what bad input gets.` : undefined,
    ], [`It throws ${l} on bad input.`]);
  } else if (f.control.throws > 0) {
    add('errors', [], [`Bad input ends in an error.`, bySubject(`${S} fails loudly on input it cannot take.`)], [`It throws when its input is wrong.`]);
  }
  const seen = new Set<string>();
  for (const r of f.returns) {
    const key = r.kind === 'identifier' || r.kind === 'call' || r.kind === 'new' ? JSON.stringify(r) : r.kind;
    if (seen.has(key) || r.kind === 'other' || r.kind === 'literal') continue;
    seen.add(key);
    const id = `return:${key}`;
    if (r.kind === 'identifier' && outside(r.name)) {
      const words = nounOf(r.name);
      add(id, [r.name], [bySubject(`${S} hands back ${code(r.name)}.`), words ? `${capitalized(words)} is the result: ${code(r.name)}.` : undefined], [`It returns ${code(r.name)}.`, `The result is ${code(r.name)}.`]);
    } else if (r.kind === 'call' && outside(r.callee)) {
      const action = calleeAction(r.callee);
      const words = calleeWords(r.callee);
      add(id, [r.callee], [
        action ? `${capitalized(action)} gives the result: ${code(r.callee)}.` : undefined,
        words && !action && !byName ? `${capitalized(words)} gives the result: ${code(r.callee)}.` : undefined,
        bySubject(`${S} returns what ${code(r.callee)} gives back.`),
        byName ? `${S} hands back the result of ${code(r.callee)}.` : undefined,
      ], [`It returns what ${code(r.callee)} gives back.`, `The result comes from ${code(r.callee)}.`]);
    } else if (r.kind === 'new' && outside(r.ctor)) {
      const words = nounOf(r.ctor);
      add(id, [r.ctor], [bySubject(`${S} builds and returns a ${code(r.ctor)}.`), words ? `${capitalized(words)}, a new one, is the result: ${code(r.ctor)}.` : undefined], [`It returns a new ${code(r.ctor)}.`, `The result is a fresh ${code(r.ctor)}.`]);
    } else if (r.kind === 'object') add(id, [], [bySubject(`${S} returns a plain object.`)], [`It returns a plain object.`, `The result is an object literal.`]);
    else if (r.kind === 'boolean') add(id, [], [bySubject(`${S} answers yes or no.`), `True or false is the answer ${subject.noun} gives.`], [`It returns a boolean.`, `The answer is true or false.`]);
    else if (r.kind === 'this') add(id, [], [bySubject(`${S} returns the instance, so calls chain.`)], [`It returns this, for chaining.`, `It returns the instance itself.`]);
    else if (r.kind === 'array') add(id, [], [bySubject(`${S} returns an array.`)], [`It returns an array.`, `The result is a list.`]);
  }
  if (f.control.awaits > 0) {
    // What is awaited, in its callees' words where they are known: the awaits differ as the calls do.
    const awaited = awaitedWords(target, (n) => knows(n) && !own.has(n));
    const n = f.control.awaits;
    const steps = n === 1 ? 'the one asynchronous step' : counted(n, 'asynchronous step');
    const l = list(awaited);
    add('await', [], [
      awaited.length > 0 ? `${capitalized(l)}: ${steps}, each awaited before the next.` : undefined,
      awaited.length > 0 ? `Awaiting ${l} keeps ${subject.noun}'s steps in order.` : undefined,
      awaited.length > 0 ? `The ${awaited[0]} call is awaited${awaited.length > 1 ? `, then ${list(awaited.slice(1))}` : ''}: nothing goes on until it settles.` : undefined,
      awaited.length === 0 && n > 1 ? `${capitalized(counted(n, 'await'))} in a row: each asynchronous step finishes before the next.` : undefined,
      bySubject(`${S} waits on asynchronous work.`),
    ], [`Each asynchronous step is awaited in turn.`, `It awaits asynchronous work.`]);
  }
  if (f.control.yields > 0) add('yield', [], [`A generator: values come out as they are found.`, bySubject(`${S} yields its values one at a time.`)], [`It yields its values one at a time.`]);
  if (f.extends && outside(f.extends)) {
    const base = nounOf(f.extends);
    add('extends', [f.extends], [base ? `${capitalized(base)} is the base: ${subject.noun} extends ${code(f.extends)}.` : undefined, bySubject(`${S} extends ${code(f.extends)}.`)], [`It extends ${code(f.extends)}.`, `The base class is ${code(f.extends)}.`]);
  }
  const methods = known(f.methods.filter((m) => m !== 'constructor' && m !== '__init__'));
  chunks(methods, 4, 4).forEach((group, i) => {
    const l = list(group.map(code));
    const action = actionOf(group[0]!);
    const words = [...new Set(group.map(nounOf).filter((a): a is string => a !== undefined))].slice(0, 3);
    add(`methods:${i}`, group, [bySubject(`${S} defines ${l}.`), action ? `${capitalized(action)} and more: ${l}.` : undefined, words.length > 1 ? `${capitalized(list(words))}: its methods ${l}.` : undefined], [`Its methods include ${l}.`, `It defines ${l}.`]);
  });
  const walk = walkthrough(target, language, f, outside, (n) => knows(n) && !isKeywordName(n));
  if (walk?.uniform) {
    // Parts that all read alike (a table's rows, a suite's cases): their shape and count, led several ways.
    const { count, each } = walk.uniform;
    // Led by what they belong to (the target's or its file's words) where that reads: the parts themselves read alike.
    const led = [
      bySubject(`${S} repeats one shape ${about(count)} times: each part ${each}.`),
      bySubject(`${S}: ${about(count)} parts of one shape, each ${each}.`),
      bySubject(`${S} is ${about(count)} rows of one kind, each ${each}.`),
    ];
    add('parts', walk.names, subject.own ? led : [
      `Parts of one shape make it up, ${about(count)} of them, each ${each}.`,
      `One shape, ${about(count)} times over: each part ${each}.`,
      `Rows of one kind follow, ${about(count)} of them, each ${each}.`,
    ]);
    items.at(-1)!.weight = (10 * target.length) / LONG_TARGET;
  } else if (walk) {
    const [first, ...rest] = walk.clauses;
    const then = rest.join(', then ');
    add('parts', walk.names, [
      `${capitalized(first!)} comes first, then ${then}.`,
      `${capitalized(first!)}, then ${then}: that is the order to write it in.`,
      bySubject(`${S} goes in ${counted(walk.clauses.length, 'step')}: ${first}, then ${then}.`),
      `${capitalized(walk.bulk)} is the bulk of it; in order: ${first}, then ${then}.`,
    ]);
    // A plan of the whole target comes before statements about one of its parts.
    items.at(-1)!.weight = (10 * target.length) / LONG_TARGET;
  }
  if (f.methods.length > 1) add('method-count', [], [bySubject(`${S} has ${counted(f.methods.length, 'method')}.`), `${capitalized(counted(f.methods.length, 'method'))} make up ${subject.noun}.`], [`It has ${counted(f.methods.length, 'method')}.`, `Its behaviour is split into ${counted(f.methods.length, 'method')}.`]);
  return items;

}

/** A target this long (half the default chunk) is planned part by part: see `walkthrough`. */
const LONG_TARGET = 1_000;
/** Characters of target per clause of its walkthrough, and the most clauses one says. */
const CHARS_PER_CLAUSE = 400;
const MAX_CLAUSES = 12;

/**
 * The order of a long target's natural parts (facts/parts.ts), one clause each, as far as the
 * boundary lets each be said: a comment by its length, a definition by its known name or its
 * kind, a statement by its shape and the known call it makes. Consecutive parts that read alike
 * are one clause ("a call to `test` and two more like it"). Undefined for a short target or one
 * with a single part. The clauses grow with the target, to one per `CHARS_PER_CLAUSE` characters.
 */
function walkthrough(target: string, language: LanguageId | null, f: TargetFacts, outside: (name: string) => boolean, known: (name: string) => boolean): { clauses: string[]; names: string[]; bulk: string; uniform?: { count: number; each: string } } | undefined {
  if (target.length < LONG_TARGET || !language) return undefined;
  const parts = targetParts(target, language);
  if (parts.length < 2) return undefined;
  const own = new Set([...f.bound, ...f.params, ...f.locals]);
  const names: string[] = [];
  const ok = (n: string): boolean => outside(n) && !own.has(n.split('.')[0]!);
  const said = parts.map((p, i) => partClause(p, parts[i + 1], language, f.dependencies, { ok, known }, names));
  const runs: Array<{ clause: string; count: number }> = [];
  for (const c of said) {
    const last = runs.at(-1);
    if (last?.clause === c) last.count++;
    else runs.push({ clause: c, count: 1 });
  }
  const clauses = runs.map((r) => (r.count === 1 ? r.clause : `${r.clause} and ${r.count === 2 ? 'another' : counted(r.count - 1, 'more', 'more')} like it`));
  const most = Math.min(MAX_CLAUSES, Math.max(2, Math.ceil(target.length / CHARS_PER_CLAUSE)));
  // Parts that all read alike (a table's rows, a suite's cases) are one run: said as its count, then its first.
  if (clauses.length < 2 && runs.length === 1) return { clauses: [], names, bulk: runs[0]!.clause, uniform: { count: runs[0]!.count, each: runs[0]!.clause } };
  if (clauses.length < 2) return undefined;
  if (clauses.length > most) {
    const rest = clauses.length - most + 1;
    clauses.splice(most - 1, clauses.length, `${counted(rest, 'more part')} of the same kinds`);
  }
  const sizes = parts.map((p) => p.text.length);
  const bulk = said[sizes.indexOf(Math.max(...sizes))]!;
  return { clauses, names, bulk };
}

/** How a part of a long target is said (see `walkthrough`); the known names it states go to `names`. */
function partClause(part: TargetPart, next: TargetPart | undefined, language: LanguageId, imports: readonly ImportBinding[], says: { ok: (name: string) => boolean; known: (name: string) => boolean }, names: string[]): string {
  const { ok } = says;
  // A definition's own name is its declared name, known even though the definition binds it.
  const known = (n: string): boolean => DOTTED.test(n) && !n.includes('.') && says.known(n);
  const lines = part.text.split('\n').filter((l) => l.trim().length > 0).length;
  if (part.comment) {
    if (LICENCE.test(part.text)) return 'the licence notice';
    const bulk = bulkOf(part.text, language);
    if (bulk.commentedCode * 2 >= bulk.commentLines && lines > 1) return `${linesOf(lines)} of commented-out code, kept but switched off`;
    // A comment right above a definition with a known name documents it.
    const documented = next && !next.comment ? targetFacts({ target: next.text, language, imports }) : undefined;
    const of = documented?.name && documented.kind !== 'other' && known(documented.name) ? ` documenting ${code(documented.name)}` : '';
    return lines === 1 ? `a comment line${of}` : `a comment of ${linesOf(lines)}${of}`;
  }
  const pf = targetFacts({ target: part.text, language, imports });
  const own = new Set([...pf.bound, ...pf.params, ...pf.locals]);
  const fine = (n: string): boolean => ok(n) && !own.has(n.split('.')[0]!);
  const named = (n: string): string => {
    names.push(n);
    return code(n);
  };
  const c = pf.control;
  const shape = c.tries ? 'a try/catch' : c.loops ? 'a loop' : c.switches ? 'a switch' : c.branches ? 'a check' : undefined;
  if (pf.kind !== 'other') {
    const kind = KIND_WORD[pf.kind];
    const head = pf.name && known(pf.name) ? `the ${kind} ${named(pf.name)}` : pf.kind === 'function' || pf.kind === 'method' ? `a ${kind} of ${pf.params.length === 0 ? 'no parameters' : counted(pf.params.length, 'parameter')}` : `a ${kind}`;
    const uses = pf.calls.filter((n) => n !== pf.name && fine(n)).slice(0, 2);
    const detail = [shape, uses.length > 0 ? `${uses.length === 1 ? 'a call' : 'calls'} to ${list(uses.map(named))}` : undefined].filter((x) => x !== undefined);
    return detail.length > 0 ? `${head} (${detail.join(' and ')})` : head;
  }
  const call = pf.calls.find(fine);
  const made = pf.constructs.find(fine);
  const thrown = pf.errors.find(fine);
  if (thrown) return `${shape ?? 'a part'} raising ${named(thrown)}`;
  if (call) return shape ? `${shape} calling ${named(call)}` : c.returns ? `the return of what ${named(call)} gives` : `a call to ${named(call)}`;
  if (made) return `${shape ?? 'a part'} making a new ${named(made)}`;
  if (shape) return shape;
  if (c.returns) return 'the return';
  if (IMPORT_LINE.test(part.text)) return lines === 1 ? 'an import' : `${counted(lines, 'line')} of imports`;
  if (DECLARATION.test(part.text)) return 'a declaration';
  return lines === 1 ? 'a line of code' : `${counted(lines, 'line')} of code`;
}

/** `twelve lines`, `over a hundred lines`: a count of lines in words (three digits could be a literal of the answer). */
function linesOf(n: number): string {
  return n < 100 ? counted(n, 'line') : n < 200 ? 'over a hundred lines' : 'some hundreds of lines';
}

const IMPORT_LINE = /^\s*(import|from|use|using|#\s*include|package)\b|\brequire\s*\(/;
const DECLARATION = /^\s*(const|let|var|val|static|final|private|public|protected|type|struct|enum|typedef|extern)\b|^\s*[\w$.]+\s*(:=|=[^=])/;

export class GroundedProposer implements Proposer {
  readonly name = 'grounded';
  private readonly byTarget = new Map<string, { facts: TargetFacts; items: FactItem[]; ids: Map<string, string> }>();

  constructor(private readonly opts: GroundedProposerOptions = {}) {}

  /** The facts the proposer states about `target`. */
  factsOf(target: string): TargetFacts {
    return this.prepared(target).facts;
  }

  async propose(req: ProposalRequest): Promise<Proposal[]> {
    return this.proposeSync(req);
  }

  proposeSync(req: ProposalRequest): Proposal[] {
    const { facts, items, ids } = this.prepared(req.target);
    const used = new Set<string>();
    const named = new Set<string>();
    for (const step of req.steps) {
      const id = ids.get(step);
      if (id) used.add(id);
      for (const n of namedIdentifiers(step)) named.add(n);
    }
    const rng: Rng = createRng(mixSeed(req.seed, 'grounded'));
    const keyed: { item: FactItem; prior: number; key: number }[] = [];
    for (const item of items) {
      if (used.has(item.id)) continue;
      let prior = 0.3 + (item.weight ?? 0);
      for (const n of new Set(item.names)) if (!named.has(n)) prior += Math.log(1 + (facts.identifiers.get(n) ?? 0));
      const gumbel = -Math.log(-Math.log(Math.max(rng.next(), 1e-12)));
      keyed.push({ item, prior, key: Math.log(prior) + gumbel });
    }
    keyed.sort((a, b) => b.key - a.key);
    return keyed.slice(0, req.k).map(({ item, prior }) => {
      const text = rng.pick(item.wordings);
      ids.set(text, item.id);
      return { text, prior };
    });
  }

  private prepared(target: string): { facts: TargetFacts; items: FactItem[]; ids: Map<string, string> } {
    let p = this.byTarget.get(target);
    if (!p) {
      // A piece of a prose document (no language, a document's path) is said from its own facts.
      const prose = !this.opts.language && this.opts.path !== undefined && isProsePath(this.opts.path, `${this.opts.preceding ?? ''}${target}`);
      // Data written whole (a manifest, a figure) is said from its structure and its path.
      const data = !this.opts.language && !prose && this.opts.path !== undefined && isDataPath(this.opts.path, target);
      const input: Parameters<typeof targetFacts>[0] = { target };
      if (this.opts.language) input.language = this.opts.language;
      if (this.opts.preceding !== undefined) input.preceding = this.opts.preceding;
      if (this.opts.imports) input.imports = this.opts.imports;
      const facts = this.opts.facts ?? (prose || data ? emptyFacts(identifierCounts(target)) : targetFacts(input));
      const known = this.opts.knownIdentifiers ?? new Set<string>();
      const language = this.opts.language ?? null;
      const knows = (name: string): boolean => {
        const [head, ...rest] = name.split('.');
        if (known.has(head!) || isAmbient(language, head!)) return rest.every((n) => known.has(n) || (!OWN_HEADS.has(head!) && isAmbient(language, head!)) || isAmbient(language, n));
        return false;
      };
      // The boundary: a wording that states a name outside it, or quotes a string of the target
      // not written before it (a name's words can be one: "optional string"), is never offered.
      const preceding = this.opts.preceding ?? '';
      const strings = literalsOf(target, language).strings.filter((lit) => !preceding.includes(lit));
      const inside = (w: string): boolean => statesOnlyKnown(w, known, language) && !strings.some((lit) => quotesString(w, lit));
      const said = prose
        ? proseItems({ facts: proseFacts(target, isHtmlPath(this.opts.path!)), knows, preceding, ...(this.opts.path ? { path: this.opts.path } : {}), ...(this.opts.design ? { responsibility: this.opts.design.responsibility, dependencies: this.opts.design.dependencies } : {}) })
        : data
          ? dataItems(target, this.opts.path!)
          : factItems(facts, knows, this.opts.design, this.opts.path, preceding, target, language);
      const offered = (all: FactItem[]): FactItem[] =>
        all
          .map((it) => {
            const wordings = it.wordings.filter(inside);
            return { ...it, wordings: wordings.length > 0 ? wordings : (it.fallback ?? []).filter(inside) };
          })
          .filter((it) => it.wordings.length > 0);
      let items = offered(said);
      // Where the file's habits are all there is to say (a test case that only calls the runner
      // and builds the app), they are said rather than nothing.
      if (items.length === 0 && !prose && !data) items = offered(factItems(facts, knows, this.opts.design, this.opts.path, preceding, target, language, true));
      // Every wording is known as its item's from the start: a step said before (an outline, a
      // step another process proposed) marks its item as stated, whoever proposed it.
      const ids = new Map<string, string>();
      for (const it of items) for (const w of it.wordings) ids.set(w, it.id);
      p = { facts, items, ids };
      if (this.byTarget.size > 64) this.byTarget.clear();
      this.byTarget.set(target, p);
    }
    return p;
  }
}
