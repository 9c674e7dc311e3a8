/**
 * Issue 17, item 1, in CI's size: every kind of process of a distributed layout (each role's
 * agent, the graph service, the search service, the scoring node, the driver) killed with SIGKILL
 * at a seeded moment of a run and started again as a supervisor would; every run ends with the
 * embedded run's bytes. test/support/chaos.ts draws the faults; bench/chaos.ts runs many more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChaosLayout, KINDS } from '../support/chaos.ts';
import { natsServerAvailable, startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { tempDir } from '../support/tmp.ts';

const fixture = `${import.meta.dirname}/../agents/fixtures/mini`;
let server: NatsServerHandle;
let layout: ChaosLayout;

beforeAll(async () => {
  server = await startNatsServer();
  layout = new ChaosLayout({ natsUrl: server.url, repo: fixture, name: 'mini', tmp: tempDir('retrace-chaos-'), seed: 17, budget: 4, faultRate: 0.5, ackWaitMs: 2000 });
  await layout.start();
}, 240_000);

afterAll(async () => {
  await layout?.stop();
  await server?.stop();
}, 40_000);

describe.skipIf(!natsServerAvailable())('seeded kills of every kind of process', () => {
  // One trial per kind, and one more of the first; the moment of each kill is drawn from its seed.
  const trials = [...KINDS, KINDS[0]].map((kind, i) => [i, kind] as const);
  it.each(trials)('trial %i: %s killed mid-run and restarted, the same bytes', async (i, kind) => {
    const r = await layout.trial(i, kind);
    expect(r.killed, `no kill: the run ended before message ${r.atMessage} of ${kind}'s trigger`).toBe(true);
    expect({ exit: r.exitCode, identical: r.identical }, r.output).toEqual({ exit: 0, identical: true });
  }, 180_000);
});
