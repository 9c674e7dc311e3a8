/** The limiters held to one suite: in memory, and through KV on MemoryBus and on a real nats-server (one connection per process). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, NatsBus, type Bus } from '../../src/bus/mod.ts';
import { KvLimiter, MemoryLimiter, type Clock, type Limiter } from '../../src/models/mod.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { unique } from '../support/wait.ts';
import { runLimiterSuite } from './limits.conformance.ts';

let server: NatsServerHandle;
const buses: Bus[] = [];
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  for (const b of buses.splice(0)) await b.close();
  await server?.stop();
});

runLimiterSuite('MemoryLimiter', async (n, clock) => {
  const shared = new MemoryLimiter(clock);
  return Array.from({ length: n }, () => shared);
});

runLimiterSuite('KvLimiter on MemoryBus', async (n, clock) => {
  const bus = new MemoryBus();
  buses.push(bus);
  return Promise.all(Array.from({ length: n }, () => KvLimiter.open(bus, clock)));
});

runLimiterSuite('KvLimiter on NATS, one connection per process', async (n, clock) => {
  const opened: Limiter[] = [];
  for (let k = 0; k < n; k++) {
    const bus = await NatsBus.connect({ servers: server.url });
    buses.push(bus);
    opened.push(await KvLimiter.open(bus, clock as Clock | undefined));
  }
  return opened;
});

describe('KvLimiter leases', () => {
  it("frees the slots of a process that died holding them once their leases lapse", async () => {
    let now = 5_000_000;
    const clock: Clock = { now: () => now, sleep: async (ms) => void (now += Math.max(1, ms)) };
    const bus = new MemoryBus();
    const dead = await KvLimiter.open(bus, clock);
    const alive = await KvLimiter.open(bus, clock);
    const endpoint = unique('http://lease/v1');
    // Taken and never given back: the process is gone.
    await dead.acquire(endpoint, { maxInFlight: 1 }, { tokens: 1, leaseMs: 10_000 });
    const t0 = now;
    const permit = await alive.acquire(endpoint, { maxInFlight: 1 }, { tokens: 1, leaseMs: 10_000 });
    // The lease: the request's 10 s timeout plus a 5 s margin.
    expect(now - t0).toBeGreaterThanOrEqual(15_000);
    await permit.release(1);
    await bus.close();
  });
});
