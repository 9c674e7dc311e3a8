import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MemoryBus, NatsBus, type Bus } from '../../src/bus/mod.ts';
import { ScoringClient } from '../../src/search/score/client.ts';
import { EmbeddedScorer } from '../../src/search/score/embedded.ts';
import { ScorerRateLimitedError, ScorerUnreachableError } from '../../src/search/score/errors.ts';
import { ScoringNode } from '../../src/search/score/node.ts';
import { OpenAIScorer } from '../../src/search/score/openai.ts';
import type { ScoreItem } from '../../src/search/score/types.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { runScorerConformance } from './conformance.ts';
import { FakeVllm } from './support/fake-vllm.ts';
import { realCode } from './support/real-code.ts';

function embedded(): EmbeddedScorer {
  const scorer = new EmbeddedScorer();
  for (const file of realCode(10)) scorer.train(file.text);
  return scorer;
}

function items(n: number): ScoreItem[] {
  const text = realCode(12)[11]!.text;
  return Array.from({ length: n }, (_, k) => ({ context: text.slice(k * 200, k * 200 + 400), target: text.slice(k * 200 + 400, k * 200 + 520) }));
}

interface Transport {
  name: string;
  connect: () => Promise<Bus>;
}

const transports: Transport[] = [{ name: 'MemoryBus', connect: async () => shared ?? (shared = new MemoryBus()) }];
let shared: MemoryBus | undefined;
let nats: NatsServerHandle | undefined;
if (natsServerAvailable()) transports.push({ name: 'NatsBus', connect: async () => NatsBus.connect({ servers: nats!.url }) });

beforeAll(async () => {
  if (natsServerAvailable()) nats = await startNatsServer({ jetstream: false });
});
afterAll(async () => {
  await nats?.stop();
});

