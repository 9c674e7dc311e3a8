/**
 * Agents that send their searches to search services over a real nats-server produce the very
 * trajectory the embedded preset produces with the same seed: where a search runs does not change
 * what it finds.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/bus/mod.ts';
import { LocalRefiner } from '../../src/agents/refiner.ts';
import { ServiceRefiner } from '../../src/agents/service-refiner.ts';
import { Workspaces } from '../../src/agents/workspace.ts';
import { CorpusScorers, EmbeddedScorer, ScoringClient, ScoringNode } from '../../src/search/score/mod.ts';
import { SearchService } from '../../src/search/service.ts';
import { conduct } from '../../src/run/conductor.ts';
import { runEmbedded, startTeam } from '../../src/run/embedded.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';

const repo = { name: 'mini', root: join(import.meta.dirname, 'fixtures/mini') };
let server: NatsServerHandle;

beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

/** The team in this process with searches sent to the search services, and a driver conducting the run. */
async function agentsRun(settings: Omit<Parameters<typeof conduct>[0], 'bus' | 'workspaces'>) {
  const agentsBus = await NatsBus.connect({ servers: server.url });
  const driverBus = await NatsBus.connect({ servers: server.url });
  const refiner = new ServiceRefiner(agentsBus, new LocalRefiner(), { timeoutMs: 30_000 });
  const workspaces = new Workspaces();
  const team = await startTeam({ bus: agentsBus, workspaces, refiner });
  const distributed = await conduct({ ...settings, bus: driverBus, workspaces });
  const stop = async () => {
    await team.stop();
    await refiner.close();
    for (const b of [agentsBus, driverBus]) await b.close();
  };
  return { refiner, distributed, stop };
}

describe('searches on search services', () => {
  it('give the same trajectory as searches in the agents', async () => {
    const settings = { run: 'svc1', repo, seed: 21, budget: 6, faultRate: 0.5 };
    const embedded = await runEmbedded(settings);

    const serviceBus = await NatsBus.connect({ servers: server.url });
    const services = await Promise.all(
      [1, 2].map((i) => SearchService.start({ bus: serviceBus, scorer: new EmbeddedScorer(), corpora: new CorpusScorers(), instance: `s${i}` })),
    );
    const { refiner, distributed, stop } = await agentsRun(settings);

    expect(refiner.stats.remote).toBeGreaterThan(0);
    const jobs = services.reduce((n, s) => n + s.status().jobs, 0);
    expect(jobs).toBe(refiner.stats.remote);
    expect(JSON.stringify(distributed.steps)).toBe(JSON.stringify(embedded.steps));

    await stop();
    for (const s of services) await s.stop();
    await serviceBus.close();
  }, 90_000);

  it('give the same trajectory when the search services score on scoring nodes', async () => {
    const settings = { run: 'svc2', repo, seed: 22, budget: 6, faultRate: 0.5 };
    const embedded = await runEmbedded(settings);

    const nodeBus = await NatsBus.connect({ servers: server.url });
    const nodes = await Promise.all(
      [1, 2].map((i) => ScoringNode.start({ bus: nodeBus, scorer: new EmbeddedScorer(), backend: 'embedded', corpora: new CorpusScorers(), id: `n${i}` })),
    );
    const serviceBus = await NatsBus.connect({ servers: server.url });
    const client = new ScoringClient({ bus: serviceBus, model: 'embedded-kn4' });
    const services = await Promise.all([1, 2].map((i) => SearchService.start({ bus: serviceBus, scorer: client, corpora: client, instance: `t${i}` })));
    const { refiner, distributed, stop } = await agentsRun(settings);

    expect(refiner.stats.remote).toBeGreaterThan(0);
    // Every score came from the nodes: they were asked, and trained one scorer per corpus.
    expect(nodes.reduce((n, node) => n + node.stats().requests, 0)).toBeGreaterThan(refiner.stats.remote);
    expect(JSON.stringify(distributed.steps)).toBe(JSON.stringify(embedded.steps));

    await stop();
    for (const s of services) await s.stop();
    for (const n of nodes) await n.stop();
    for (const b of [serviceBus, nodeBus]) await b.close();
  }, 90_000);
});
