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

interface Item {
  id: string;
  names: string[];
  wordings: string[];
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

const NUMBER_WORDS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve'];

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

/** How a sentence about the target refers to it: by its name's words where they read, else by kind. */
interface Subject {
  /** `the push front method`, `this function`: lower case, to open a sentence capitalized. */
  noun: string;
  /** Whether `noun` is made of the target's own words (it varies with the content). */
  own: boolean;
}

function subjectOf(f: TargetFacts, named: boolean): Subject {
  const kind = KIND_WORD[f.kind];
  const noun = named && f.name !== undefined ? nounOf(f.name) : undefined;
  if (noun) return { noun: `the ${noun} ${kind}`, own: true };
  return { noun: f.kind === 'other' ? 'this code' : `this ${kind}`, own: false };
}

/** The action a callee's name (its last part) reads as: `l.insertValue` -> `inserting value`. */
const calleeAction = (callee: string): string | undefined => actionOf(callee.split('.').pop()!);

/** `TypeError` -> `a type error`: an error class read as words, when it reads. */
function errorWords(name: string): string | undefined {
  const phrase = phraseOf(name);
  if (!phrase || !/^(error|exception|failure|panic)$/.test(phrase[phrase.length - 1]!)) return undefined;
  const text = phrase.join(' ');
  return `${/^[aeiou]/.test(text) ? 'an' : 'a'} ${text}`;
}

/**
 * Every statement the facts support that an engineer can make before writing the target, each
 * with its wordings. `knows` says whether a (dotted) name is inside the boundary; items about
 * names it does not know are left out here, and wordings are filtered once more by the proposer.
 *
 * Most wordings open with content (the name's words, the doc comment, the module, the callee's
 * action, the file's words), so what a run says varies as its code does, not only with the seed.
 * `path`: the file the target is in.
 */
export function factItems(f: TargetFacts, knows: (name: string) => boolean = () => false, design?: DesignNote, path?: string): Item[] {
  const items: Item[] = [];
  const add = (id: string, names: string[], wordings: Array<string | undefined>): void =>
    void items.push({ id, names: names.flatMap((n) => n.split('.')).filter((n) => n.length > 0), wordings: wordings.filter((w): w is string => w !== undefined) });
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
  const subject = subjectOf(f, named);
  const S = capitalized(subject.noun);
  // Sentences led by the target's own words; by "this function" they would all open alike.
  const bySubject = (text: string): string | undefined => (subject.own ? text : undefined);
  const file = path ? pathWordsOf(path) : undefined;
  const inFile = file ? `the ${file} file` : undefined;

  if (f.doc) {
    // The comment is said as written: trimming or re-punctuating it can rebuild a run of the code.
    add('doc', [], [`Purpose: ${f.doc}`, `The doc comment says: ${f.doc}`, /[.!?]$/.test(f.doc) ? `${f.doc} That is the job here.` : undefined]);
  }
  if (named) {
    const n = code(f.name!);
    const action = f.kind === 'function' || f.kind === 'method' ? actionOf(f.name!) : undefined;
    const imperative = action ? imperativeOf(f.name!) : undefined;
    const noun = nounOf(f.name!);
    const reexport = f.kind === 'constant' && f.isExported && f.control.returns === 0 && f.calls.length === 0;
    if (reexport) {
      add('name', [f.name!], [`It exports ${n}.`, `${n} is exported here.`, noun ? `${capitalized(noun)} is exported from here as ${n}.` : undefined]);
    } else if (action) {
      add('name', [f.name!], [
        `${capitalized(action)} comes next: the ${kind} ${n}.`,
        `${capitalized(action)} is the job of ${n}.`,
        `Next, ${action}: that is ${n}.`,
        imperative ? `To ${imperative}, I write the ${kind} ${n}.` : undefined,
        phraseOf(f.name!) ? `${n} is next; its name says what it does: ${action}.` : undefined,
      ]);
    } else if (noun) {
      add('name', [f.name!], [
        `${capitalized(noun)} comes next: the ${kind} ${n}.`,
        `The ${noun} ${kind} is next, ${n}.`,
        `Write the ${kind} ${n}.`,
      ]);
    } else {
      add('name', [f.name!], [
        `Write the ${kind} ${n}.`,
        `Next: the ${kind} ${n}.`,
        inFile ? `${capitalized(inFile)} continues with the ${kind} ${n}.` : undefined,
        inFile ? `Next in ${inFile}: the ${kind} ${n}.` : undefined,
      ]);
    }
    const declared = design?.publicInterface.find((e) => namesIn(e).includes(f.name!));
    if (declared) {
      add('declared', [f.name!], [
        subject.own ? `${S} is in the design: ${declared}.` : `The design declares it: ${declared}.`,
        noun ? `${capitalized(noun)} is declared in the design as ${declared}.` : `The architect listed ${declared} in the interface.`,
      ]);
    }
  }
  const responsibility = design?.responsibility.trim().replace(/\.$/, '') ?? '';
  // After a colon the responsibility goes on the sentence: "Provides ..." reads "provides ...".
  const asClause = /^[A-Z][a-z]/.test(responsibility) ? `${responsibility[0]!.toLowerCase()}${responsibility.slice(1)}` : responsibility;
  // A long responsibility is about the whole file: said once, in the intent, not at every chunk.
  if (responsibility.length > 0 && responsibility.length <= 200) {
    add('design', [], [
      `The file's job, from its design: ${asClause}.`,
      subject.own ? `${S} is one part of what the design asks: ${asClause}.` : `This is part of what the design asks of the file: ${asClause}.`,
    ]);
  }
  if (f.kind === 'function' || f.kind === 'method') {
    const mode = f.isAsync ? 'an async ' : f.isGenerator ? 'a generator ' : 'a ';
    const n = f.params.length;
    const takes = n === 0 ? 'no parameters' : counted(n, 'parameter');
    add('shape', [], [
      `It is ${mode}${kind} of ${takes}.`,
      subject.own ? `${S} is ${mode}${kind} taking ${takes}.` : `${capitalized(mode)}${kind} taking ${takes}.`,
      n === 0 ? `${S} needs no inputs: it works from what is in scope.` : bySubject(`${S} takes ${takes}.`),
      bySubject(`${capitalized(takes)} ${n === 1 ? 'goes' : 'go'} in; ${subject.noun} is ${f.isAsync || f.isGenerator ? mode.trim() : 'a plain'} ${kind}.`),
    ]);
  } else if (f.kind === 'class') {
    add('shape', [], [`It is a class.`, `A class holds this part of the job.`, bySubject(`${S} keeps its state and behaviour together.`)]);
  }
  for (const dep of f.dependencies.slice(0, 6)) {
    if (!outside(dep.name)) continue;
    const d = code(dep.name);
    const action = calleeAction(dep.name);
    add(`dep:${dep.name}`, [dep.name], [
      `From '${dep.module}' it takes ${d}.`,
      nounOf(dep.name) ? `${capitalized(nounOf(dep.name)!)} comes in from '${dep.module}' as ${d}.` : `The '${dep.module}' import gives it ${d}.`,
      action ? `${capitalized(action)} is not done here: ${d} from '${dep.module}' does it.` : undefined,
    ]);
  }
  for (const dep of design?.dependencies ?? []) {
    // A dependency the design explains and this target uses: the why carries over.
    const uses = namesIn(dep.why).filter((n) => f.identifiers.has(n) && outside(n));
    if (uses.length === 0) continue;
    const why = dep.why.trim().replace(/\.$/, '');
    const dwords = pathWordsOf(dep.path);
    add(`why:${dep.path}`, uses, [
      `It builds on ${code(dep.path)} (${why}).`,
      `The design lists ${code(dep.path)} for this: ${why}.`,
      dwords ? `${capitalized(dwords)}, written before, is what it builds on: ${code(dep.path)} (${why}).` : undefined,
    ]);
  }
  chunks(known(f.calls), 3, 6).forEach((group, i) => {
    const l = list(group.map(code));
    // What the calls do, in their members' words (`args.slice` -> slicing), where those read.
    const actions = [...new Set(group.map(calleeAction).filter((a): a is string => a !== undefined))];
    const what = capitalized(list(actions));
    add(`calls:${i}`, group, [
      ...(actions.length > 0
        ? [`${what} ${actions.length === 1 ? 'is' : 'are'} left to ${l}.`, `For ${list(actions)}, it calls ${l}.`]
        : [`It calls ${l}.`, `Work is delegated to ${l}.`, `${capitalized(counted(group.length, 'call'))} ${group.length === 1 ? 'does' : 'do'} the work here: ${l}.`]),
      bySubject(`${S} calls ${l}.`),
      inFile && actions.length === 0 ? `In ${inFile}, this part calls ${l}.` : undefined,
    ]);
  });
  chunks(known(f.constructs), 2, 3).forEach((group, i) => {
    const l = list(group.map(code));
    add(`new:${i}`, group, [`It creates new ${l} objects.`, `It constructs ${l} with new.`, bySubject(`${S} makes new ${l} objects.`)]);
  });
  const c = f.control;
  if (c.branches + c.loops + c.switches + c.tries > 0) {
    const parts: string[] = [];
    if (c.branches) parts.push(counted(c.branches, 'branch', 'branches'));
    if (c.loops) parts.push(counted(c.loops, 'loop'));
    if (c.switches) parts.push(f.cases.length > 1 ? `a switch over ${counted(f.cases.length, 'case')}` : 'a switch');
    if (c.tries) parts.push(`error handling with try/catch`);
    add('control', [], [`Control flow: ${list(parts)}.`, bySubject(`${S} has ${list(parts)}.`), `${capitalized(list(parts))}: that is the shape of the body.`, `Its shape: ${list(parts)}.`]);
  } else if (f.kind === 'function' || f.kind === 'method') {
    add('control', [], [`The body is straight-line code with no branches.`, `No branching: one straight path.`, bySubject(`${S} runs straight through, with no branches.`)]);
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
    if (ch.kind === 'typeof') add(`check:${i}`, [], [`It checks whether a value is a ${ch.type} before using it.`, `A ${ch.type} takes a separate path.`, bySubject(`${S} tells a ${ch.type} apart before using it.`)]);
    else if (ch.kind === 'missing') add(`check:${i}`, [], [`It guards against a missing value first.`, `An absent value is handled first.`, bySubject(`${S} has to cope with a missing value.`)]);
    else if (ch.kind === 'array') add(`check:${i}`, [], [`It tells arrays apart from single values.`, `An array is handled on its own.`, bySubject(`${S} takes an array or a single value.`)]);
    else if (outside(ch.ctor)) add(`check:${i}`, [ch.ctor], [`It checks for ${code(ch.ctor)} instances.`, `A ${code(ch.ctor)} instance is special-cased.`, bySubject(`${S} treats ${code(ch.ctor)} instances apart.`)]);
  });
  const errors = known(f.errors).slice(0, 3);
  if (errors.length > 0) {
    const l = list(errors.map(code));
    const first = errorWords(errors[0]!);
    add('errors', errors, [
      `It throws ${l} on bad input.`,
      `Invalid input raises ${l}.`,
      bySubject(`${S} raises ${l} when its input is wrong.`),
      first ? `${capitalized(first)} (${code(errors[0]!)}) is what bad input gets.` : undefined,
    ]);
  } else if (f.control.throws > 0) {
    add('errors', [], [`It throws when its input is wrong.`, `Bad input ends in an error.`, bySubject(`${S} fails loudly on input it cannot take.`)]);
  }
  const seen = new Set<string>();
  for (const r of f.returns) {
    const key = r.kind === 'identifier' || r.kind === 'call' || r.kind === 'new' ? JSON.stringify(r) : r.kind;
    if (seen.has(key) || r.kind === 'other' || r.kind === 'literal') continue;
    seen.add(key);
    const id = `return:${key}`;
    if (r.kind === 'identifier' && outside(r.name)) add(id, [r.name], [`It returns ${code(r.name)}.`, `The result is ${code(r.name)}.`, bySubject(`${S} hands back ${code(r.name)}.`)]);
    else if (r.kind === 'call' && outside(r.callee)) {
      const action = calleeAction(r.callee);
      add(id, [r.callee], [`It returns what ${code(r.callee)} gives back.`, `The result comes from ${code(r.callee)}.`, action ? `${capitalized(action)} gives the result: ${code(r.callee)}.` : bySubject(`${S} returns what ${code(r.callee)} gives back.`)]);
    } else if (r.kind === 'new' && outside(r.ctor)) add(id, [r.ctor], [`It returns a new ${code(r.ctor)}.`, `The result is a fresh ${code(r.ctor)}.`, bySubject(`${S} builds and returns a ${code(r.ctor)}.`)]);
    else if (r.kind === 'object') add(id, [], [`It returns a plain object.`, `The result is an object literal.`, bySubject(`${S} returns a plain object.`)]);
    else if (r.kind === 'boolean') add(id, [], [`It returns a boolean.`, `The answer is true or false.`, bySubject(`${S} answers yes or no.`)]);
    else if (r.kind === 'this') add(id, [], [`It returns this, for chaining.`, `It returns the instance itself.`, bySubject(`${S} returns the instance, so calls chain.`)]);
    else if (r.kind === 'array') add(id, [], [`It returns an array.`, `The result is a list.`, bySubject(`${S} returns an array.`)]);
  }
  if (f.control.awaits > 0) add('await', [], [`It awaits asynchronous work.`, `Each asynchronous step is awaited in turn.`, bySubject(`${S} waits on asynchronous work.`)]);
  if (f.control.yields > 0) add('yield', [], [`It yields its values one at a time.`, `A generator: values come out as they are found.`, bySubject(`${S} yields its values one at a time.`)]);
  if (f.extends && outside(f.extends)) {
    const base = nounOf(f.extends);
    add('extends', [f.extends], [`It extends ${code(f.extends)}.`, `The base class is ${code(f.extends)}.`, base ? `${capitalized(base)} is the base: ${subject.noun} extends ${code(f.extends)}.` : bySubject(`${S} extends ${code(f.extends)}.`)]);
  }
  const methods = known(f.methods.filter((m) => m !== 'constructor' && m !== '__init__'));
  chunks(methods, 4, 4).forEach((group, i) => {
    const l = list(group.map(code));
    const action = actionOf(group[0]!);
    add(`methods:${i}`, group, [`Its methods include ${l}.`, `It defines ${l}.`, bySubject(`${S} defines ${l}.`), action ? `${capitalized(action)} and more: ${l}.` : undefined]);
  });
  if (f.methods.length > 1) add('method-count', [], [`It has ${counted(f.methods.length, 'method')}.`, `Its behaviour is split into ${counted(f.methods.length, 'method')}.`, bySubject(`${S} has ${counted(f.methods.length, 'method')}.`)]);
  return items;
}

export class GroundedProposer implements Proposer {
  readonly name = 'grounded';
  private readonly byTarget = new Map<string, { facts: TargetFacts; items: Item[]; ids: Map<string, string> }>();

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
    const keyed: { item: Item; prior: number; key: number }[] = [];
    for (const item of items) {
      if (used.has(item.id)) continue;
      let prior = 0.3;
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

  private prepared(target: string): { facts: TargetFacts; items: Item[]; ids: Map<string, string> } {
    let p = this.byTarget.get(target);
    if (!p) {
      const input: Parameters<typeof targetFacts>[0] = { target };
      if (this.opts.language) input.language = this.opts.language;
      if (this.opts.preceding !== undefined) input.preceding = this.opts.preceding;
      if (this.opts.imports) input.imports = this.opts.imports;
      const facts = this.opts.facts ?? targetFacts(input);
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
      const items = factItems(facts, knows, this.opts.design, this.opts.path)
        .map((it) => ({ ...it, wordings: it.wordings.filter(inside) }))
        .filter((it) => it.wordings.length > 0);
      p = { facts, items, ids: new Map() };
      if (this.byTarget.size > 64) this.byTarget.clear();
      this.byTarget.set(target, p);
    }
    return p;
  }
}
