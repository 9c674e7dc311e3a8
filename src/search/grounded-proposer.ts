/**
 * The grounded proposer: offline, deterministic for a seed, built from facts about the target
 * (facts.ts) — its purpose (doc comment, name), signature, dependencies and why, calls, data it
 * touches, control flow, the cases and checks it handles, errors, what it returns.
 *
 * Each fact becomes an item with a few wordings; a request draws `k` items not yet stated in the
 * steps so far, without replacement, with probability growing with the prior (Gumbel top-k: the
 * seed varies the choice and the order), and one wording each (the seed varies the wording).
 * The prior of an item is larger when it names more target identifiers not named yet.
 *
 * Truth: code names in steps are written in backticks, and an item is offered only when every
 * identifier inside its backticks is an identifier of the target or of `knownIdentifiers` (the
 * repo's). `namedIdentifiers` reads them back, for checks outside the proposer.
 */
import { createRng, mixSeed, type Rng } from './rng.ts';
import { targetFacts, type ImportBinding, type TargetFacts } from './facts.ts';
import type { LanguageId } from '../graph/mod.ts';
import type { Proposal, ProposalRequest, Proposer } from './proposer.ts';

export interface GroundedProposerOptions {
  language?: LanguageId;
  /** Text before the target in its file (for the doc comment). */
  preceding?: string;
  imports?: readonly ImportBinding[];
  /** Identifiers that exist in the repo; the target's own are always allowed. */
  knownIdentifiers?: ReadonlySet<string>;
  /** Facts computed elsewhere (skips parsing). */
  facts?: TargetFacts;
}

interface Item {
  id: string;
  names: string[];
  wordings: string[];
}

