/**
 * The knowledge boundary: what the team may know at a point of a trajectory, and what of the code
 * about to be written is the answer (docs/reasoning.md).
 *
 * Known: the brief (README, manifests, file tree), the plan, the designs, the files already written
 * as their Reads returned them, the file written so far, the names of definitions already written,
 * the public names the architect declared, and what every engineer of the language knows (its
 * keywords and builtins). The answer: the rest of the file about to be written — its names that are
 * not known, its string and number literals that are not known, and every run of more than 8 of its
 * tokens that the known texts do not hold.
 *
 * `Knowledge` collects what is known; `knowledge.answer(code)` says what of `code` is the answer as
 * plain data (`AnswerSpec`, which travels to search services); a `SequenceGuard` on a spec checks
 * the whole text trained on since the last write — never a step alone — against it.
 *
 * Invariant: a guard built from less knowledge is stricter. The agents build theirs from a subset
 * of what the dataset shows before a write, so what they let through, `retrace stats` counts clean.
 */
import { z } from 'zod';
import type { LanguageId } from '../graph/types.ts';
import { isAmbient } from './lexicon.ts';
import { copyTokens, copyTokensOf, identifiersIn, literalsOf, quotesString, statedNames } from './text.ts';
import { tokenize } from '../search/score/tokenize.ts';
import { NameSetView } from './name-set.ts';

/**
 * A copy: COPY_NGRAM consecutive tokens of the answer that the known texts do not hold, anywhere in
 * the sequence. Stricter than "no run of more than 8" (MAX_COPY_RUN, the figure `retrace stats`
 * reports against) on purpose: eight-token slices of the target taken in any order, or between
 * filler words, never form a run of nine, yet each one repeats the answer.
 */
export const COPY_NGRAM = 6;
/** The bound the issue states and the stats report: no run of more than this many answer tokens. */
export const MAX_COPY_RUN = 8;

export type ViolationKind = 'copy' | 'literal' | 'name';

export interface BoundaryViolation {
  kind: ViolationKind;
  /** The run, the literal or the name. */
  detail: string;
}

/** What of a piece of code is the answer: plain data, JSON- and msgpack-safe. */
export interface AnswerSpec {
  language: LanguageId | null;
  /** The code about to be written (the next write and the rest of its file). */
  text: string;
  /** Its identifiers that are not known. */
  names: string[];
  /** Its string literals that are not known. */
  strings: string[];
  /** Its number literals that are not known. */
  numbers: string[];
  /** Indices (in `copyTokens(text)`) of the runs of COPY_NGRAM tokens that known texts hold. */
  knownRuns: number[];
}

/** The boundary as it travels in a search request: the answer's spec and what was said before. */
export const boundarySpecSchema = z.object({
  answer: z.object({
    language: z.enum(['typescript', 'tsx', 'javascript', 'python', 'go', 'rust', 'java', 'c', 'cpp']).nullable(),
    text: z.string(),
    names: z.array(z.string()),
    strings: z.array(z.string()),
    numbers: z.array(z.string()),
    knownRuns: z.array(z.number().int().min(0)),
  }),
  prefix: z.array(z.string()),
});
export type BoundarySpec = z.infer<typeof boundarySpecSchema>;

export function guardOf(spec: BoundarySpec): SequenceGuard {
  return new SequenceGuard(spec.answer, spec.prefix);
}

const RUN = COPY_NGRAM;
/** Heads whose members belong to the code at hand, not to the language. */
const OWN_HEADS = new Set(['this', 'self', 'cls', 'super', 'Self', 'crate']);
const SEP = '\u0000';

function runKeys(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + RUN <= tokens.length; i++) out.push(tokens.slice(i, i + RUN).join(SEP));
  return out;
}

/**
 * What a guard reads off an answer spec, kept per spec object: a chunk's spec is guarded several
 * times (the executor's guard, the refiner's, the steps kept), and its text is the rest of the
 * file. A spec is plain data never changed once made, so the sets read once hold for every guard.
 */
interface SpecSets {
  answerRuns: ReadonlySet<string>;
  names: ReadonlySet<string>;
  numbers: ReadonlySet<string>;
}

const specSets = new WeakMap<AnswerSpec, SpecSets>();
/** The run keys of a spec's text, when `Knowledge.answer` made the spec (it has them already). */
const specKeys = new WeakMap<AnswerSpec, string[]>();

