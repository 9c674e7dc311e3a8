import { createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  OpenAIPolicy,
  PolicyAuthError,
  PolicyBadResponseError,
  PolicyConfigError,
  PolicyOutputError,
  PolicyTimeoutError,
  PolicyUnreachableError,
  registerOpenAIPolicy,
} from '../../src/agents/openai/mod.ts';
import { PolicyRegistry } from '../../src/agents/policy.ts';
import { GuardedProposer } from '../../src/search/proposer.ts';
import { COUNT, FORMAT, runPolicyConformance, SUMMARY, TARGET } from './policy-conformance.ts';
import { FakeChat, readPrompt } from './support/fake-chat.ts';

let server: FakeChat;

beforeAll(async () => {
  server = await FakeChat.start();
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  server.reset();
});

function policy(params: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}): OpenAIPolicy {
  return new OpenAIPolicy({ id: 'openai', params: { baseURL: server.baseURL, model: server.opts.model, apiKey: server.opts.apiKey, ...params } }, env);
}

const MILESTONE = { title: 'Formatting', goal: 'Print tables', files: [FORMAT.path] };
const DESIGN = { path: FORMAT.path, responsibility: 'Tables.', publicInterface: ['formatTable'], dependencies: [] };

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

// The fake answers from the facts in the prompt and is deterministic, so the determinism check runs too.
runPolicyConformance('openai', () => policy(), { deterministic: true });

describe('openai policy: the request on the wire', () => {
  it('sends model, seed, temperature, max_tokens, json response format, and a system + user prompt', async () => {
    await policy({ temperature: 0.3, maxTokens: 512 }).design({ overview: 'tally', milestone: MILESTONE, file: FORMAT }, 17);
    expect(server.requests).toHaveLength(1);
    const body = server.requests[0]!;
    expect(body).toMatchObject({ model: server.opts.model, seed: 17, temperature: 0.3, max_tokens: 512, response_format: { type: 'json_object' } });
    expect(body.messages!.map((m) => m.role)).toEqual(['system', 'user']);
  });

  it('sends the token limit as max_completion_tokens when told to (OpenAI reasoning models)', async () => {
    await policy({ maxTokens: 300, maxTokensField: 'max_completion_tokens' }).testIntent({ file: COUNT, subjects: [] }, 1);
    const body = server.requests[0]! as Record<string, unknown>;
    expect(body.max_completion_tokens).toBe(300);
    expect(body).not.toHaveProperty('max_tokens');
  });

  it('carries the grounded facts: path, signatures, docs, imports and the names used from them, externals', async () => {
    await policy().design({ overview: 'tally', milestone: MILESTONE, file: FORMAT }, 1);
    const { task, facts, text } = readPrompt(server.requests[0]!.messages!);
    expect(task).toBe('design');
    expect(text).toContain(FORMAT.definitions[0]!.signature);
    expect(text).toContain('Aligned two-column table.');
    expect(facts.file).toMatchObject({ path: 'src/format.ts', imports: ['src/count.ts'], externals: ['picocolors'], importUses: { 'src/count.ts': ['topWords'] } });
  });

  it('gives the proposer the target\'s signature and facts, never its body', async () => {
    const p = policy().proposer({ path: FORMAT.path, language: 'typescript', preceding: "import pc from 'picocolors';\n", knownIdentifiers: new Set(['formatTable']) });
    await p.propose({ context: 'ctx', target: TARGET, steps: ['first step'], k: 2, seed: 5 });
    const { facts, text } = readPrompt(server.requests[0]!.messages!);
    expect(facts.target).toMatchObject({ name: 'formatTable', signature: TARGET.split('\n')[1], path: FORMAT.path });
    expect(facts.stepsSoFar).toEqual(['first step']);
    for (const bodyLine of TARGET.split('\n').slice(2, 4)) expect(text).not.toContain(bodyLine.trim());
    expect(server.requests[0]!.temperature).toBe(0.8);
  });

  it('feeds the search: proposals pass the copy guard and their confidences become priors', async () => {
    const ctx = { path: FORMAT.path, language: 'typescript' as const, preceding: '', knownIdentifiers: new Set<string>() };
    const raw = await policy().proposer(ctx).propose({ context: '', target: TARGET, steps: [], k: 3, seed: 2 });
    expect(raw.map((p) => p.prior)).toEqual([1, 1 / 2, 1 / 3]);
    const guarded = new GuardedProposer(policy().proposer(ctx), '', TARGET);
    const kept = await guarded.propose([], 3, 2);
    expect(kept).toHaveLength(3);
    expect(guarded.stats.copyRejections).toBe(0);
    expect(kept.reduce((a, p) => a + p.prior, 0)).toBeCloseTo(1, 12);
  });

  it('reads the JSON out of prose and fences when the server ignores response_format', async () => {
    const chatty = await FakeChat.start({ chatty: true });
    try {
      const p = new OpenAIPolicy({ id: 'openai', params: { baseURL: chatty.baseURL, model: chatty.opts.model, apiKey: chatty.opts.apiKey } });
      const out = await p.plan(SUMMARY, 1);
      expect(out.plan.milestones.flatMap((m) => m.files)).toEqual(SUMMARY.order);
      expect(chatty.requests).toHaveLength(1);
    } finally {
      await chatty.close();
    }
  });

  it('drops response_format for good when the server rejects it', async () => {
    const strict = await FakeChat.start({ rejectResponseFormat: true });
    try {
      const p = new OpenAIPolicy({ id: 'openai', params: { baseURL: strict.baseURL, model: strict.opts.model, apiKey: strict.opts.apiKey } });
      await p.testIntent({ file: COUNT, subjects: [] }, 1);
      await p.testIntent({ file: COUNT, subjects: [] }, 2);
      expect(strict.requests.map((r) => r.response_format !== undefined)).toEqual([true, false, false]);
    } finally {
      await strict.close();
    }
  });
});

