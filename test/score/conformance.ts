/**
 * The scorer conformance suite (Hono's pattern): every Scorer runs it, and a scorer is done when it
 * passes. `make` builds a fresh scorer (already trained / pointed at its server); `teardown` runs
 * after each test.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ScoreItem, Scorer } from '../../src/search/score/types.ts';

export interface ConformanceOptions {
  name: string;
  make: () => Promise<Scorer>;
  teardown?: (scorer: Scorer) => Promise<void>;
}

const TARGET = 'export function parseConfig(text: string): Config {\n  return JSON.parse(text) as Config;\n}\n';
const ITEMS: ScoreItem[] = [
  { context: '// config loading\n', target: TARGET },
  { context: 'import { readFile } from "node:fs/promises";\n', target: 'const data = await readFile(path, "utf8");\n' },
  { context: 'let i = 0;\n', target: 'while (i < 10) i++;\n' },
  { context: 'class Stack {\n', target: '  push(x: number): void { this.items.push(x); }\n' },
];

export function runScorerConformance(opts: ConformanceOptions): void {
  describe(`Scorer conformance: ${opts.name}`, () => {
    let scorer: Scorer;
    beforeEach(async () => {
      scorer = await opts.make();
    });
    afterEach(async () => {
      if (opts.teardown) await opts.teardown(scorer);
      await scorer.close();
    });

    it('answers an empty batch with no results', async () => {
      expect(await scorer.scoreBatch([])).toEqual([]);
    });

    it('gives one result per item, in order, whose token log-probs sum to the total', async () => {
      const results = await scorer.scoreBatch(ITEMS);
      expect(results).toHaveLength(ITEMS.length);
      results.forEach((r, k) => {
        const item = ITEMS[k]!;
        expect(r.tokens.length).toBeGreaterThan(0);
        expect(r.tokenLogprobs).toHaveLength(r.tokens.length);
        for (const lp of r.tokenLogprobs) {
          expect(Number.isFinite(lp)).toBe(true);
          expect(lp).toBeLessThanOrEqual(1e-9);
        }
        const sum = r.tokenLogprobs.reduce((a, b) => a + b, 0);
        expect(r.logprob).toBeCloseTo(sum, 9);
        // The tokens are the end of the prompt: the target, or the target and a boundary token.
        expect((item.context + item.target).endsWith(r.tokens.join(''))).toBe(true);
        expect(r.tokens.join('').length).toBeGreaterThanOrEqual(item.target.length);
      });
    });

    it('scores an empty target as 0 with no tokens', async () => {
      const [r] = await scorer.scoreBatch([{ context: 'let x = 1;\n', target: '' }]);
      expect(r).toEqual({ logprob: 0, tokenLogprobs: [], tokens: [] });
    });

    it('scores an item the same alone, in a batch, and when asked again', async () => {
      const batch = await scorer.scoreBatch(ITEMS);
      const again = await scorer.scoreBatch(ITEMS);
      for (let k = 0; k < ITEMS.length; k++) {
        const [alone] = await scorer.scoreBatch([ITEMS[k]!]);
        expect(alone!.logprob).toBeCloseTo(batch[k]!.logprob, 9);
        expect(alone!.tokens).toEqual(batch[k]!.tokens);
        expect(again[k]!.logprob).toBeCloseTo(batch[k]!.logprob, 9);
      }
    });

    it('scores a large batch the same as its parts', async () => {
      const many: ScoreItem[] = [];
      for (let k = 0; k < 40; k++) many.push({ context: `// item ${k}\nconst v${k} = ${k};\n`, target: `console.log(v${k} + ${k});\n` });
      const all = await scorer.scoreBatch(many);
      const firstHalf = await scorer.scoreBatch(many.slice(0, 20));
      expect(all).toHaveLength(40);
      for (let k = 0; k < 20; k++) expect(firstHalf[k]!.logprob).toBeCloseTo(all[k]!.logprob, 9);
    });

    it('finds a target more likely after a context that contains it than after unrelated text', async () => {
      const [primed, unrelated] = await scorer.scoreBatch([
        { context: `Here is the code we need:\n${TARGET}\nAgain:\n`, target: TARGET },
        { context: 'Meeting notes: the weather was mild; lunch was at noon.\nAgain:\n', target: TARGET },
      ]);
      expect(primed!.logprob).toBeGreaterThan(unrelated!.logprob);
    });
  });
}