/** Identifiers named in a step: every identifier inside backticks. */
export function namedIdentifiers(step: string): string[] {
  const out: string[] = [];
  for (const m of step.matchAll(/`([^`]+)`/g)) for (const id of m[1]!.matchAll(/[A-Za-z_$][\w$]*/g)) out.push(id[0]);
  return out;
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

function words(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_$]+/g, ' ')
    .trim()
    .toLowerCase();
}

const KIND_WORD: Record<TargetFacts['kind'], string> = { function: 'function', class: 'class', method: 'method', constant: 'constant', other: 'definition' };

/** Every statement the facts support, each with its wordings. */
export function factItems(f: TargetFacts): Item[] {
  const items: Item[] = [];
  const add = (id: string, names: string[], wordings: string[]): void =>
    void items.push({ id, names: names.flatMap((n) => n.split('.')).filter((n) => n.length > 0), wordings });
  const kind = KIND_WORD[f.kind];
  if (f.doc) add('doc', [], [`Purpose: ${f.doc}`, `The doc comment says: ${f.doc}`, `Goal: ${f.doc}`]);
  if (f.name) {
    const n = code(f.name);
    const w = words(f.name);
    add('name', [f.name], [`${n} is a ${kind} to ${w}.`, `Write the ${kind} ${n} (${w}).`, `Next: ${n}, which should ${w}.`]);
  }
  if (f.params.length > 0) {
    const p = list(f.params.map(code));
    const mode = f.isAsync ? 'async ' : f.isGenerator ? 'generator ' : '';
    add('params', f.params, [`It takes ${p}.`, `Parameters: ${p}.`, `The ${mode}${kind} receives ${p}.`]);
  } else if (f.kind === 'function' || f.kind === 'method') {
    add('params', [], [`It takes no parameters.`, `No inputs: it works from what is in scope.`]);
  }
  for (const dep of f.dependencies.slice(0, 6)) {
    const d = code(dep.name);
    add(`dep:${dep.name}`, [dep.name], [`It uses ${d} from '${dep.module}'.`, `${d} comes from '${dep.module}'.`, `Rely on the imported ${d} ('${dep.module}').`]);
  }
  chunks(f.calls, 3, 6).forEach((group, i) => {
    const l = list(group.map(code));
    add(`calls:${i}`, group, [`It calls ${l}.`, `Work is delegated to ${l}.`, `Calls to ${l} do the work.`]);
  });
  chunks(f.constructs, 2, 3).forEach((group, i) => {
    const l = list(group.map(code));
    add(`new:${i}`, group, [`It creates new ${l} objects.`, `It constructs ${l} with new.`]);
  });
  chunks(f.members, 3, 8).forEach((group, i) => {
    const l = list(group.map(code));
    add(`members:${i}`, group, [`It reads ${l}.`, `It works with ${l}.`, `The data it touches: ${l}.`]);
  });
  chunks(f.locals, 4, 4).forEach((group, i) => {
    const l = list(group.map(code));
    add(`locals:${i}`, group, [`Locals: ${l}.`, `Intermediate values live in ${l}.`, `It keeps state in ${l}.`]);
  });
  for (const it of f.iterates.slice(0, 3)) add(`iter:${it}`, [it], [`It loops over ${code(it)}.`, `Iterate over ${code(it)}.`]);
  const c = f.control;
  if (c.branches + c.loops + c.switches + c.tries > 0) {
    const parts: string[] = [];
    if (c.branches) parts.push(`${c.branches} branch${c.branches > 1 ? 'es' : ''}`);
    if (c.loops) parts.push(`${c.loops} loop${c.loops > 1 ? 's' : ''}`);
    if (c.switches) parts.push(`a switch`);
    if (c.tries) parts.push(`error handling with try/catch`);
    add('control', [], [`Control flow: ${list(parts)}.`, `The body has ${list(parts)}.`]);
  } else if (f.kind === 'function' || f.kind === 'method') {
    add('control', [], [`The body is straight-line code with no branches.`, `No branching: one straight path.`]);
  }
  if (f.cases.length > 0) {
    const shown = f.cases.slice(0, 6).map((v) => (/^[A-Za-z_$][\w$.]*$/.test(v) ? code(v) : v));
    const names = f.cases.slice(0, 6).filter((v) => /^[A-Za-z_$][\w$.]*$/.test(v)).flatMap((v) => v.split('.'));
    add('cases', names, [`The switch handles ${list(shown)}.`, `Cases: ${list(shown)}.`]);
  }
  f.checks.slice(0, 6).forEach((ch, i) => {
    const s = code(ch.subject);
    const names = ch.subject.split('.');
    if (ch.kind === 'typeof') add(`check:${i}`, names, [`It checks whether ${s} is a ${ch.type}.`, `When ${s} is a ${ch.type}, it takes a separate path.`]);
    else if (ch.kind === 'missing') add(`check:${i}`, names, [`It guards against a missing ${s}.`, `Handle an absent ${s} first.`]);
    else if (ch.kind === 'array') add(`check:${i}`, names, [`It tells arrays apart: is ${s} an array?`, `An array ${s} is handled on its own.`]);
    else add(`check:${i}`, [...names, ...ch.ctor.split('.')], [`It checks whether ${s} is a ${code(ch.ctor)}.`, `A ${code(ch.ctor)} instance in ${s} is special-cased.`]);
  });
  if (f.errors.length > 0) {
    const l = list(f.errors.slice(0, 3).map(code));
    add('errors', f.errors.slice(0, 3).flatMap((e) => e.split('.')), [`It throws ${l} on bad input.`, `Invalid input raises ${l}.`]);
  }
  const seen = new Set<string>();
  f.returns.forEach((r, i) => {
    const key = JSON.stringify(r);
    if (seen.has(key) || r.kind === 'other' || r.kind === 'literal') return;
    seen.add(key);
    const id = `return:${i}`;
    if (r.kind === 'identifier') add(id, [r.name], [`It returns ${code(r.name)}.`, `The result is ${code(r.name)}.`]);
    else if (r.kind === 'call') add(id, r.callee.split('.'), [`It returns what ${code(r.callee)} gives back.`, `The result comes from ${code(r.callee)}.`]);
    else if (r.kind === 'new') add(id, r.ctor.split('.'), [`It returns a new ${code(r.ctor)}.`, `The result is a fresh ${code(r.ctor)}.`]);
    else if (r.kind === 'object' && r.keys.length > 0) add(id, r.keys, [`It returns an object with ${list(r.keys.map(code))}.`, `The result holds ${list(r.keys.map(code))}.`]);
    else if (r.kind === 'boolean') add(id, [], [`It returns a boolean.`, `The answer is true or false.`]);
    else if (r.kind === 'this') add(id, [], [`It returns this, for chaining.`, `It returns the instance itself.`]);
    else if (r.kind === 'array') add(id, [], [`It returns an array.`, `The result is a list.`]);
  });
  if (f.control.awaits > 0) add('await', [], [`It awaits asynchronous work.`, `Each asynchronous step is awaited in turn.`]);
  if (f.extends) add('extends', f.extends.split('.'), [`It extends ${code(f.extends)}.`, `The base class is ${code(f.extends)}.`]);
  chunks(f.methods, 4, 4).forEach((group, i) => {
    const l = list(group.map(code));
    add(`methods:${i}`, group, [`Its methods: ${l}.`, `It defines ${l}.`]);
  });
  chunks(f.strings, 3, 4).forEach((group, i) => {
    const l = list(group.map((s) => `'${s}'`));
    add(`strings:${i}`, [], [`It uses the strings ${l}.`, `String keys involved: ${l}.`]);
  });
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
      const known = this.opts.knownIdentifiers;
      // Truth: an item naming an identifier found neither in the target nor in the repo is dropped.
      const items = factItems(facts).filter((it) =>
        it.wordings.every((w) => namedIdentifiers(w).every((n) => facts.identifiers.has(n) || known?.has(n) === true)),
      );
      p = { facts, items, ids: new Map() };
      if (this.byTarget.size > 64) this.byTarget.clear();
      this.byTarget.set(target, p);
    }
    return p;
  }
}
