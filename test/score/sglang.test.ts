import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScorerAuthError, ScorerBadResponseError, ScorerRateLimitedError, UnsupportedServerError } from '../../src/search/score/errors.ts';
import { SGLangScorer, type SGLangScorerOptions } from '../../src/search/score/sglang.ts';
import { GroundedProposer } from '../../src/search/grounded-proposer.ts';
import { Mcts } from '../../src/search/mcts.ts';
import { FakeSglang, sglangExpected, sglangTokenize, toyLogprob } from './support/fake-sglang.ts';
import { FakeVllm } from './support/fake-vllm.ts';

let server: FakeSglang;
beforeAll(async () => {
  server = await FakeSglang.start({ apiKey: 'k', model: '/models/llama-3.2-1b', servedName: 'llama-3.2-1b' });
});
afterAll(async () => {
  await server.close();
});

const noSleep = async () => {};
function scorer(extra: Partial<SGLangScorerOptions> = {}): SGLangScorer {
  return new SGLangScorer({ model: 'llama-3.2-1b', endpoints: [server.url], apiKey: 'k', cacheSize: 0, sleep: noSleep, ...extra });
}

const CONTEXT = 'import { readFile } from "node:fs/promises";\n\nexport async function load(path: string) {\n';
const TARGET = '  const text = await readFile(path, "utf8");\n  return JSON.parse(text);\n}\n';

type GenerateBody = { input_ids: number[][]; logprob_start_len: number[]; return_logprob: boolean; return_text_in_logprobs: boolean; sampling_params: { max_new_tokens: number } };
const lastGenerate = () => server.requests.filter((r) => r.path === 'generate').at(-1)!.body as unknown as GenerateBody;

describe('SGLangScorer on the /generate wire', () => {
  it('reads the log-prob of every target token the model gives, BPE merges across the boundary included', async () => {
    const s = scorer();
    const items = [
      { context: CONTEXT, target: TARGET },
      { context: 'let a = 1;\n\n', target: '\n\nlet b = a + 1;\n' },
      { context: 'const s = "x', target: 'yz";\n' },
    ];
    const results = await s.scoreBatch(items);
    results.forEach((r, k) => {
      const want = sglangExpected(items[k]!.context, items[k]!.target);
      expect(r.tokens).toEqual(want.tokens);
      expect(r.logprob).toBeCloseTo(want.logprob, 9);
    });
  });

  it('sends one batch as token ids, generating nothing, with log-probs starting one token before the target', async () => {
    const s = scorer();
    await s.scoreBatch([{ context: CONTEXT, target: TARGET }, { context: 'x', target: 'y' }]);
    const body = lastGenerate();
    expect(body.return_logprob).toBe(true);
    expect(body.return_text_in_logprobs).toBe(true);
    expect(body.sampling_params.max_new_tokens).toBe(0);
    expect(body.input_ids).toHaveLength(2);
    const full = sglangTokenize(CONTEXT + TARGET);
    const ctx = sglangTokenize(CONTEXT);
    let from = 0;
    while (ctx[from] === full[from]) from++;
    expect(body.input_ids[0]).toEqual(full);
    expect(body.logprob_start_len[0]).toBe(from - 1);
  });

  it('finds the shared context in the radix cache: candidates after the first pay for their own tokens only', async () => {
    const fresh = await FakeSglang.start();
    try {
      const s = new SGLangScorer({ model: fresh.opts.servedName, endpoints: [fresh.url], cacheSize: 0 });
      const context = `${'// a long file header that every candidate shares\n'.repeat(40)}export function f() {\n`;
      await s.scoreBatch([{ context, target: '  return 1;\n}\n' }]);
      const before = fresh.prefillTokens;
      const candidates = ['one', 'two', 'three', 'four'].map((w) => ({ context: `${context}  // step: ${w}\n`, target: '  return 1;\n}\n' }));
      await s.scoreBatch(candidates);
      const promptTokens = candidates.reduce((n, c) => n + sglangTokenize(c.context + c.target).length, 0);
      const computed = fresh.prefillTokens - before;
      expect(computed).toBeLessThan(promptTokens / 5);
      expect(s.calls().cachedTokens).toBe(fresh.cachedTokens);
      expect(s.calls().cachedTokens).toBeGreaterThan(4 * sglangTokenize(context).length * 0.9);
    } finally {
      await fresh.close();
    }
  });

  it('meters each /generate request with the prompt tokens the server reports', async () => {
    const s = scorer();
    await s.scoreBatch([{ context: 'a', target: 'b' }, { context: 'c', target: 'd' }]);
    const calls = s.calls();
    expect(calls.requests).toBe(1);
    expect(calls.items).toBe(2);
    expect(calls.promptTokens).toBe(sglangTokenize('ab').length + sglangTokenize('cd').length);
    expect(calls.completionTokens).toBe(0);
  });

  it('sends every candidate batch of a search in one /generate request whose prompts begin with the same context tokens', async () => {
    const s = scorer();
    const start = server.count('generate');
    const context = 'import { helper } from "./helper.js";\n\n';
    const target = 'export function total(xs) {\n  let sum = 0;\n  for (const x of xs) sum += helper(x);\n  return sum;\n}\n';
    const result = await new Mcts().search(
      { context, target, proposer: new GroundedProposer({ language: 'javascript' }), scorer: s, seed: 1, maxSteps: 3 },
      { scorerCalls: 16, batchSize: 8 },
    );
    const bodies = server.requests.filter((r) => r.path === 'generate').slice(start).map((r) => r.body as unknown as GenerateBody);
    expect(result.scorerCalls).toBeGreaterThan(1);
    // The baseline alone, then the candidates in batches: as many requests as the search's batches.
    expect(bodies.length).toBeLessThanOrEqual(1 + Math.ceil(result.scorerCalls / 8) + 1);
    expect(bodies.some((b) => b.input_ids.length > 1)).toBe(true);
    const shared = sglangTokenize(context).slice(0, -1);
    for (const b of bodies) for (const ids of b.input_ids) expect(ids.slice(0, shared.length)).toEqual(shared);
  });

  it('retries a 429 and a malformed body, then answers', async () => {
    const s = scorer();
    server.inject('generate', { kind: 'status', status: 429, retryAfterS: 0 }, { kind: 'malformed' });
    const [r] = await s.scoreBatch([{ context: 'let x', target: ' = 2;\n' }]);
    expect(r!.logprob).toBeCloseTo(sglangExpected('let x', ' = 2;\n').logprob, 9);
    expect(s.calls().retries).toBe(2);
    expect(s.calls().errorsByKind).toEqual({ ScorerRateLimitedError: 1, ScorerBadResponseError: 1 });
  });

  it('waits out a 429 storm longer than its retry count, and answers', async () => {
    const s = scorer({ retries: 2 });
    const storm = Array.from({ length: 7 }, () => ({ kind: 'status' as const, status: 429, retryAfterS: 0 }));
    server.inject('generate', ...storm);
    const [r] = await s.scoreBatch([{ context: 'let y', target: ' = 3;\n' }]);
    expect(r!.logprob).toBeCloseTo(sglangExpected('let y', ' = 3;\n').logprob, 9);
    expect(s.calls().retries).toBe(7);
  });

  it('fails a 429 storm as rate-limited once its patience is spent', async () => {
    const waited: number[] = [];
    const s = scorer({ retries: 2, rateLimitPatienceMs: 1_000, sleep: async (ms) => void waited.push(ms) });
    const before = server.count('generate');
    server.inject('generate', ...Array.from({ length: 50 }, () => ({ kind: 'status' as const, status: 429, retryAfterS: 0.4 })));
    await expect(s.scoreBatch([{ context: 'let z', target: ' = 4;\n' }])).rejects.toBeInstanceOf(ScorerRateLimitedError);
    // It gives up at the first 429 after 1 s of waiting in all, long before the storm ends.
    const total = waited.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(1_000);
    expect(total - waited.at(-1)!).toBeLessThan(1_000);
    expect(server.count('generate') - before).toBeLessThan(50);
    server.clearFaults('generate');
  });

  it('refuses a wrong key as an auth error, without retrying', async () => {
    const s = scorer({ apiKey: 'wrong' });
    await expect(s.scoreBatch([{ context: 'a', target: 'b' }])).rejects.toBeInstanceOf(ScorerAuthError);
    expect(s.calls().retries).toBe(0);
  });

  it('says a vLLM server is not an SGLang server (no /generate)', async () => {
    const vllm = await FakeVllm.start();
    try {
      const s = new SGLangScorer({ model: vllm.opts.model, endpoints: [vllm.url], apiKey: vllm.opts.apiKey, cacheSize: 0, sleep: noSleep });
      const err = await s.scoreBatch([{ context: 'a', target: 'b' }]).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedServerError);
      expect((err as Error).message).toMatch(/\/tokenize|\/generate/);
    } finally {
      await vllm.close();
    }
  });

  it('says so when the server returns no input log-probs', async () => {
    const bare = await FakeSglang.start({ noInputLogprobs: true });
    try {
      const s = new SGLangScorer({ model: bare.opts.servedName, endpoints: [bare.url], cacheSize: 0, sleep: noSleep });
      await expect(s.scoreBatch([{ context: 'a', target: 'b' }])).rejects.toBeInstanceOf(UnsupportedServerError);
    } finally {
      await bare.close();
    }
  });

  it('refuses an answer that is not one output per prompt', async () => {
    const s = scorer({ retries: 0 });
    server.inject('generate', { kind: 'wrong-shape' });
    await expect(s.scoreBatch([{ context: 'a', target: 'b' }])).rejects.toBeInstanceOf(ScorerBadResponseError);
  });
});