for (const transport of transports) {
  describe(`scoring nodes over ${transport.name}`, () => {
    let buses: Bus[];
    let nodes: ScoringNode[];
    const bus = async (): Promise<Bus> => {
      const b = await transport.connect();
      buses.push(b);
      return b;
    };
    beforeEach(() => {
      buses = [];
      nodes = [];
      shared = undefined;
    });
    afterEach(async () => {
      for (const node of nodes) await node.stop();
      for (const b of new Set(buses)) await b.close();
    });

    it('spreads a batch across the nodes of a model and answers as a direct call does', async () => {
      nodes.push(await ScoringNode.start({ bus: await bus(), scorer: embedded(), backend: 'embedded' }));
      nodes.push(await ScoringNode.start({ bus: await bus(), scorer: embedded(), backend: 'embedded' }));
      const client = new ScoringClient({ bus: await bus(), model: 'embedded-kn4', chunkSize: 4, timeoutMs: 10_000 });
      const batch = items(32);
      const viaBus = await client.scoreBatch(batch);
      const direct = await embedded().scoreBatch(batch);
      expect(viaBus).toEqual(direct);
      const [a, b] = nodes.map((n) => n.stats());
      expect(a!.requests + b!.requests).toBe(8);
      expect(a!.items + b!.items).toBe(32);
      expect(a!.targetTokens + b!.targetTokens).toBe(direct.reduce((s, r) => s + r.tokens.length, 0));
      if (transport.name === 'MemoryBus') {
        expect(a!.requests).toBeGreaterThan(0);
        expect(b!.requests).toBeGreaterThan(0);
      }
      expect(a!.latencyMsMax).toBeGreaterThan(0);
      const service = await nodes[0]!.serviceStats();
      expect(service!.endpoints.find((e) => e.name === 'score')!.numRequests).toBe(a!.requests);
    });

    it('reports every node through the service and its stats endpoint', async () => {
      nodes.push(await ScoringNode.start({ bus: await bus(), scorer: embedded(), backend: 'embedded', id: 'node-a' }));
      nodes.push(await ScoringNode.start({ bus: await bus(), scorer: embedded(), backend: 'embedded', id: 'node-b' }));
      const client = new ScoringClient({ bus: await bus(), model: 'embedded-kn4' });
      await client.scoreBatch(items(3));
      const stats = await client.nodeStats(1000);
      expect(stats.map((s) => s.node).sort()).toEqual(['node-a', 'node-b']);
      expect(stats.reduce((s, n) => s + n.items, 0)).toBe(3);
    });

    it('trains every node on published code', async () => {
      nodes.push(await ScoringNode.start({ bus: await bus(), scorer: new EmbeddedScorer(), backend: 'embedded' }));
      nodes.push(await ScoringNode.start({ bus: await bus(), scorer: new EmbeddedScorer(), backend: 'embedded' }));
      const clientBus = await bus();
      const client = new ScoringClient({ bus: clientBus, model: 'embedded-kn4', chunkSize: 1 });
      const target = { context: '', target: 'const answer = computeAnswer(question);\n' };
      const [before] = await client.scoreBatch([target]);
      await client.train('const result = computeAnswer(question);\nconst answer = result;\n');
      await clientBus.flush();
      await expect.poll(() => nodes.every((n) => n.stats().trainedDocuments === 1), { timeout: 5000 }).toBe(true);
      const after = await client.scoreBatch([target, target, target, target]);
      for (const r of after) expect(r.logprob).toBeGreaterThan(before!.logprob + 10);
    });

    it('says ScorerUnreachableError when no node serves the model within the outage bound', async () => {
      const client = new ScoringClient({ bus: await bus(), model: 'nobody-serves-this', timeoutMs: 1000, retries: 0, outageMs: 600 });
      await expect(client.scoreBatch(items(1))).rejects.toBeInstanceOf(ScorerUnreachableError);
      await expect(client.scoreBatch(items(1))).rejects.toThrow(/after waiting 1 s for one/);
    });

    it("carries a node's scorer error class back to the client", async () => {
      const server = await FakeVllm.start();
      try {
        // 429s are waited out until rateLimitPatienceMs of waiting: one wait here, then the error.
        for (let k = 0; k < 2; k++) server.inject('completions', { kind: 'status', status: 429 });
        const scorer = new OpenAIScorer({ model: server.opts.model, endpoints: [server.baseURL], apiKey: server.opts.apiKey, mode: 'echo', retries: 2, backoff: { baseMs: 1, maxMs: 2 }, rateLimitPatienceMs: 1 });
        const node = await ScoringNode.start({ bus: await bus(), scorer, backend: 'openai', concurrency: 4 });
        nodes.push(node);
        const client = new ScoringClient({ bus: await bus(), model: server.opts.model, timeoutMs: 5000 });
        await expect(client.scoreBatch(items(1))).rejects.toBeInstanceOf(ScorerRateLimitedError);
        expect(node.stats().errors).toBe(1);
        const [ok] = await client.scoreBatch(items(1));
        expect(ok!.tokens.length).toBeGreaterThan(0);
      } finally {
        await server.close();
      }
    });
  });
}

describe('ScoringClient conformance', () => {
  let bus: MemoryBus;
  let node: ScoringNode;
  runScorerConformance({
    name: 'ScoringClient over MemoryBus to an embedded node',
    make: async () => {
      bus = new MemoryBus();
      node = await ScoringNode.start({ bus, scorer: embedded(), backend: 'embedded' });
      return new ScoringClient({ bus, model: 'embedded-kn4', chunkSize: 3 });
    },
    teardown: async () => {
      await node.stop();
      await bus.close();
    },
  });
});

describe.skipIf(!natsServerAvailable())('ScoringClient conformance over NATS', () => {
  let nodeBus: NatsBus;
  let clientBus: NatsBus;
  let node: ScoringNode;
  runScorerConformance({
    name: 'ScoringClient over NatsBus to an embedded node',
    make: async () => {
      nodeBus = await NatsBus.connect({ servers: nats!.url });
      clientBus = await NatsBus.connect({ servers: nats!.url });
      node = await ScoringNode.start({ bus: nodeBus, scorer: embedded(), backend: 'embedded' });
      return new ScoringClient({ bus: clientBus, model: 'embedded-kn4', chunkSize: 3 });
    },
    teardown: async () => {
      await node.stop();
      await clientBus.close();
      await nodeBus.close();
    },
  });
});
