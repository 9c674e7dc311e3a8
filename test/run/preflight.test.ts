/**
 * Preflight (src/run/preflight.ts): every chat and scoring endpoint a run names is asked for its
 * models and tried once, against real HTTP servers speaking the real wire formats (the fake chat
 * server, the fake vLLM), through the real `openai` client. A failure names the endpoint and what
 * to do about it.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicySpec } from '../../src/agents/policy.ts';
import { preflight, PreflightError } from '../../src/run/preflight.ts';
import { FakeChat } from '../agents/support/fake-chat.ts';
import { freePort } from '../support/nats-server.ts';
import { FakeVllm } from '../score/support/fake-vllm.ts';

let chat: FakeChat;
let vllm: FakeVllm;
let llamacpp: FakeVllm;
let silent: Server;
let silentURL: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  chat = await FakeChat.start({ models: ['fake/chat-7b', 'fake/other-1b'] });
  vllm = await FakeVllm.start({ model: 'fake-coder' });
  llamacpp = await FakeVllm.start({ model: 'fake-coder', flavor: 'llamacpp' });
  // Accepts connections and never answers: a hung server.
  silent = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentURL = `http://127.0.0.1:${(silent.address() as { port: number }).port}/v1`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => silent.close(r));
  await Promise.all([chat.close(), vllm.close(), llamacpp.close()]);
});

const openai = (baseURL: string, model: string, params: Record<string, unknown> = {}): PolicySpec => ({ id: 'openai', params: { baseURL, model, ...params } });
const chatKey = () => ({ OPENAI_API_KEY: chat.opts.apiKey });

async function failure(run: Promise<void>): Promise<PreflightError> {
  const err = await run.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PreflightError);
  return err as PreflightError;
}

describe('preflight of chat endpoints', () => {
  it('passes a served model, asking for the models and one completion', async () => {
    const before = chat.requests.length;
    await preflight({ policies: { planner: openai(chat.baseURL, 'fake/chat-7b'), coder: openai(chat.baseURL, 'fake/chat-7b') } }, { env: chatKey() });
    // One endpoint for both roles: tried once.
    expect(chat.requests.length - before).toBe(1);
    expect(chat.requests.at(-1)).toMatchObject({ model: 'fake/chat-7b', max_tokens: 1 });
  });

  it('names the roles of a dead endpoint and the refused connection', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/v1`;
    const err = await failure(preflight({ policies: { coder: openai(dead, 'm'), tester: openai(dead, 'm') } }, { env: {} }));
    expect(err.message).toContain('model for coder, tester');
    expect(err.message).toContain(`${dead} (GET /models): cannot connect (ECONNREFUSED)`);
  });

  it('a base URL without /v1: the 404 on /models, with the hint to add /v1', async () => {
    const err = await failure(preflight({ policies: { coder: openai(chat.url, 'fake/chat-7b') } }, { env: chatKey() }));
    expect(err.message).toContain(`${chat.url} (GET /models): 404`);
    expect(err.message).toContain(`try ${chat.url}/v1`);
  });

  it('a model the server does not serve: lists the ones it serves', async () => {
    const err = await failure(preflight({ policies: { coder: openai(chat.baseURL, 'fake/chat-70b') } }, { env: chatKey() }));
    expect(err.message).toContain('does not serve the model "fake/chat-70b" (it serves: fake/chat-7b, fake/other-1b)');
  });

  it('a refused key: says where the key comes from, never the key', async () => {
    const err = await failure(preflight({ policies: { coder: openai(chat.baseURL, 'fake/chat-7b', { apiKey: 'sk-wrong-999' }) } }, { env: {} }));
    expect(err.message).toContain('refused the API key (401)');
    expect(err.message).not.toContain('sk-wrong-999');
  });

  it('a served model whose completions fail: the trial request says so', async () => {
    chat.inject({ kind: 'status', status: 400, message: 'max_tokens is too large' });
    const err = await failure(preflight({ policies: { coder: openai(chat.baseURL, 'fake/chat-7b') } }, { env: chatKey() }));
    expect(err.message).toContain('(POST /chat/completions): 400');
  });

  it('a server that never answers: fails on the timeout', async () => {
    const err = await failure(preflight({ policies: { coder: openai(silentURL, 'm') } }, { env: {}, listTimeoutMs: 300 }));
    expect(err.message).toContain(`${silentURL} (GET /models): no answer within 0.3 s`);
  });
});

describe('preflight of the scorer', () => {
  it('passes a vLLM with prompt log-probs, after one tiny score', async () => {
    const before = vllm.count('completions');
    await preflight({ scorer: { kind: 'openai', baseURL: vllm.baseURL, model: 'fake-coder', apiKey: vllm.opts.apiKey } });
    expect(vllm.count('completions') - before).toBe(1);
  });

  it('refuses a server without prompt log-probs', async () => {
    const err = await failure(preflight({ scorer: { kind: 'openai', baseURL: llamacpp.baseURL, model: 'fake-coder', apiKey: llamacpp.opts.apiKey } }));
    expect(err.message).toContain('scorer:');
    expect(err.message).toMatch(/cannot score with it: .*no prompt log-probs/);
  });

  it('reports every failed endpoint at once: chat and scorer', async () => {
    const dead = `http://127.0.0.1:${await freePort()}/v1`;
    const err = await failure(
      preflight({ policies: { planner: openai(dead, 'm') }, scorer: { kind: 'openai', baseURL: vllm.baseURL, model: 'nope', apiKey: vllm.opts.apiKey } }, { env: {} }),
    );
    expect(err.message).toContain('2 of 2 endpoints');
    expect(err.message).toContain('model for planner');
    expect(err.message).toContain('does not serve the model "nope" (it serves: fake-coder)');
  });

  it('checks nothing for grounded policies and the embedded scorer', async () => {
    await preflight({ policies: { coder: { id: 'grounded', params: {} } }, scorer: { kind: 'embedded' } });
  });
});
