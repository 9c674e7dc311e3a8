/**
 * A request to a service that is restarting waits for it (with backoff, up to the outage bound)
 * instead of failing at once; a service that never comes fails with NoRespondersError at the
 * bound; an error the service answers with is not waited out. On a real nats-server and in memory.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, NatsBus, NoRespondersError, RemoteError, outageBoundMs, requestThroughOutage, type Bus } from '../../src/bus/mod.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';

let server: NatsServerHandle;
const buses: Bus[] = [];
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  for (const b of buses) await b.close();
  await server.stop();
});

const transports: Array<[string, () => Promise<[Bus, Bus]>]> = [
  ['NatsBus', async () => {
    const pair: [Bus, Bus] = [await NatsBus.connect({ servers: server.url }), await NatsBus.connect({ servers: server.url })];
    buses.push(...pair);
    return pair;
  }],
  ['MemoryBus', async () => {
    const bus = new MemoryBus();
    buses.push(bus);
    return [bus, bus];
  }],
];

describe.each(transports)('requests through an outage (%s)', (_name, connect) => {
  it('waits for a service that comes back, and gets its answer', async () => {
    const [client, service] = await connect();
    setTimeout(() => service.reply('svc.late', () => ({ type: 'pong', body: 'back' })), 900);
    const reply = await requestThroughOutage<string>(client, 'svc.late', { type: 'ping', body: null }, { timeoutMs: 1000 }, 10_000);
    expect(reply.body).toBe('back');
  });

  it('fails with NoRespondersError once the bound has passed', async () => {
    const [client] = await connect();
    const started = Date.now();
    await expect(requestThroughOutage(client, 'svc.never', { type: 'ping', body: null }, { timeoutMs: 1000 }, 700)).rejects.toBeInstanceOf(NoRespondersError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(700);
  });

  it('does not wait out an error the service answers with', async () => {
    const [client, service] = await connect();
    service.reply('svc.broken', () => {
      throw new Error('broken on purpose');
    });
    await expect(requestThroughOutage(client, 'svc.broken', { type: 'ping', body: null }, { timeoutMs: 1000 }, 60_000)).rejects.toBeInstanceOf(RemoteError);
  });
});

describe('the outage bound', () => {
  it('comes from RETRACE_OUTAGE_MS, 60 s by default, and refuses a bad value', () => {
    expect(outageBoundMs({})).toBe(60_000);
    expect(outageBoundMs({ RETRACE_OUTAGE_MS: '2500' })).toBe(2500);
    expect(() => outageBoundMs({ RETRACE_OUTAGE_MS: 'soon' })).toThrow(/RETRACE_OUTAGE_MS/);
  });

  const repoRoot = join(import.meta.dirname, '../..');
  const retrace = (...args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'bin/retrace.js'), ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, RETRACE_OUTAGE_MS: '' } });

  it('is set by --outage-ms on any command: a run with no agents on the bus waits that long, then says so', () => {
    const r = retrace('run', join(repoRoot, 'test/agents/fixtures/mini'), '-o', join(server.dir, 'none.jsonl'), '--nats', server.url, '--outage-ms', '1500');
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/no planner, architect, .* agent answers on the bus \(waited 2 s; RETRACE_OUTAGE_MS sets how long\)/);
  });

  it('refuses a --outage-ms that is not a whole number of milliseconds, as bad input', () => {
    const r = retrace('--outage-ms', '-5', 'runs');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--outage-ms .* is invalid/);
  });
});
