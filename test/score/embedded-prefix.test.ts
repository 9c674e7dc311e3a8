import { describe, expect, it } from 'vitest';
import { EmbeddedScorer } from '../../src/search/score/embedded.ts';
import type { ScoreItem } from '../../src/search/score/types.ts';
import { realCode } from './support/real-code.ts';

function fresh(extra: string[] = []): EmbeddedScorer {
  const scorer = new EmbeddedScorer();
  for (const file of realCode(6)) scorer.train(file.text);
  for (const code of extra) scorer.train(code);
  return scorer;
}

/** Each item scored by its own new scorer: nothing carried over from other contexts. */
function fromScratch(items: ScoreItem[], extra: string[] = []): number[][] {
  return items.map((item) => fresh(extra).score(item).tokenLogprobs);
}

const shared = `${realCode(8)[7]!.text.slice(0, 3000)}\n// Plan: zqxFrobnicate the widgetRegistry, then call ensureZqx();\n`;
const items: ScoreItem[] = [
  { context: `${shared}// step: use zqxFrobnicate\n`, target: 'zqxFrobnicate(widgetRegistry);\n' },
  { context: `${shared}// step: first ensureZqx`, target: '\nensureZqx();\n' },
  // Contexts that part in the middle of a token (`abc` against `abcdef`) and in a number (`1.` `1.5`).
  { context: `${shared}const abc`, target: ' = 1;\n' },
  { context: `${shared}const abcdef`, target: ' = 2;\n' },
  { context: `${shared}x = 1.`, target: '5;\n' },
  { context: `${shared}x = 1.5`, target: ';\n' },
  { context: shared, target: 'return widgetRegistry;\n' },
];

describe('embedded scorer: contexts sharing a start', () => {
  it('scores a batch that shares a start exactly as each context from scratch', async () => {
    const batch = await fresh().scoreBatch(items);
    expect(batch.map((r) => r.tokenLogprobs)).toEqual(fromScratch(items));
  });

  it('resumes from the previous call in single-item calls, with the same results', async () => {
    const scorer = fresh();
    const one: number[][] = [];
    for (const item of items) one.push((await scorer.scoreBatch([item]))[0]!.tokenLogprobs);
    for (const item of [...items].reverse()) one.push((await scorer.scoreBatch([item]))[0]!.tokenLogprobs);
    const expected = fromScratch(items);
    expect(one).toEqual([...expected, ...[...expected].reverse()]);
  });

  it('drops what it kept when it trains on more code', async () => {
    const scorer = fresh();
    await scorer.scoreBatch(items);
    const code = 'function zqxFrobnicate(registry) {\n  return ensureZqx(registry);\n}\n';
    scorer.train(code);
    const after = await scorer.scoreBatch(items);
    expect(after.map((r) => r.tokenLogprobs)).toEqual(fromScratch(items, [code]));
  });

  it('handles unrelated contexts in one batch', async () => {
    const mixed = [items[0]!, { context: 'short', target: ' text' }, items[1]!];
    const batch = await fresh().scoreBatch(mixed);
    expect(batch.map((r) => r.tokenLogprobs)).toEqual(fromScratch(mixed));
  });

  it('processes from scratch a context longer than the cache window', async () => {
    const windowed = (): EmbeddedScorer => {
      const scorer = new EmbeddedScorer({ cacheWindow: 400 });
      for (const file of realCode(6)) scorer.train(file.text);
      return scorer;
    };
    const start = shared.slice(0, 600);
    const short = { context: `${start}\nconst zz = 1;\n`, target: 'zz + 1;\n' };
    const long = { context: `${start}\n${shared.slice(600, 2400)}\nconst zz = 2;\n`, target: 'zz + 2;\n' };
    const scorer = windowed();
    const other = { context: `${start}\nlet yy = 3;\n`, target: 'yy;\n' };
    const got = [...(await scorer.scoreBatch([short, other])), ...(await scorer.scoreBatch([long]))];
    // The batch left a kept start (private state, read here only to know the case is exercised).
    const kept = (scorer as unknown as { prefix?: { text: string } }).prefix;
    expect(kept !== undefined && kept.text.length > 300 && start.startsWith(kept.text)).toBe(true);
    const expected = [short, other, long].map((item) => windowed().score(item).tokenLogprobs);
    expect(got.map((r) => r.tokenLogprobs)).toEqual(expected);
  });
});
