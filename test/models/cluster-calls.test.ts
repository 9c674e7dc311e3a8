/**
 * Model calls on a cluster: two agent processes (two NATS connections to a real nats-server, each
 * with its own gateway from `clusterGateway`) share the call cache in KV — what one paid for, the
 * other does not pay again — and one limit on requests in flight per endpoint, counted at the
 * fake chat server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIPolicy } from '../../src/agents/openai/mod.ts';
import { openGuard } from '../../src/boundary/mod.ts';
import { NatsBus, type Bus } from '../../src/bus/mod.ts';
import { clusterGateway, DEFAULT_MODEL_CALLS } from '../../src/models/mod.ts';
import { FakeChat } from '../agents/support/fake-chat.ts';
import { COUNT } from '../agents/policy-conformance.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';

let server: NatsServerHandle;
let chat: FakeChat;
const buses: Bus[] = [];
beforeAll(async () => {
  [server, chat] = await Promise.all([startNatsServer(), FakeChat.start()]);
});
afterAll(async () => {
  for (const b of buses.splice(0)) await b.close();
  await Promise.all([server?.stop(), chat?.close()]);
});

const spec = () => ({ id: 'openai', params: { baseURL: chat.baseURL, model: chat.opts.model, apiKey: chat.opts.apiKey } });
const intent = () => ({ file: COUNT, subjects: [], guard: openGuard() });

async function agentProcess(settings = DEFAULT_MODEL_CALLS): Promise<OpenAIPolicy> {
  const bus = await NatsBus.connect({ servers: server.url });
  buses.push(bus);
  return new OpenAIPolicy(spec(), {}, { gateway: await clusterGateway(settings, bus) });
}

describe('model calls across the processes of a cluster', () => {
  it('an answer one process paid for is taken from KV by another', async () => {
    chat.reset();
    const [a, b] = await Promise.all([agentProcess(), agentProcess()]);
    const said = await a.testIntent(intent(), 41);
    expect(chat.requests).toHaveLength(1);
    expect(await b.testIntent(intent(), 41)).toBe(said);
    expect(chat.requests).toHaveLength(1);
    expect(b.calls()).toMatchObject({ requests: 0, cached: 1 });
  });

  it('--max-in-flight holds across processes: never more at the server than the limit', async () => {
    chat.reset();
    chat.maxInFlight = 0;
    const settings = { ...DEFAULT_MODEL_CALLS, cache: false as const, maxInFlight: 1 };
    const processes = await Promise.all([agentProcess(settings), agentProcess(settings), agentProcess(settings)]);
    chat.inject(...Array.from({ length: 6 }, () => ({ kind: 'slow' as const, ms: 30 })));
    await Promise.all(processes.flatMap((p, k) => [p.testIntent(intent(), 100 + k), p.testIntent(intent(), 200 + k)]));
    expect(chat.requests).toHaveLength(6);
    expect(chat.maxInFlight).toBe(1);
  });
});
