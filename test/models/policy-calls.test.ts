/**
 * The openai policy's chat calls through a model gateway (the real client against the fake chat
 * server): a second policy on the same cache sends nothing; identical calls in flight together go
 * out once; a 429 storm is waited out; the limit on requests in flight holds; errors name the
 * server's words and the timeout that fired. Counted at the server.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIPolicy, PolicyRateLimitedError, PolicyTimeoutError, PolicyUnreachableError } from '../../src/agents/openai/mod.ts';
import { openGuard } from '../../src/boundary/mod.ts';
import { CallCache, DiskCallStore, ModelGateway } from '../../src/models/mod.ts';
import { FakeChat } from '../agents/support/fake-chat.ts';
import { COUNT } from '../agents/policy-conformance.ts';
import { tempDir } from '../support/tmp.ts';

const tmp = tempDir('retrace-policy-calls-');
let chat: FakeChat;
beforeAll(async () => {
  chat = await FakeChat.start();
});
afterAll(async () => {
  await chat.close();
});
afterEach(() => chat.reset());

const spec = (params: Record<string, unknown> = {}) => ({ id: 'openai', params: { baseURL: chat.baseURL, model: chat.opts.model, apiKey: chat.opts.apiKey, ...params } });
const intent = () => ({ file: COUNT, subjects: [], guard: openGuard() });
const diskGateway = (dir: string) => new ModelGateway({ cache: new CallCache(new DiskCallStore(dir)) });

describe('chat calls through the gateway', () => {
  it('a second policy on the same cache (a repeated run) sends no request and counts the answer as cached', async () => {
    const dir = `${tmp}/repeat`;
    const first = new OpenAIPolicy(spec(), {}, { gateway: diskGateway(dir) });
    const a = await first.testIntent(intent(), 3);
    expect(chat.requests).toHaveLength(1);
    const second = new OpenAIPolicy(spec(), {}, { gateway: diskGateway(dir) });
    const b = await second.testIntent(intent(), 3);
    expect(b).toBe(a);
    expect(chat.requests).toHaveLength(1);
    expect(second.calls()).toMatchObject({ requests: 0, cached: 1, promptTokens: 0, cachedPromptTokens: first.calls().promptTokens });
    expect(second.calls().cachedPromptTokens).toBeGreaterThan(0);
    // Another seed is another request.
    await second.testIntent(intent(), 4);
    expect(chat.requests).toHaveLength(2);
  });

  it('identical calls in flight together are sent once', async () => {
    const gateway = new ModelGateway();
    const policies = [0, 1, 2].map(() => new OpenAIPolicy(spec(), {}, { gateway }));
    chat.inject({ kind: 'slow', ms: 100 });
    const answers = await Promise.all(policies.map((p) => p.testIntent(intent(), 5)));
    expect(new Set(answers).size).toBe(1);
    expect(chat.requests).toHaveLength(1);
    expect(policies.map((p) => p.calls().cached).sort()).toEqual([0, 1, 1]);
  });

  it('waits out a 429 storm longer than maxRetries, honouring retry-after-ms', async () => {
    chat.rateLimit({ count: 6, every: 7, retryAfterMs: 5 });
    const p = new OpenAIPolicy(spec({ maxRetries: 1 }), {}, { gateway: new ModelGateway() });
    await p.testIntent(intent(), 1);
    expect(chat.rateLimited).toBe(6);
    expect(chat.requests).toHaveLength(7);
    expect(p.calls()).toMatchObject({ requests: 7, errors: 6, errorsByKind: { PolicyRateLimitedError: 6 } });
  });

  it('keeps at most maxInFlight requests at the server, whichever policy sends them', async () => {
    const gateway = new ModelGateway({ limits: { maxInFlight: 2 } });
    chat.maxInFlight = 0;
    const policies = [0, 1, 2, 3].map(() => new OpenAIPolicy(spec(), {}, { gateway }));
    chat.inject(...Array.from({ length: 8 }, () => ({ kind: 'slow' as const, ms: 40 })));
    await Promise.all(policies.flatMap((p, k) => [p.testIntent(intent(), 10 + k), p.testIntent(intent(), 20 + k)]));
    expect(chat.requests).toHaveLength(8);
    expect(chat.maxInFlight).toBe(2);
  });

  it("a 5xx after every retry names the server's words; a timeout names the timeout", async () => {
    chat.inject({ kind: 'status', status: 503, message: 'CUDA out of memory' }, { kind: 'status', status: 503, message: 'CUDA out of memory' });
    const err = await new OpenAIPolicy(spec({ maxRetries: 1 }), {}).testIntent(intent(), 1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PolicyUnreachableError);
    expect(String(err)).toContain('503 after 2 attempts: CUDA out of memory');
    chat.inject({ kind: 'slow', ms: 1500 });
    const slow = await new OpenAIPolicy(spec({ maxRetries: 0, timeoutMs: 150 }), {}).testIntent(intent(), 1).catch((e: unknown) => e);
    expect(slow).toBeInstanceOf(PolicyTimeoutError);
    expect(String(slow)).toContain('no answer within the timeout (timeoutMs 150 ms)');
  });

  it('PolicyRateLimitedError is a kind of unreachable (callers that branch on it still do)', () => {
    expect(new PolicyRateLimitedError('x')).toBeInstanceOf(PolicyUnreachableError);
  });
});
