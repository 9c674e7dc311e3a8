/**
 * The context cap (src/search/score/context-cap.ts) in the OpenAI scorer's two modes, against the
 * fake vLLM through the real client: what the server is sent, and that the target stays whole.
 * (The SGLang scorer's cap: test/score/sglang.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer } from '../../src/dataset/tokenizer.ts';
import { capContextIds, capContextText } from '../../src/search/score/context-cap.ts';
import { OpenAIScorer, type PromptLogprobMode } from '../../src/search/score/openai.ts';
import { FakeVllm, fakeTokenize } from './support/fake-vllm.ts';

let server: FakeVllm;
beforeAll(async () => {
  server = await FakeVllm.start();
});
afterAll(async () => {
  await server.close();
});

const context = Array.from({ length: 40 }, (_, i) => `const v${i} = ${i};\n`).join('');
const target = 'console.log(v39 + v38);\n';
const scorer = (mode: PromptLogprobMode, maxContextTokens?: number) =>
  new OpenAIScorer({ model: server.opts.model, endpoints: [server.baseURL], apiKey: server.opts.apiKey, mode, cacheSize: 0, ...(maxContextTokens === undefined ? {} : { maxContextTokens }) });
const lastPrompt = () => (server.requests.filter((r) => r.path === 'completions').at(-1)!.body.prompt as unknown[])[0];

describe('the context cap of the OpenAI scorer', () => {
  it('prompt_logprobs: sends BOS, at most the last N context tokens and every target token', async () => {
    const [r] = await scorer('prompt_logprobs', 12).scoreBatch([{ context, target }]);
    const sent = lastPrompt() as number[];
    // 360 context tokens, N = 12, blocks of 3: 348 cut, 12 kept.
    expect(sent).toHaveLength(1 + 12 + fakeTokenize(target).length);
    expect(r!.tokens.join('')).toBe(target);
  });

  it('echo: sends the end of the context, at most N Llama-3 tokens of it, then the whole target', async () => {
    const [r] = await scorer('echo', 10).scoreBatch([{ context, target }]);
    const sent = lastPrompt() as string;
    expect(sent.endsWith(target)).toBe(true);
    const kept = sent.slice(0, sent.length - target.length);
    expect(context.endsWith(kept)).toBe(true);
    expect(loadTokenizer('llama-3').encode(kept).length).toBeLessThanOrEqual(10);
    expect(kept.length).toBeGreaterThan(0);
    expect(r!.tokens.join('').endsWith(target)).toBe(true);
  });

  it('scores a prompt within the cap exactly as without one', async () => {
    for (const mode of ['prompt_logprobs', 'echo'] as const) {
      const [capped] = await scorer(mode, 100_000).scoreBatch([{ context, target }]);
      const [plain] = await scorer(mode).scoreBatch([{ context, target }]);
      expect(capped!.logprob).toBe(plain!.logprob);
    }
  });
});

describe('capContextIds and capContextText', () => {
  it('drop context tokens from the left only, keeping the leading special tokens', () => {
    expect(capContextIds([1, 10, 11, 12, 13, 20, 21], 5, 1, 2)).toEqual({ ids: [1, 12, 13, 20, 21], from: 3, cut: 2 });
    expect(capContextIds([1, 10, 20], 2, 1, 5)).toEqual({ ids: [1, 10, 20], from: 2, cut: 0 });
    expect(capContextIds([10, 11, 20], 2, 0, 0)).toEqual({ ids: [20], from: 0, cut: 2 });
  });

  it('cuts contexts that differ only near their end at the same token, so they keep a common prefix', () => {
    const shared = Array.from({ length: 1000 }, (_, i) => 100 + i);
    const a = capContextIds([1, ...shared, 7, 7, 20], 1003, 1, 600);
    const b = capContextIds([1, ...shared, 8, 8, 8, 8, 8, 8, 20], 1007, 1, 600);
    expect(a.cut).toBe(b.cut);
    expect(a.ids.slice(0, 500)).toEqual(b.ids.slice(0, 500));
    expect(a.from - 1).toBeLessThanOrEqual(600);
    expect(a.from - 1).toBeGreaterThan(600 - 150);
  });

  it('never keeps half a character when a token boundary splits one', () => {
    const emoji = '🧪🧬🦠'.repeat(20);
    for (const max of [1, 2, 3, 7, 13]) {
      const kept = capContextText(emoji, max);
      expect(emoji.endsWith(kept)).toBe(true);
      expect(kept).not.toContain('\uFFFD');
      expect(loadTokenizer('llama-3').encode(kept).length).toBeLessThanOrEqual(max);
    }
  });
});