describe('SGLangScorer context cap', () => {
  it('keeps BOS, at most the last N context tokens (a whole block cut) and the whole target, and scores that prompt', async () => {
    const s = scorer({ maxContextTokens: 12 });
    const context = Array.from({ length: 30 }, (_, i) => `const v${i} = ${i};\n`).join('');
    const target = 'console.log(v29 + v28);\n';
    const [r] = await s.scoreBatch([{ context, target }]);
    const sent = lastGenerate().input_ids[0]!;
    const full = sglangTokenize(context + target);
    const ctx = sglangTokenize(context);
    let from = 0;
    while (ctx[from] === full[from]) from++;
    const targetIds = full.slice(from);
    const kept = sent.length - 1 - targetIds.length;
    // Blocks of 3 tokens for N = 12: the context keeps 10 to 12 tokens.
    expect(kept).toBeGreaterThanOrEqual(10);
    expect(kept).toBeLessThanOrEqual(12);
    expect(sent).toEqual([full[0], ...full.slice(from - kept, from), ...targetIds]);
    let want = 0;
    for (let i = 1 + kept; i < sent.length; i++) want += toyLogprob(sent, i);
    expect(r!.logprob).toBeCloseTo(want, 9);
    expect(r!.tokens).toHaveLength(targetIds.length);
    expect(s.calls().cutTokens).toBe(from - 1 - kept);
  });

  it('leaves a context within the cap as it is', async () => {
    const capped = await scorer({ maxContextTokens: 1000 }).scoreBatch([{ context: CONTEXT, target: TARGET }]);
    const plain = await scorer().scoreBatch([{ context: CONTEXT, target: TARGET }]);
    expect(capped[0]!.logprob).toBe(plain[0]!.logprob);
  });
});
