import { describe, expect, it } from 'vitest';
import { EmbeddedScorer } from '../../src/search/score/embedded.ts';
import { HashTable } from '../../src/search/score/hash-table.ts';
import { KneserNeyModel } from '../../src/search/score/kneser-ney.ts';
import { tokenize } from '../../src/search/score/tokenize.ts';
import { realCode } from './support/real-code.ts';

function trained(files = realCode(25)): EmbeddedScorer {
  const scorer = new EmbeddedScorer();
  for (const file of files) scorer.train(file.text);
  return scorer;
}

const TARGET = [
  'export function mergeRetryPolicy(defaults: RetryPolicy, overrides: Partial<RetryPolicy>): RetryPolicy {',
  '  const maxAttempts = overrides.maxAttempts ?? defaults.maxAttempts;',
  '  return { ...defaults, ...overrides, maxAttempts };',
  '}',
  '',
].join('\n');

describe('embedded scorer: the distribution is proper', () => {
  it('sums to 1 over the vocabulary plus the unknown mass, for sampled contexts', () => {
    const files = realCode(30);
    const scorer = trained(files.slice(0, 20));
    const heldOut = files.slice(20, 24);
    expect(scorer.ngram.vocab.size).toBeGreaterThan(500);
    let checked = 0;
    for (const file of heldOut) {
      const tokens = tokenize(file.text);
      for (const at of [0, 1, 7, Math.floor(tokens.length / 3), Math.floor(tokens.length / 2), tokens.length - 1]) {
        const context = tokens.slice(Math.max(0, at - 300), at).join('');
        const d = scorer.distribution(context);
        let sum = d.unknown;
        for (const p of d.probs.values()) {
          expect(p).toBeGreaterThanOrEqual(0);
          sum += p;
        }
        expect(d.unknown).toBeGreaterThan(0);
        expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
        checked++;
      }
    }
    // With identifiers the model never trained on, in the context and in a target prefix.
    const d = scorer.distribution('const zqxWidget = makeZqx();\n', 'zqxWidget.');
    expect(d.probs.has('zqxWidget')).toBe(true);
    let sum = d.unknown;
    for (const p of d.probs.values()) sum += p;
    expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
    expect(checked).toBe(heldOut.length * 6);
  });

  it('is proper before any training, where everything is unknown or cached', () => {
    const d = new EmbeddedScorer().distribution('a b a');
    let sum = d.unknown;
    for (const p of d.probs.values()) sum += p;
    expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
    expect(d.probs.get('a')).toBeGreaterThan(d.probs.get('b')!);
  });
});

describe('embedded scorer: context', () => {
  const scorer = trained();

  it("raises log P(target) when the context names the target's identifiers", () => {
    const bare = scorer.score({ context: '// utilities\n', target: TARGET }).logprob;
    const named = scorer.score({
      context: '// utilities\n// Plan: mergeRetryPolicy takes RetryPolicy defaults and Partial overrides; maxAttempts comes from overrides first.\n',
      target: TARGET,
    }).logprob;
    // The target's names cost tens of nats each when unknown; naming them must save far more than noise.
    expect(named - bare).toBeGreaterThan(50);
  });

  it('gains nothing meaningful from unrelated text', () => {
    const bare = scorer.score({ context: '// utilities\n', target: TARGET });
    const unrelated = scorer.score({
      context: '// utilities\n// The weather report says rain tomorrow, light wind from the west, and cooler nights.\n',
      target: TARGET,
    });
    const perToken = (unrelated.logprob - bare.logprob) / bare.tokens.length;
    expect(perToken).toBeLessThan(0.05);
  });

  it('finds structure copied from the context more likely than without it', () => {
    const file = realCode(30)[26]!.text;
    const target = file.slice(0, 1500);
    const fresh = scorer.score({ context: '', target });
    const copied = scorer.score({ context: target, target });
    expect(copied.logprob).toBeGreaterThan(fresh.logprob + 0.5 * fresh.tokens.length);
  });
});

describe('embedded scorer: training', () => {
  it('never trains on what it scores', () => {
    const scorer = trained(realCode(5));
    const before = scorer.ngram.trainedTokens;
    const first = scorer.score({ context: 'x', target: TARGET });
    const second = scorer.score({ context: 'x', target: TARGET });
    expect(scorer.ngram.trainedTokens).toBe(before);
    expect(second).toEqual(first);
  });

  it('learns incrementally from code written so far', () => {
    const scorer = trained(realCode(5));
    const before = scorer.score({ context: '', target: TARGET }).logprob;
    scorer.train(TARGET.replaceAll('mergeRetryPolicy', 'mergeCachePolicy').replaceAll('RetryPolicy', 'CachePolicy'));
    const after = scorer.score({ context: '', target: TARGET }).logprob;
    expect(after).toBeGreaterThan(before + 20);
  });

  it('is deterministic: two models trained alike score alike', () => {
    const a = trained(realCode(8));
    const b = trained(realCode(8));
    const item = { context: realCode(10)[9]!.text.slice(0, 800), target: realCode(10)[9]!.text.slice(800, 1600) };
    expect(a.score(item)).toEqual(b.score(item));
  });

  it('predicts held-out real code far better than the uniform baseline', () => {
    const files = realCode(30);
    const scorer = trained(files.slice(0, 20));
    const target = files[22]!.text.slice(0, 4000);
    const r = scorer.score({ context: '', target });
    const uniform = -Math.log(scorer.ngram.vocab.size - 1);
    expect(r.logprob / r.tokens.length).toBeGreaterThan(uniform + 2);
  });

  it('rejects an order outside 1..8', () => {
    expect(() => new KneserNeyModel({ order: 0 })).toThrow(RangeError);
    expect(() => new KneserNeyModel({ order: 9 })).toThrow(RangeError);
  });

  it('order 1 and order 6 models stay proper', () => {
    for (const order of [1, 6]) {
      const scorer = new EmbeddedScorer({ order });
      for (const file of realCode(6)) scorer.train(file.text);
      const d = scorer.distribution('function (a, b) {\n  return');
      let sum = d.unknown;
      for (const p of d.probs.values()) sum += p;
      expect(Math.abs(sum - 1)).toBeLessThan(1e-6);
    }
  });
});

describe('HashTable', () => {
  it('finds every key after growing, and misses absent keys', () => {
    const table = new HashTable(2, 16);
    for (let k = 0; k < 5000; k++) {
      const at = table.upsert(k * 2654435761, k ^ 0x5bd1e995);
      table.data[at] = k;
      table.data[at + 1] = k * 3;
    }
    expect(table.size).toBe(5000);
    expect(table.capacity).toBeGreaterThanOrEqual(5000 / 0.7);
    for (let k = 0; k < 5000; k++) {
      const at = table.find(k * 2654435761, k ^ 0x5bd1e995);
      expect(table.data[at]).toBe(k);
      expect(table.data[at + 1]).toBe(k * 3);
    }
    expect(table.find(12345, 999_999)).toBe(-1);
    table.clear();
    expect(table.size).toBe(0);
    expect(table.find(0, 0x5bd1e995)).toBe(-1);
  });
});
