import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ScorerAuthError,
  ScorerBadResponseError,
  ScorerRateLimitedError,
  ScorerUnreachableError,
  UnsupportedServerError,
} from '../../src/search/score/errors.ts';
import { OpenAIScorer, type OpenAIScorerOptions } from '../../src/search/score/openai.ts';
import type { ScoreItem } from '../../src/search/score/types.ts';
import { fakeExpected, FakeVllm } from './support/fake-vllm.ts';

const ITEMS: ScoreItem[] = [
  { context: 'function add(a, b) {\n', target: '  return a + b;\n}\n' },
  { context: 'const total = items.length;\n', target: 'console.log(total, items);\n' },
  // The context's trailing blanks merge with the target's leading blanks into one token.
  { context: 'let x =  ', target: '  x + 1;' },
];

let server: FakeVllm;
let delays: number[];

function scorer(extra: Partial<OpenAIScorerOptions> = {}): OpenAIScorer {
  return new OpenAIScorer({
    model: server.opts.model,
    endpoints: [server.baseURL],
    apiKey: server.opts.apiKey,
    random: () => 0.5,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...extra,
  });
}

beforeEach(async () => {
  server = await FakeVllm.start();
  delays = [];
});
afterEach(async () => {
  await server.close();
});

describe('OpenAIScorer: the two vLLM shapes', () => {
  for (const mode of ['prompt_logprobs', 'echo'] as const) {
    it(`reads the prompt's own tokens (${mode}), not the top alternative listed first`, async () => {
      const results = await scorer({ mode }).scoreBatch(ITEMS);
      results.forEach((r, k) => {
        const expected = fakeExpected(ITEMS[k]!.context, ITEMS[k]!.target);
        expect(r.tokens).toEqual(expected.tokens);
        expect(r.logprob).toBeCloseTo(expected.logprob, 9);
        // Taking the first entry of each dictionary would give ALT's -0.01 everywhere.
        expect(r.tokenLogprobs.every((lp) => lp !== -0.01)).toBe(true);
      });
      // The straddling token belongs to the target.
      expect(results[2]!.tokens[0]).toBe('    ');
    });
  }

  it('sends vLLM prompt_logprobs as an extra body field with token-id prompts and max_tokens 1', async () => {
    await scorer({ mode: 'prompt_logprobs' }).scoreBatch(ITEMS.slice(0, 1));
    const body = server.requests.find((r) => r.path === 'completions')!.body;
    expect(body.prompt_logprobs).toBe(1);
    expect(body.max_tokens).toBe(1);
    expect(Array.isArray((body.prompt as unknown[])[0])).toBe(true);
  });

  it('tokenizes each candidate once, and the shared target once, when no token straddles the context', async () => {
    const target = 'f(x);\n';
    const items = ['// a\n', '// bb\n', 'let y = 2;\n', 'g();\n'].map((context) => ({ context, target }));
    const results = await scorer({ mode: 'prompt_logprobs' }).scoreBatch(items);
    results.forEach((r, k) => expect(r.logprob).toBeCloseTo(fakeExpected(items[k]!.context, target).logprob, 9));
    // 4 full prompts, the target alone and the empty text (for the specials): not 4 × 2.
    expect(server.count('tokenize')).toBe(6);
  });

  it('tokenizes the context too when a token straddles it, and still gives the straddling token to the target', async () => {
    const [r] = await scorer({ mode: 'prompt_logprobs' }).scoreBatch([ITEMS[2]!]);
    expect(r!.tokens[0]).toBe('    ');
    // full, target, '' and then the context.
    expect(server.count('tokenize')).toBe(4);
  });

  it('falls back from prompt_logprobs to echo when /tokenize is missing (auto)', async () => {
    server.inject('tokenize', { kind: 'status', status: 404 });
    const s = scorer();
    const [r] = await s.scoreBatch(ITEMS.slice(0, 1));
    expect(r!.logprob).toBeCloseTo(fakeExpected(ITEMS[0]!.context, ITEMS[0]!.target).logprob, 9);
    expect(server.requests.filter((q) => q.path === 'completions').map((q) => q.body.echo)).toEqual([true]);
  });

  it('puts several prompts in one request', async () => {
    const many = Array.from({ length: 10 }, (_, k) => ({ context: `// ${k}\n`, target: `f(${k});\n` }));
    await scorer({ mode: 'echo', batchSize: 4 }).scoreBatch(many);
    const sizes = server.requests.filter((r) => r.path === 'completions').map((r) => (r.body.prompt as unknown[]).length);
    expect(sizes.sort()).toEqual([2, 4, 4]);
  });

  it('keeps at most `concurrency` requests in flight per endpoint', async () => {
    for (let k = 0; k < 8; k++) server.inject('completions', { kind: 'slow', ms: 60 });
    const many = Array.from({ length: 8 }, (_, k) => ({ context: `// ${k}\n`, target: `g(${k});\n` }));
    const results = await scorer({ mode: 'echo', batchSize: 1, concurrency: 2 }).scoreBatch(many);
    expect(results).toHaveLength(8);
    expect(server.maxInFlight).toBe(2);
  });

  it('answers repeated items from its LRU cache', async () => {
    const s = scorer({ mode: 'echo' });
    const first = await s.scoreBatch(ITEMS);
    const before = server.requests.length;
    const second = await s.scoreBatch([...ITEMS, ITEMS[0]!]);
    expect(server.requests.length).toBe(before);
    expect(second.slice(0, 3)).toEqual(first);
    expect(s.stats.cacheHits).toBe(4);
  });
});