function setsOf(spec: AnswerSpec): SpecSets {
  let sets = specSets.get(spec);
  if (!sets) {
    const known = new Set(spec.knownRuns);
    const keys = specKeys.get(spec) ?? runKeys(copyTokens(spec.text));
    sets = { answerRuns: new Set(keys.filter((_, i) => !known.has(i))), names: new Set(spec.names), numbers: new Set(spec.numbers) };
    specSets.set(spec, sets);
    specKeys.delete(spec);
  }
  return sets;
}

export class Knowledge {
  private readonly texts: string[] = [];
  private readonly names = new Set<string>();
  /** Name sets known by reference (kept elsewhere, never copied): see `addNameSet`. */
  private readonly nameSets: Array<ReadonlySet<string>> = [];
  private runs: Set<string> | undefined;
  /**
   * The number tokens of the known texts, read as the boundary reads any text (copyTokens): `404`
   * in `test/404.test.js` is known from the listing that names the file, `1` is not known from `1.5`.
   */
  private readonly numbers = new Set<string>();
  /** Set once a Knowledge is built on this one: it changes no more. */
  private sealed = false;

  /** `base`: known texts and names shared with other Knowledges (see `extend`). */
  constructor(
    readonly language: LanguageId | null,
    private readonly base?: Knowledge,
  ) {}

  /**
   * A Knowledge that knows all this one does, and what is added to it: this one's texts are
   * tokenised once however many are built on it. This one is sealed (it may not learn more), so
   * what the others know never changes under them.
   */
  extend(language: LanguageId | null): Knowledge {
    this.sealed = true;
    return new Knowledge(language, this);
  }

  /** A text the team has seen or written: its names, literals and runs are known. */
  addText(text: string): this {
    if (text.length === 0) return this;
    this.mustBeOpen();
    this.texts.push(text);
    const tokens = tokenize(text);
    for (const n of identifiersIn(tokens)) this.names.add(n);
    const copies = copyTokensOf(tokens);
    for (const t of copies) if (NUMBER_TOKEN.test(t)) this.numbers.add(t);
    // The runs known are each text's runs together: a new text's are added to those already read
    // (a file written chunk by chunk would otherwise read all its chunks again for each one).
    if (this.runs) for (const k of runKeys(copies)) this.runs.add(k);
    return this;
  }

  /** Names known without their text: definitions already written, declared public names. */
  addNames(names: Iterable<string>): this {
    this.mustBeOpen();
    for (const n of names) this.names.add(n);
    return this;
  }

  /**
   * Names known without their text, held by reference: `set` is asked, never copied, so a large
   * set (every name written before a file) costs nothing to add. It must not change afterwards.
   */
  addNameSet(set: ReadonlySet<string>): this {
    this.mustBeOpen();
    this.nameSets.push(set);
    return this;
  }

  /** The names known here, the language's own left out. */
  knownNames(): ReadonlySet<string> {
    const layers = this.nameLayers();
    return layers.length === 1 ? layers[0]! : new UnionSet(layers);
  }

  knows(name: string): boolean {
    return this.hasName(name) || isAmbient(this.language, name);
  }

  /** What of `code` (the next write, and the rest of its file) is the answer. */
  answer(code: string): AnswerSpec {
    const lits = literalsOf(code, this.language);
    // One reading of the code for its runs and its names (the same tokens either way).
    const tokens = tokenize(code);
    const keys = runKeys(copyTokensOf(tokens));
    const knownRuns: number[] = [];
    keys.forEach((k, i) => this.knowsRun(k) && knownRuns.push(i));
    const spec: AnswerSpec = {
      language: this.language,
      text: code,
      names: [...identifiersIn(tokens)].filter((n) => !this.knows(n)).sort(),
      // A one-word literal that is a known name (`'Message'` in `__all__`) is known: naming it is not quoting it.
      strings: lits.strings.filter((s) => !(/^[\w$]+$/.test(s) && this.knows(s)) && !this.someText((t) => t.includes(s))).sort(),
      numbers: lits.numbers.filter((x) => !this.knowsNumber(x)).sort(),
      knownRuns,
    };
    specKeys.set(spec, keys);
    return spec;
  }

  private mustBeOpen(): void {
    if (this.sealed) throw new Error('this Knowledge has others built on it (extend): it learns no more');
  }

  private hasName(name: string): boolean {
    return this.names.has(name) || this.nameSets.some((s) => s.has(name)) || (this.base?.hasName(name) ?? false);
  }

