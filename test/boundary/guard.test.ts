/**
 * The knowledge boundary's guard on sequences (docs/reasoning.md): copies counted over the whole
 * sequence, literals, names outside the boundary, and what known texts make sayable.
 */
import { describe, expect, it } from 'vitest';
import { Knowledge, SequenceGuard, guardOf, boundarySpecSchema } from '../../src/boundary/mod.ts';
import { GuardedProposer, type Proposer } from '../../src/search/mod.ts';

const target = [
  "import { join } from 'node:path';",
  '',
  '/** Where a cache entry lives: one file per key, under the cache directory. */',
  'export function entryPath(cacheDir, key) {',
  "  const safeKey = key.replace(/[^a-z0-9]/gi, '_');",
  "  return join(cacheDir, `${safeKey}.json`) + suffixFor(1024);",
  '}',
  '',
].join('\n');

const guardFor = (known: Knowledge) => new SequenceGuard(known.answer(target));
const nothingKnown = () => guardFor(new Knowledge('javascript'));

describe('the sequence guard', () => {
  it('refuses six consecutive answer tokens, re-spaced or in a code span', () => {
    const g = nothingKnown();
    expect(g.admits(['It returns join(cacheDir, something).'])).toBe(false);
    expect(g.admits(['Then: `return   join ( cacheDir ,`'])).toBe(false);
    expect(g.violations(['a cache entry lives: one file per key'])).toEqual([
      { kind: 'copy', detail: '9 tokens of the answer: a cache entry lives : one file per key' },
    ]);
  });

  it('counts a copy across steps: two halves of one line are one run', () => {
    const g = nothingKnown();
    expect(g.admits(['Where a cache entry'])).toBe(true);
    expect(g.admits(['lives: one file'])).toBe(true);
    expect(g.admits(['Where a cache entry', 'lives: one file'])).toBe(false);
    // ...and across what was said before the steps under test.
    expect(g.after(['Where a cache entry']).admits(['lives: one file'])).toBe(false);
  });

  it('refuses the answer\'s string and number literals, and its names outside the boundary', () => {
    const g = nothingKnown();
    expect(g.violations(["It needs 'node:path'."])).toEqual([{ kind: 'literal', detail: 'node:path' }]);
    expect(g.violations(['Entries are padded to 1024 bytes.'])).toEqual([{ kind: 'literal', detail: '1024' }]);
    expect(g.violations(['The key becomes `safeKey`.'])).toEqual([{ kind: 'name', detail: 'safeKey' }]);
    expect(g.violations(['It calls suffixFor on the size.'])).toEqual([{ kind: 'name', detail: 'suffixFor' }]);
  });

  it('lets prose words, builtins and members of builtins through', () => {
    const g = nothingKnown();
    expect(g.admits(['Each key maps to one file under the cache directory; it uses `JSON` and `Math.max`.'])).toBe(true);
    // `key` is a parameter of the answer, but "key" in prose is English.
    expect(g.admits(['The key is made safe for a file name first.'])).toBe(true);
  });

  it('allows what the known texts hold: names, literals and runs read before', () => {
    const read = "export function suffixFor(n) { return ''; }\nconst p = join(cacheDir, `${safeKey}.json`);\nimport x from 'node:path';";
    const g = guardFor(new Knowledge('javascript').addText(read).addNames(['entryPath']));
    expect(g.admits(['It calls `suffixFor` and `join`, as `entryPath` does.'])).toBe(true);
    expect(g.admits(["It needs 'node:path'."])).toBe(true);
    expect(g.admits(['join(cacheDir, `${safeKey}.json`)'])).toBe(true);
    expect(g.admits(['Entries are padded to 1024 bytes.'])).toBe(false);
  });

  it('keeps, in order, the sentences that keep the sequence inside', () => {
    const g = nothingKnown();
    expect(g.keep(['Files per key.', 'It uses `safeKey`.', 'Where a cache entry', 'lives: one file', 'Keys become file names.'])).toEqual([
      'Files per key.',
      'Where a cache entry',
      'Keys become file names.',
    ]);
  });

  it('travels as plain data: a spec through its schema makes the same guard', () => {
    const spec = { answer: new Knowledge('javascript').addText('safeKey').answer(target), prefix: [] };
    const again = guardOf(boundarySpecSchema.parse(JSON.parse(JSON.stringify({ ...spec, prefix: ['Where a cache entry'] }))));
    expect(again.admits(['lives: one file'])).toBe(false);
    expect(again.admits(['It names `safeKey`.'])).toBe(true);
  });
});

describe('the guarded proposer', () => {
  it('never passes on a proposal that crosses the boundary; counts refusals and duplicates; normalises priors', async () => {
    const leaky: Proposer = {
      name: 'leaky',
      propose: async () => [
        { text: 'Just write: return join(cacheDir, x);' },
        { text: 'Files per key.' },
        { text: 'Files  per key. ' },
        { text: 'It uses `safeKey`.' },
        { text: 'Keys become file names.' },
      ],
    };
    const g = new GuardedProposer(leaky, '', target, nothingKnown());
    const out = await g.propose([], 8, 1);
    expect(out.map((p) => p.text)).toEqual(['Files per key.', 'Keys become file names.']);
    expect(out.map((p) => p.prior)).toEqual([0.5, 0.5]);
    expect(g.stats).toMatchObject({ copyRejections: 2, duplicates: 1, proposed: 5 });
    expect((await g.propose(['Files per key.'], 8, 1)).map((p) => p.text)).toEqual(['Keys become file names.']);
  });

  it('checks a proposal with the steps before it: a slice that completes a copy is refused', async () => {
    const slices: Proposer = { name: 's', propose: async () => [{ text: 'lives: one file' }] };
    const g = new GuardedProposer(slices, '', target, nothingKnown());
    expect(await g.propose([], 4, 1)).toHaveLength(1);
    expect(await g.propose(['Where a cache entry'], 4, 1)).toHaveLength(0);
  });
});
