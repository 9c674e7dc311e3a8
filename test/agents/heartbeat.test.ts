/**
 * A single command slower than the ack wait (a search that takes 4 ack waits, as a slow model call
 * would) does not get the work delivered again: the host heartbeats on a timer while work is in
 * hand, not only between commands. Over a real nats-server (JetStream ack wait and redelivery).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/bus/mod.ts';
import { LocalRefiner, type Refined, type RefineRequest, type Refiner } from '../../src/agents/refiner.ts';
import { Workspaces } from '../../src/agents/workspace.ts';
import { conduct } from '../../src/run/conductor.ts';
import { startTeam } from '../../src/run/embedded.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { sleep } from '../support/wait.ts';

const ACK_WAIT = 400;
let server: NatsServerHandle;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

/** Searches as the local refiner does, each after sleeping 4 ack waits; counts searches per target. */
class SlowRefiner implements Refiner {
  readonly calls = new Map<string, number>();
  private readonly local = new LocalRefiner();
  async refine(req: RefineRequest): Promise<Refined> {
    const key = `${req.corpusKey}|${req.target.slice(0, 80)}`;
    this.calls.set(key, (this.calls.get(key) ?? 0) + 1);
    await sleep(4 * ACK_WAIT);
    return this.local.refine(req);
  }
}

describe('heartbeats', () => {
  it('keep a piece of work whose one command outlasts the ack wait from being delivered again', async () => {
    // Two teams, as two processes of every role would be: a delivery that came back would find a
    // free coder at once.
    const agentsBus = await NatsBus.connect({ servers: server.url });
    const otherBus = await NatsBus.connect({ servers: server.url });
    const driverBus = await NatsBus.connect({ servers: server.url });
    const refiner = new SlowRefiner();
    const queue = { ackWaitMs: ACK_WAIT, maxDeliver: 3 };
    const teams = [
      await startTeam({ bus: agentsBus, workspaces: new Workspaces(), refiner, queue }),
      await startTeam({ bus: otherBus, workspaces: new Workspaces(), refiner, queue }),
    ];
    const record = await conduct({ bus: driverBus, workspaces: new Workspaces(), run: 'beat1', repo: { name: 'mini', root: join(import.meta.dirname, 'fixtures/mini') }, seed: 1, budget: 2, faultRate: 0, queue });
    for (const t of teams) await t.stop();
    expect(record.failures).toEqual([]);
    expect(refiner.calls.size).toBeGreaterThan(0);
    // Every search ran once: no delivery of its work came back while it slept.
    expect([...refiner.calls.values()].every((n) => n === 1)).toBe(true);
    const { jsm } = await driverBus.js();
    const info = await jsm.consumers.info('RETRACE_WQ_role-coder', 'workers');
    expect(info.delivered.consumer_seq).toBe(info.delivered.stream_seq);
    for (const b of [agentsBus, otherBus, driverBus]) await b.close();
  }, 120_000);

  it('stop for a command stuck past maxCommandMs: its work is delivered again', async () => {
    const buses = await Promise.all([1, 2, 3].map(() => NatsBus.connect({ servers: server.url })));
    const refiner = new SlowRefiner();
    const queue = { ackWaitMs: ACK_WAIT, maxDeliver: 5 };
    // Every search "hangs" for 4 ack waits; commands are taken for stuck after 100 ms.
    const teams = [
      await startTeam({ bus: buses[0]!, workspaces: new Workspaces(), refiner, queue, maxCommandMs: 100 }),
      await startTeam({ bus: buses[1]!, workspaces: new Workspaces(), refiner, queue, maxCommandMs: 100 }),
    ];
    const record = await conduct({ bus: buses[2]!, workspaces: new Workspaces(), run: 'beat2', repo: { name: 'mini', root: join(import.meta.dirname, 'fixtures/mini') }, seed: 1, budget: 2, faultRate: 0, queue });
    for (const t of teams) await t.stop();
    expect(record.failures).toEqual([]);
    // Some search ran again: its work came back to the other team while the first still slept.
    expect([...refiner.calls.values()].some((n) => n > 1)).toBe(true);
    for (const b of buses) await b.close();
  }, 120_000);
});