describe('openai policy: holding answers to the facts', () => {
  it('re-cuts milestones to cover the writing order exactly once, dropping unknown paths', async () => {
    const answer = {
      thoughts: ['plan'],
      plan: {
        overview: 'tally',
        requirements: ['count words'],
        milestones: [
          { title: 'Sources', goal: 'code', files: ['src/format.ts', 'src/count.ts', 'src/nowhere.ts', 'package.json'] },
          { title: 'Tests', goal: 'tests', files: ['test/count.test.ts', 'src/count.ts'] },
        ],
      },
    };
    server.inject({ kind: 'content', content: JSON.stringify(answer) });
    const out = await policy().plan(SUMMARY, 1);
    expect(out.plan.milestones.flatMap((m) => m.files)).toEqual(SUMMARY.order);
    expect(out.plan.milestones.map((m) => m.title)).toEqual(['Sources', 'Tests']);
    expect(out.plan.milestones[1]!.files).toEqual(['test/count.test.ts', 'README.md']);
  });

  it('keeps a design to the file\'s path and its real dependencies', async () => {
    const answer = {
      thought: 'tables',
      design: {
        path: 'src/other.ts',
        responsibility: 'Prints tables.',
        publicInterface: ['formatTable(rows)', 'printEverything()'],
        dependencies: [{ path: 'lodash', why: 'invented' }, { path: 'picocolors', why: 'bold counts' }],
      },
    };
    server.inject({ kind: 'content', content: JSON.stringify(answer) });
    const out = await policy().design({ overview: 'tally', milestone: MILESTONE, file: FORMAT }, 1);
    expect(out.design).toEqual({
      path: 'src/format.ts',
      responsibility: 'Prints tables.',
      publicInterface: ['formatTable(rows)'],
      dependencies: [{ path: 'src/count.ts', why: 'src/format.ts imports it' }, { path: 'picocolors', why: 'bold counts' }],
    });
  });

  it('asks again, with the reason, when a thought names nothing real', async () => {
    server.inject({ kind: 'content', content: '{"thought": "I will write some code."}' });
    const text = await policy().fileIntent({ file: FORMAT, design: DESIGN, chunks: 1 }, 1);
    expect(text).toContain('src/format.ts');
    expect(server.requests).toHaveLength(2);
    const retry = server.requests[1]!.messages!;
    expect(retry.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(retry[3]!.content).toContain('names neither src/format.ts');
  });
});

describe('openai policy: failures', () => {
  it('malformed JSON content: one retry with the error in the prompt, then success', async () => {
    server.inject({ kind: 'content', content: '{"thought": "cut off' });
    const text = await policy().testIntent({ file: COUNT, subjects: ['src/count.ts'] }, 1);
    expect(text).toContain('src/count.ts');
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]!.messages![2]).toEqual({ role: 'assistant', content: '{"thought": "cut off' });
    expect(server.requests[1]!.messages![3]!.content).toContain('no JSON object');
  });

  it('malformed JSON content twice: a PolicyOutputError after exactly one retry', async () => {
    server.inject({ kind: 'content', content: 'Sorry, I cannot.' }, { kind: 'content', content: '{"thought": ', finishReason: 'length' });
    const err = await policy().diagnose({ path: COUNT.path, findings: [], excerpt: '' }, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyOutputError);
    expect((err as PolicyOutputError).issues).toContain('cut off at the token limit');
    expect(server.requests).toHaveLength(2);
  });

  it('an answer of the wrong shape twice: a PolicyOutputError naming the field', async () => {
    server.inject({ kind: 'content', content: '{"thoughts": "x"}' }, { kind: 'content', content: '{"thought": 3}' });
    const err = await policy().reviewChecks({ path: COUNT.path, findings: [], checks: ['syntax'] }, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyOutputError);
    expect((err as PolicyOutputError).issues).toContain('thought');
  });

  it('401 for a wrong key: a PolicyAuthError, not retried, without the key in it', async () => {
    const before = server.rejected;
    const err = await policy({ apiKey: 'sk-wrong-key-999' }).fileIntent({ file: FORMAT, design: DESIGN, chunks: 1 }, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyAuthError);
    expect(server.rejected - before).toBe(1);
    expect(String(err)).not.toContain('sk-wrong-key-999');
    expect((err as PolicyAuthError).endpoint).toBe(server.baseURL);
  });

  it('500 then success: retried', async () => {
    server.inject({ kind: 'status', status: 500, retryAfterMs: 1 });
    const text = await policy({ maxRetries: 2 }).fileIntent({ file: FORMAT, design: DESIGN, chunks: 1 }, 1);
    expect(text).toContain('src/format.ts');
    expect(server.requests).toHaveLength(2);
  });

  it('429 then success: retried', async () => {
    server.inject({ kind: 'status', status: 429, retryAfterMs: 1 });
    await policy({ maxRetries: 1 }).fileIntent({ file: FORMAT, design: DESIGN, chunks: 1 }, 1);
    expect(server.requests).toHaveLength(2);
  });

  it('5xx on every attempt: a PolicyUnreachableError after maxRetries retries', async () => {
    server.inject({ kind: 'status', status: 503, retryAfterMs: 1 }, { kind: 'status', status: 502, retryAfterMs: 1 });
    const err = await policy({ maxRetries: 1 }).fileIntent({ file: FORMAT, design: DESIGN, chunks: 1 }, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyUnreachableError);
    expect(server.requests).toHaveLength(2);
  });

  it('an answer slower than timeoutMs: a PolicyTimeoutError', async () => {
    server.inject({ kind: 'slow', ms: 1500 });
    const err = await policy({ timeoutMs: 100, maxRetries: 0 }).fileIntent({ file: FORMAT, design: DESIGN, chunks: 1 }, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyTimeoutError);
    expect(err).toBeInstanceOf(PolicyUnreachableError);
  });

  it('a body that is not a chat completion: a PolicyBadResponseError', async () => {
    server.inject({ kind: 'wrong-shape' });
    const err = await policy({ maxRetries: 0 }).fileIntent({ file: FORMAT, design: DESIGN, chunks: 1 }, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyBadResponseError);
    expect(err).not.toBeInstanceOf(PolicyOutputError);
  });

  it('an unknown model (404): a PolicyBadResponseError that says so', async () => {
    const err = await policy({ model: 'no/such-model' }).fileIntent({ file: FORMAT, design: DESIGN, chunks: 1 }, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyBadResponseError);
    expect(String(err)).toContain('404');
  });

  it('nobody listening: a PolicyUnreachableError, not a timeout', async () => {
    const port = await freePort();
    const p = new OpenAIPolicy({ id: 'openai', params: { baseURL: `http://127.0.0.1:${port}/v1`, model: 'm', maxRetries: 0 } }, {});
    const err = await p.plan(SUMMARY, 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyUnreachableError);
    expect(err).not.toBeInstanceOf(PolicyTimeoutError);
  });
});

