/**
 * Model calls counted where they are made: the openai policy's chat endpoint and the OpenAI
 * scorer meter every request they send (latency, the responses' `usage`, errors by class), and
 * `modelCalls` reads them per role and for the scorer. Against the fake chat and vLLM servers (the
 * real wire formats, through the real client); a whole team's run checks that every scoring
 * request the server saw is counted, whatever the search kept.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { modelCalls } from '../../src/accounting/model-calls.ts';
import { modelCallLines } from '../../src/cli/run.ts';
import { OpenAIPolicy } from '../../src/agents/openai/mod.ts';
import { FixedPolicy, type PolicySource } from '../../src/agents/policy-store.ts';
import { LocalRefiner } from '../../src/agents/refiner.ts';
import { defaultRegistry } from '../../src/agents/registry.ts';
import type { Role } from '../../src/agents/types.ts';
import { Workspaces } from '../../src/agents/workspace.ts';
import { openGuard } from '../../src/boundary/mod.ts';
import { MemoryBus } from '../../src/bus/mod.ts';
import { conduct } from '../../src/run/conductor.ts';
import { startTeam } from '../../src/run/embedded.ts';
import { OpenAIScorer } from '../../src/search/score/openai.ts';
import { FakeChat } from '../agents/support/fake-chat.ts';
import { COUNT } from '../agents/policy-conformance.ts';
import { FakeVllm } from '../score/support/fake-vllm.ts';

let chat: FakeChat;
let vllm: FakeVllm;

beforeAll(async () => {
  chat = await FakeChat.start();
  vllm = await FakeVllm.start({ model: 'fake-coder' });
});
afterAll(async () => {
  await Promise.all([chat.close(), vllm.close()]);
});
afterEach(() => chat.reset());

const chatSpec = (params: Record<string, unknown> = {}) => ({ id: 'openai', params: { baseURL: chat.baseURL, model: chat.opts.model, apiKey: chat.opts.apiKey, ...params } });
const scorer = (apiKey = vllm.opts.apiKey) => new OpenAIScorer({ model: 'fake-coder', endpoints: [vllm.baseURL], apiKey, retries: 0 });
const intent = () => ({ file: COUNT, subjects: [], guard: openGuard() });
const words = (t: string) => t.split(/\s+/).filter(Boolean).length;

describe('the openai policy meters its requests', () => {
  it('counts every request with the tokens its usage reports, retries of bad answers included', async () => {
    const p = new OpenAIPolicy(chatSpec(), {});
    chat.inject({ kind: 'content', content: 'not json' });
    await p.testIntent(intent(), 1);
    const calls = p.calls();
    const prompt = chat.requests.reduce((n, r) => n + r.messages!.reduce((m, x) => m + words(x.content), 0), 0);
    expect(calls).toMatchObject({ requests: 2, errors: 0, errorsByKind: {}, promptTokens: prompt });
    expect(calls.completionTokens).toBe(p.usage().completionTokens);
  });

  it('counts a failed request as a request and an error of its class, with its latency', async () => {
    const p = new OpenAIPolicy(chatSpec({ maxRetries: 0 }), {});
    chat.inject({ kind: 'slow', ms: 150 }, { kind: 'status', status: 503 });
    await p.testIntent(intent(), 1);
    await expect(p.testIntent(intent(), 2)).rejects.toThrow(/503/);
    const calls = p.calls();
    expect(calls).toMatchObject({ requests: 2, errors: 1, errorsByKind: { PolicyUnreachableError: 1 } });
    expect(calls.latencyMs!.max).toBeGreaterThanOrEqual(150);
    expect(calls.latencyMs!.p50).toBeLessThanOrEqual(calls.latencyMs!.p90);
    expect(calls.latencyMs!.p90).toBeLessThanOrEqual(calls.latencyMs!.p99);
  });
});

describe('the OpenAI scorer meters its scoring requests', () => {
  it('counts each completions request, its prompts and the prompt tokens it reports', async () => {
    const s = scorer();
    const before = vllm.count('completions');
    await s.scoreBatch([
      { context: 'a = 1\n', target: 'b = a\n' },
      { context: 'x = 2\n', target: 'y = x\n' },
    ]);
    const sent = vllm.requests.filter((r) => r.path === 'completions').slice(before);
    const promptTokens = sent.reduce((n, r) => n + (r.body.prompt as number[][]).reduce((m, p) => m + p.length, 0), 0);
    expect(s.calls()).toMatchObject({ requests: sent.length, errors: 0, promptTokens, items: 2 });
    expect(s.calls().latencyMs).not.toBeNull();
  });

  it('counts a refused request as an error of its class', async () => {
    const s = scorer('wrong-key');
    await expect(s.scoreBatch([{ context: 'a', target: ' b' }])).rejects.toThrow(/401/);
    // The refusal came at /tokenize, before any scoring request: none is counted.
    expect(s.calls()).toMatchObject({ requests: 0, errors: 0 });
    const echo = new OpenAIScorer({ model: 'fake-coder', endpoints: [vllm.baseURL], apiKey: 'wrong-key', retries: 0, mode: 'echo' });
    await expect(echo.scoreBatch([{ context: 'a', target: ' b' }])).rejects.toThrow(/401/);
    expect(echo.calls()).toMatchObject({ requests: 1, errors: 1, errorsByKind: { ScorerAuthError: 1 } });
  });
});

describe('modelCalls', () => {
  it('gives each metered role and the scorer, and their total; grounded roles have no entry', async () => {
    const registry = defaultRegistry();
    const policies = new Map<Role, PolicySource>([
      ['coder', new FixedPolicy(registry, chatSpec())],
      ['tester', new FixedPolicy(registry, chatSpec())],
      ['planner', new FixedPolicy(registry, { id: 'grounded', params: {} })],
    ]);
    await (policies.get('tester')!.current().policy as OpenAIPolicy).testIntent(intent(), 1);
    const s = scorer();
    await s.scoreBatch([{ context: 'n = 1\n', target: 'm = n\n' }]);
    const m = modelCalls({ policies, scorer: s });
    expect(Object.keys(m.roles).sort()).toEqual(['coder', 'tester']);
    expect(m.roles.coder).toMatchObject({ model: chat.opts.model, requests: 0 });
    expect(m.roles.tester).toMatchObject({ model: chat.opts.model, requests: 1 });
    expect(m.scorer).toMatchObject({ model: 'fake-coder', requests: 1, items: 1 });
    expect(m.total.requests).toBe(2);
    expect(m.total.promptTokens).toBe(m.roles.tester!.promptTokens + m.scorer!.promptTokens);
    const lines = modelCallLines(m);
    expect(lines[0]).toBe(`  model calls: 2 requests, ${m.total.promptTokens} prompt + ${m.total.completionTokens} completion tokens, 0 errors`);
    expect(lines.slice(1).map((l) => l.trim().split(/\s+/)[0])).toEqual(['coder', 'tester', 'scorer']);
    expect(lines[2]).toMatch(/tester +fake\/chat-7b: 1 requests, \d+ prompt \+ \d+ completion tokens, latency p50 [\d.]+ ms, p90 [\d.]+ ms, p99 [\d.]+ ms; no errors/);
  });

  it('counts every scoring request that the server saw in a run of the team', async () => {
    const s = scorer();
    const before = vllm.count('completions');
    const bus = new MemoryBus();
    const workspaces = new Workspaces();
    const team = await startTeam({ bus, workspaces, refiner: new LocalRefiner({ scorer: s, batchSize: 8 }), policies: { coder: chatSpec() } });
    try {
      const record = await conduct({ bus, workspaces, run: 'calls1', repo: { name: 'mini', root: join(import.meta.dirname, '../agents/fixtures/mini') }, seed: 3, budget: 4, faultRate: 0, keepSteps: true });
      expect(record.failures).toEqual([]);
      const m = modelCalls({ policies: team.policies, scorer: s });
      expect(m.scorer!.requests).toBe(vllm.count('completions') - before);
      expect(m.scorer!.requests).toBeGreaterThan(0);
      expect(m.roles.coder!.requests).toBe(chat.requests.length);
      expect(Object.keys(m.roles)).toEqual(['coder']);
    } finally {
      await team.stop();
      await bus.close();
    }
  }, 60_000);
});