describe('OpenAIScorer: faults', () => {
  it('retries 429 and 5xx with exponential backoff and jitter, honouring Retry-After', async () => {
    server.inject('completions', { kind: 'status', status: 429 }, { kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'status', status: 429, retryAfterS: 3 });
    const s = scorer({ mode: 'echo', retries: 5, backoff: { baseMs: 100, maxMs: 10_000 } });
    const [r] = await s.scoreBatch(ITEMS.slice(0, 1));
    expect(r!.logprob).toBeCloseTo(fakeExpected(ITEMS[0]!.context, ITEMS[0]!.target).logprob, 9);
    // random() = 0.5: half the ceiling plus a quarter of it; the last waits Retry-After's 3 s.
    expect(delays).toEqual([75, 150, 300, 3000]);
    expect(s.stats.retries).toBe(4);
  });

  it('waits out 429s beyond its retries, and gives up with ScorerRateLimitedError only after rateLimitPatienceMs of waiting', async () => {
    for (let k = 0; k < 5; k++) server.inject('completions', { kind: 'status', status: 429 });
    const err = await scorer({ mode: 'echo', retries: 0, rateLimitPatienceMs: 1000 }).scoreBatch(ITEMS.slice(0, 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScorerRateLimitedError);
    expect((err as Error).message).toContain('injected 429');
    // 187.5 + 375 + 750 ms waited (backoff from 250 ms, random() = 0.5) passes the 1000 ms of patience.
    expect(delays).toEqual([187.5, 375, 750]);
    expect(server.count('completions')).toBe(4);
  });

  it('retries a slow answer that outlives the timeout', async () => {
    server.inject('completions', { kind: 'slow', ms: 800 });
    const s = scorer({ mode: 'echo', timeoutMs: 300 });
    const [r] = await s.scoreBatch(ITEMS.slice(0, 1));
    expect(r!.tokens.length).toBeGreaterThan(0);
    expect(s.stats.retries).toBe(1);
  });

  it('retries a malformed body, and reports ScorerBadResponseError when it persists', async () => {
    server.inject('completions', { kind: 'malformed' });
    const [r] = await scorer({ mode: 'echo' }).scoreBatch(ITEMS.slice(0, 1));
    expect(r!.tokens.length).toBeGreaterThan(0);
    for (let k = 0; k < 4; k++) server.inject('completions', k % 2 ? { kind: 'malformed' } : { kind: 'wrong-shape' });
    const err = await scorer({ mode: 'echo', retries: 3 }).scoreBatch(ITEMS.slice(1, 2)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScorerBadResponseError);
    expect((err as Error).name).toBe('ScorerBadResponseError');
  });

  it('does not retry a wrong API key (401)', async () => {
    const err = await scorer({ apiKey: 'wrong', mode: 'echo' }).scoreBatch(ITEMS.slice(0, 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScorerAuthError);
    expect(server.rejected).toBe(1);
  });

  it('fails over to the next endpoint when one is down or keeps failing', async () => {
    const down = await FakeVllm.start();
    const deadURL = down.baseURL;
    await down.close();
    const s = scorer({ endpoints: [deadURL, server.baseURL], mode: 'echo', retries: 1 });
    const results = await s.scoreBatch(ITEMS);
    expect(results.map((r) => r.logprob)).toEqual(ITEMS.map((i) => expect.closeTo(fakeExpected(i.context, i.target).logprob, 9)));
    expect(s.stats.failovers).toBeGreaterThanOrEqual(1);

    const sick = await FakeVllm.start();
    for (let k = 0; k < 10; k++) sick.inject('completions', { kind: 'status', status: 503 });
    const t = scorer({ endpoints: [sick.baseURL, server.baseURL], mode: 'echo', retries: 1 });
    const [r] = await t.scoreBatch(ITEMS.slice(1, 2));
    expect(r!.logprob).toBeCloseTo(fakeExpected(ITEMS[1]!.context, ITEMS[1]!.target).logprob, 9);
    expect(sick.count('completions')).toBe(2);
    await sick.close();
  });

  it('reports ScorerUnreachableError when no endpoint answers', async () => {
    const down = await FakeVllm.start();
    const deadURL = down.baseURL;
    await down.close();
    const err = await scorer({ endpoints: [deadURL], mode: 'echo', retries: 2 }).scoreBatch(ITEMS.slice(0, 1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScorerUnreachableError);
    expect(delays).toHaveLength(2);
  });
});

describe('OpenAIScorer: servers without prompt log-probs', () => {
  it("says so clearly for llama.cpp's server, in every mode", async () => {
    const llama = await FakeVllm.start({ flavor: 'llamacpp' });
    try {
      for (const mode of ['auto', 'prompt_logprobs', 'echo'] as const) {
        const err = await scorer({ endpoints: [llama.baseURL], mode }).scoreBatch(ITEMS.slice(0, 1)).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(UnsupportedServerError);
        expect((err as Error).message).toMatch(/prompt log-probs|no tokens/);
      }
      const err = await scorer({ endpoints: [llama.baseURL], mode: 'echo' }).scoreBatch(ITEMS.slice(0, 1)).catch((e: unknown) => e);
      expect((err as Error).message).toMatch(/llama\.cpp/);
    } finally {
      await llama.close();
    }
  });
});
