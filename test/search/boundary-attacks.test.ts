/**
 * The attacks on the objective that the knowledge boundary must stop (docs/reasoning.md), each run
 * through the real search (MCTS, the embedded scorer trained on the package's other files) on real
 * code nobody here wrote: listing the target's identifiers, slicing the target into 8-token steps
 * (bare, in code spans, between filler words), quoting its literals a few at a time. Unguarded,
 * each attack raises the reward; under the boundary none of its steps is ever scored.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Knowledge, openGuard, SequenceGuard, identifiersOf, literalsOf } from '../../src/boundary/mod.ts';
import { Mcts, type Proposer, type SearchProblem } from '../../src/search/mod.ts';
import { EmbeddedScorer, tokenize } from '../../src/search/score/mod.ts';

const LIB = join(import.meta.dirname, '../../node_modules/commander/lib');
const target = readFileSync(join(LIB, 'suggestSimilar.js'), 'utf8');
// What the team knows before writing it: the package's other files (read, written before).
const knownText = readFileSync(join(LIB, 'error.js'), 'utf8');
const context = `// lib/suggestSimilar.js: suggestions for mistyped commands and options\n`;

function trainedScorer(): EmbeddedScorer {
  const s = new EmbeddedScorer();
  for (const f of ['argument.js', 'option.js', 'help.js', 'error.js']) s.train(readFileSync(join(LIB, f), 'utf8'));
  return s;
}

const fixed = (name: string, steps: readonly string[]): Proposer => ({
  name,
  propose: async (req) => steps.filter((s) => !req.steps.includes(s)).slice(0, req.k).map((text) => ({ text })),
});

/** Identifiers of the target that the context does not hold, a few per step. */
function listIdentifiers(): string[] {
  const known = identifiersOf(context + knownText);
  const fresh = [...identifiersOf(target)].filter((n) => !known.has(n) && n.length > 2);
  const out: string[] = [];
  for (let i = 0; i < fresh.length && out.length < 8; i += 4) out.push(fresh.slice(i, i + 4).map((n) => `\`${n}\``).join(', '));
  return out;
}

/** The target's first 48 non-blank tokens, 8 to a step, wrapped by `wrap`. */
function slices(wrap: (s: string, i: number) => string): string[] {
  const tokens = tokenize(target).filter((t) => t.trim().length > 0).slice(0, 48);
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i += 8) out.push(wrap(tokens.slice(i, i + 8).join(' '), i / 8));
  return out;
}

function quoteLiterals(): string[] {
  const { strings, numbers } = literalsOf(target, 'javascript');
  const all = [...strings.map((s) => `'${s}'`), ...numbers];
  const out: string[] = [];
  for (let i = 0; i < all.length; i += 2) out.push(`It uses ${all.slice(i, i + 2).join(' and ')}.`);
  return out;
}

const ATTACKS: Array<[string, () => string[]]> = [
  ['listing the identifiers the context lacks', listIdentifiers],
  ['slicing the target into 8-token steps', () => slices((s) => s)],
  ['slicing the target into code spans', () => slices((s) => `\`${s}\``)],
  ['slicing the target between filler words', () => slices((s, i) => `Part ${i + 1}: ${s}`)],
  ['quoting its literals two at a time', quoteLiterals],
];

async function search(steps: string[], guard: SequenceGuard | undefined) {
  const problem: SearchProblem = { context, target, proposer: fixed('attack', steps), scorer: trainedScorer(), seed: 7, maxSteps: 6 };
  if (guard) problem.guard = guard;
  return new Mcts().search(problem, { scorerCalls: 32, batchSize: 4 });
}

const boundary = () => new SequenceGuard(new Knowledge('javascript').addText(context).addText(knownText).answer(target));

describe('attacks on the objective, through the real search', () => {
  for (const [name, attack] of ATTACKS) {
    it(`${name}: raises the reward unguarded, is never scored under the boundary`, async () => {
      const steps = attack();
      expect(steps.length).toBeGreaterThan(0);
      const open = await search(steps, openGuard());
      expect(open.reward).toBeGreaterThan(0);
      const guarded = await search(steps, boundary());
      expect(guarded.steps).toEqual([]);
      expect(guarded.reward).toBe(0);
      expect(guarded.scorerCalls).toBe(0);
      expect(guarded.proposals.copyRejections).toBeGreaterThan(0);
    });
  }

  it('with no boundary given, the whole target is the answer: the attacks are refused too', async () => {
    for (const [, attack] of ATTACKS) {
      const r = await search(attack(), undefined);
      expect(r.steps).toEqual([]);
    }
  });

  it('reasoning inside the boundary is still scored', async () => {
    const inside = ['It finds the closest candidates to a mistyped word, by edit distance.', 'It returns a hint to print after an error message.'];
    const r = await search(inside, boundary());
    expect(r.scorerCalls).toBeGreaterThan(0);
    expect(r.proposals.copyRejections).toBe(0);
  });
});