describe('openai policy: accounting, keys, registration', () => {
  it('sums prompt and completion tokens from every usage, retries included', async () => {
    const p = policy();
    server.inject({ kind: 'content', content: 'no json' });
    await p.fileIntent({ file: FORMAT, design: DESIGN, chunks: 1 }, 1);
    await p.plan(SUMMARY, 2);
    const words = (t: string) => t.split(/\s+/).filter(Boolean).length;
    const prompt = server.requests.reduce((n, r) => n + r.messages!.reduce((m, x) => m + words(x.content), 0), 0);
    expect(p.usage()).toMatchObject({ requests: 3, promptTokens: prompt });
    expect(p.usage().completionTokens).toBeGreaterThan(0);
    expect(p.usage().totalTokens).toBe(p.usage().promptTokens + p.usage().completionTokens);
  });

  it('takes the key from the environment, and never shows it', async () => {
    const p = new OpenAIPolicy(
      { id: 'openai', params: { baseURL: server.baseURL, model: server.opts.model, apiKeyEnv: 'RETRACE_TEST_KEY' } },
      { RETRACE_TEST_KEY: server.opts.apiKey },
    );
    await p.testIntent({ file: COUNT, subjects: [] }, 1);
    expect(JSON.stringify(p)).not.toContain(server.opts.apiKey);
    expect(JSON.stringify(p)).toContain('$RETRACE_TEST_KEY');
  });

  it('registers as "openai" and rejects params without a model', () => {
    const registry = registerOpenAIPolicy(new PolicyRegistry());
    expect(registry.create({ id: 'openai', params: { baseURL: server.baseURL, model: 'm' } })).toBeInstanceOf(OpenAIPolicy);
    expect(() => registry.create({ id: 'openai', params: { baseURL: server.baseURL } })).toThrow(PolicyConfigError);
    expect(() => registry.create({ id: 'openai', params: { model: 'm', temperature: 'hot' } })).toThrow(/temperature/);
  });
});
