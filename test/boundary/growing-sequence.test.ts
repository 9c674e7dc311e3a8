/**
 * A sequence judged a step at a time gives the verdict of the guard on the whole sequence, for
 * every step, under attacks that only show across steps: a copied run cut between two steps, a
 * string literal split over a line break, and steps after which more must follow.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyTokens, Knowledge, SequenceGuard } from '../../src/boundary/mod.ts';

const target = readFileSync(join(import.meta.dirname, '../../node_modules/commander/lib/option.js'), 'utf8');
const known = readFileSync(join(import.meta.dirname, '../../node_modules/commander/lib/argument.js'), 'utf8');

/** Candidate steps from a fixed seed: slices of the target, prose, names in code spans, literals. */
function candidates(seed: number, n: number): string[] {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const tokens = copyTokens(target);
  const prose = ['The option is parsed here.', 'It reads the flags first.', 'Then `value` is checked.', 'Defaults come last', 'A negated flag is kept apart.', 'The argument is optional', '100 of them', '`Option` is exported.'];
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = next();
    if (r < 0.35) {
      const at = Math.floor(next() * (tokens.length - 10));
      out.push(tokens.slice(at, at + 1 + Math.floor(next() * 7)).join(' '));
    } else if (r < 0.5) {
      const line = target.split('\n')[Math.floor(next() * 40)] ?? '';
      out.push(line.slice(0, Math.floor(line.length / 2)));
      out.push(line.slice(Math.floor(line.length / 2)));
    } else out.push(prose[Math.floor(next() * prose.length)]!);
  }
  return out;
}

describe('a sequence judged step by step', () => {
  for (const [label, prefix, after] of [
    ['alone', [], []],
    ['after a prefix', ['I start with the flags of an option:', 'short and long.'], []],
    ['with more to follow', [], ['It builds on the argument file.', 'Nothing else is needed']],
    ['between a prefix and more to follow', ['Next, the option.'], ['Its interface follows.']],
  ] as const) {
    it(`gives the whole sequence's verdict on every step, ${label}`, () => {
      const spec = new Knowledge('javascript').addText(known).answer(target);
      const guard = new SequenceGuard(spec, [...prefix]);
      let admitted = 0;
      let refused = 0;
      for (const seed of [1, 2, 3, 4]) {
        const growing = guard.growing([...after]);
        const said: string[] = [];
        for (const c of candidates(seed, 80)) {
          const whole = guard.admits([...said, c, ...after]);
          expect(growing.admits(c)).toBe(whole);
          if (whole) {
            growing.push(c);
            said.push(c);
            admitted++;
          } else refused++;
        }
      }
      expect(admitted).toBeGreaterThan(20);
      expect(refused).toBeGreaterThan(20);
    });
  }

  it('refuses everything when what must follow states the answer already', () => {
    const spec = new Knowledge('javascript').answer(target);
    const line = target.split('\n').find((l) => copyTokens(l).length > 12)!;
    const growing = new SequenceGuard(spec).growing([line]);
    expect(growing.admits('The option is parsed here.')).toBe(false);
  });
});
