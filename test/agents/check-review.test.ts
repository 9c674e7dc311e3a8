import { describe, expect, it } from 'vitest';
import { reviewText } from '../../src/agents/grounded/checks.ts';
import { Knowledge, SequenceGuard } from '../../src/boundary/mod.ts';

/** A guard that knows the path (the verdict names it) and has nothing to hold back. */
const guardFor = (path: string) => new SequenceGuard(new Knowledge('javascript').addText(path).answer(''));

// The failure words `retrace stats` counts in a clean verdict (src/stats/narrated-failures.ts).
const FAILURE = /\b(fail(s|ed|ing|ure|ures)?|fix(es|ed|ing)?|broken|wrong|does not stand|must be corrected)\b/i;
const withoutCode = (t: string) => t.replace(/`[^`]*`/g, '');

describe('the tester on a clean check', () => {
  it('never reads as a failure, even for a file named after one', () => {
    for (const path of ['test/fail-plugin-version.js', 'src/fix-root-coercion.test.js', 'lib/error-handler.ts', 'src/broken_links.py']) {
      for (let seed = 1; seed <= 40; seed++) {
        const text = reviewText({ path, findings: [], baseline: [], checks: ['syntax', 'undefined-name', 'arity'], guard: guardFor(path) }, seed);
        expect(withoutCode(text)).not.toMatch(FAILURE);
        expect(text).toContain(`\`${path}\``);
      }
    }
  });

  it("still leads with a file's words when they do not sound like a failure", () => {
    const texts = Array.from({ length: 40 }, (_, i) => reviewText({ path: 'src/heap.ts', findings: [], baseline: [], checks: ['syntax'], guard: guardFor('src/heap.ts') }, i + 1));
    expect(texts.some((t) => /^(Heap|The heap file)/.test(t))).toBe(true);
  });
});