  private nameLayers(): Array<ReadonlySet<string>> {
    return [this.names, ...this.nameSets, ...(this.base?.nameLayers() ?? [])];
  }

  private knowsNumber(x: string): boolean {
    return this.numbers.has(x) || (this.base?.knowsNumber(x) ?? false);
  }

  private someText(test: (text: string) => boolean): boolean {
    return this.texts.some(test) || (this.base?.someText(test) ?? false);
  }

  private knowsRun(key: string): boolean {
    return this.knownRuns().has(key) || (this.base?.knowsRun(key) ?? false);
  }

  /** The runs of this Knowledge's own texts (a base's are its own). */
  private knownRuns(): Set<string> {
    if (!this.runs) {
      const runs = new Set<string>();
      for (const t of this.texts) for (const k of runKeys(copyTokens(t))) runs.add(k);
      this.runs = runs;
    }
    return this.runs;
  }
}

/** Several name sets seen as one (each name once), none copied. */
class UnionSet extends NameSetView {
  constructor(private readonly layers: ReadonlyArray<ReadonlySet<string>>) {
    super();
  }

  has(name: string): boolean {
    return this.layers.some((l) => l.has(name));
  }

  get size(): number {
    let n = 0;
    for (const _ of this) n++;
    return n;
  }

  *[Symbol.iterator](): IterableIterator<string> {
    for (const [i, layer] of this.layers.entries()) {
      for (const name of layer) if (!this.layers.slice(0, i).some((l) => l.has(name))) yield name;
    }
  }

}

/** A token that is a number, as `literalsOf` finds number literals. */
const NUMBER_TOKEN = /^\d/;

/**
 * The check on the text trained on between two writes: `prefix` is what was said since the last
 * write before the steps under test (an intent, a design note), and each check covers prefix and
 * steps as one sequence, so slicing the answer into short steps is a copy like any other.
 */
export class SequenceGuard {
  private readonly answerRuns: ReadonlySet<string>;
  private readonly names: ReadonlySet<string>;
  private readonly numbers: ReadonlySet<string>;

  constructor(
    readonly spec: AnswerSpec,
    readonly prefix: readonly string[] = [],
  ) {
    // Every guard of the same spec (one `after` another, or the refiner's and the executor's of
    // one chunk) shares the sets read off it once (read only).
    const sets = setsOf(spec);
    this.answerRuns = sets.answerRuns;
    this.names = sets.names;
    this.numbers = sets.numbers;
  }

  /** The same answer, with more said before the steps under test (the answer is not read again). */
  after(more: readonly string[]): SequenceGuard {
    return new SequenceGuard(this.spec, [...this.prefix, ...more]);
  }

  /**
   * The sequence prefix + said + ... + after, checked as it grows one step at a time (see
   * GrowingSequence): each check costs the step, not the sequence.
   */
  growing(after: readonly string[] = []): GrowingSequence {
    return new GrowingSequence(this, after);
  }

  /**
   * Whether a piece of a sequence states the answer: `tokens` its copy tokens in order, `text` its
   * steps joined by newlines, `steps` the whole steps whose names count. The same tests as
   * `violations`, stopping at the first.
   */
  statesAnswer(tokens: readonly string[], text: string, steps: readonly string[]): boolean {
    for (let i = 0; i + RUN <= tokens.length; i++) if (this.answerRuns.has(tokens.slice(i, i + RUN).join(SEP))) return true;
    if (this.spec.strings.some((s) => quotesString(text, s))) return true;
    if (tokens.some((t) => this.numbers.has(t))) return true;
    for (const step of steps) {
      for (const { name: n, head } of statedNames(step)) {
        if (head !== undefined && !OWN_HEADS.has(head) && isAmbient(this.spec.language, head) && !this.names.has(head)) continue;
        if (this.names.has(n)) return true;
      }
    }
    return false;
  }

  /** Everything in prefix + steps that states the answer; empty when the sequence is clean. */
  violations(steps: readonly string[] = []): BoundaryViolation[] {
    const seq = [...this.prefix, ...steps];
    const out: BoundaryViolation[] = [];
    const tokens = seq.flatMap(copyTokens);
    const copied = this.copiedTokens(tokens);
    if (copied.length > 0) out.push({ kind: 'copy', detail: `${copied.length} tokens of the answer: ${copied.slice(0, 24).join(' ')}` });
    const text = seq.join('\n');
    for (const s of this.spec.strings) if (quotesString(text, s)) out.push({ kind: 'literal', detail: s });
    for (const t of tokens) if (this.numbers.has(t)) out.push({ kind: 'literal', detail: t });
    const seen = new Set<string>();
    for (const step of seq) {
      for (const { name: n, head } of statedNames(step)) {
        // A member of a builtin (`Math.abs`, `console.log`) is the language's, not the file's.
        if (head !== undefined && !OWN_HEADS.has(head) && isAmbient(this.spec.language, head) && !this.names.has(head)) continue;
        if (this.names.has(n) && !seen.has(n)) {
          seen.add(n);
          out.push({ kind: 'name', detail: n });
        }
      }
    }
    return out;
  }

  /** The tokens of `tokens` that sit in a run of COPY_NGRAM tokens the answer has and the known texts do not. */
  private copiedTokens(tokens: readonly string[]): string[] {
    const covered = new Uint8Array(tokens.length);
    for (let i = 0; i + RUN <= tokens.length; i++) {
      if (this.answerRuns.has(tokens.slice(i, i + RUN).join(SEP))) covered.fill(1, i, i + RUN);
    }
    return tokens.filter((_, i) => covered[i] === 1);
  }

  admits(steps: readonly string[]): boolean {
    return this.violations(steps).length === 0;
  }

  /**
   * The candidates, in order, that keep the sequence inside the boundary: each is kept when prefix,
   * the ones kept so far and it pass together. What a grounded policy says is what survives this.
   */
  keep(candidates: readonly string[]): string[] {
    const kept: string[] = [];
    for (const c of candidates) {
      if (c.trim().length === 0) continue;
      if (this.admits([...kept, c])) kept.push(c);
    }
    return kept;
  }
}

/**
 * A sequence said one step at a time, each step said only if the whole sequence (the guard's
 * prefix, the steps said, the step, then `after`) stays inside the boundary: the verdict of
 * `guard.admits([...said, step, ...after])`, without reading the whole sequence again.
 *
 * Why it is the same verdict: what was said passed, so nothing inside prefix + said states the
 * answer, and `after` is judged once. A copy run that touches the new step lies within the last
 * COPY_NGRAM - 1 tokens before it and the first after it; a quoted string, within its own length
 * of the step; a name or a number is a step's own. So the step is judged with that much of each
 * side, and every piece so judged is a piece of the whole sequence.
 */
export class GrowingSequence {
  /** Nothing can be said: the prefix or `after` states the answer on its own. */
  private readonly closed: boolean;
  /** How far a quoted string reaches: the longest answer string and its two quotes. */
  private readonly reach: number;
  private readonly headTokens: string[];
  private readonly headText: string;
  private tailTokens: string[];
  private tailText: string;
  private any: boolean;

  constructor(
    private readonly guard: SequenceGuard,
    private readonly after: readonly string[],
  ) {
    const before = guard.prefix;
    this.reach = Math.max(0, ...guard.spec.strings.map((x) => x.length + 2));
    const afterTokens = after.flatMap(copyTokens);
    const afterText = after.join('\n');
    this.closed = !guard.admits([]) || guard.statesAnswer(afterTokens, afterText, after);
    this.headTokens = afterTokens.slice(0, RUN - 1);
    this.headText = afterText.slice(0, this.reach);
    this.tailTokens = before.flatMap(copyTokens).slice(-(RUN - 1));
    this.tailText = lastChars(before.join('\n'), this.reach);
    this.any = before.length > 0;
  }

  /** Whether `step` can be said next. */
  admits(step: string): boolean {
    if (this.closed) return false;
    const own = copyTokens(step);
    const tokens = [...this.tailTokens, ...own, ...this.headTokens];
    const text = `${this.any ? `${this.tailText}\n` : ''}${step}${this.after.length > 0 ? `\n${this.headText}` : ''}`;
    return !this.guard.statesAnswer(tokens, text, [step]);
  }

  /** `step` is said (it was admitted): what follows is judged after it. */
  push(step: string): void {
    this.tailTokens = [...this.tailTokens, ...copyTokens(step)].slice(-(RUN - 1));
    this.tailText = lastChars(this.any ? `${this.tailText}\n${step}` : step, this.reach);
    this.any = true;
  }
}

const lastChars = (text: string, n: number): string => (n > 0 ? text.slice(-n) : '');

/** A guard with nothing to protect: for text that precedes no code (or code with no language). */
export function openGuard(): SequenceGuard {
  return new SequenceGuard({ language: null, text: '', names: [], strings: [], numbers: [], knownRuns: [] });
}
