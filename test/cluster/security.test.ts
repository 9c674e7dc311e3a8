/**
 * NKey authentication (a seed generated here with @nats-io/nkeys; the server holds only the public
 * key), a clear error for wrong credentials, and least privilege: a process publishing outside
 * its permissions (services/nats/permissions.conf) is refused by the server and nothing is
 * delivered. test/cluster/permissions.test.ts goes through every refusal of every user; User/password
 * and TLS are covered by test/bus/nats-connect.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createUser } from '@nats-io/nkeys';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectFailedError, NatsBus } from '../../src/bus/mod.ts';
import { connectWithEnv } from '../../src/bus/env.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { sleep, waitFor } from '../support/wait.ts';

const services = join(import.meta.dirname, '../../services/nats');
const dec = new TextDecoder();
const agentKey = createUser();
const seed = dec.decode(agentKey.getSeed());
const tmp = mkdtempSync(join(tmpdir(), 'retrace-sec-'));
let server: NatsServerHandle;
const buses: NatsBus[] = [];

beforeAll(async () => {
  // The shipped permissions, with one more user: a coder that signs in with its NKey.
  const perms = readFileSync(join(services, 'permissions.conf'), 'utf8').replace(/\$RETRACE_(\w+)_PASSWORD/g, (_m, who: string) => `"${who.toLowerCase()}-pw"`);
  const agentPerms = /user: coder, password: "coder-pw",\s*permissions: (\{[\s\S]*?\}) \}/.exec(perms)![1]!;
  const withNkey = perms.replace('users = [', `users = [\n    { nkey: ${agentKey.getPublicKey()}, permissions: ${agentPerms} }`);
  server = await startNatsServer({ extraConfig: withNkey });
});

afterAll(async () => {
  for (const b of buses) await b.close().catch(() => {});
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('nkey authentication', () => {
  it('connects with the seed, from the option or from RETRACE_NATS_NKEY', async () => {
    const bus = await NatsBus.connect({ servers: server.url, nkeySeed: seed });
    buses.push(bus);
    await bus.flush();
    const file = join(tmp, 'agent.nk');
    writeFileSync(file, `${seed}\n`, { mode: 0o600 });
    const fromEnv = await connectWithEnv([server.url], undefined, 'nkey-env', { RETRACE_NATS_NKEY: file });
    buses.push(fromEnv);
    await fromEnv.flush();
  });

  it("a role's NKey user gets its replies on the inbox RETRACE_NATS_INBOX names, the one its permissions allow", async () => {
    const file = join(tmp, 'agent-inbox.nk');
    writeFileSync(file, `${seed}\n`, { mode: 0o600 });
    const driver = await NatsBus.connect({ servers: server.url, user: 'driver', pass: 'driver-pw' });
    buses.push(driver);
    const settings = { subjects: ['retrace.*.work.coder'], ackWaitMs: 2000, maxDeliver: 2 };
    await driver.workQueue('role-coder', settings);
    // Without it, the default _INBOX: its JetStream requests get no answer it may receive.
    const bare = await connectWithEnv([server.url], undefined, 'nkey-bare', { RETRACE_NATS_NKEY: file });
    buses.push(bare);
    await expect(bare.js()).rejects.toThrow();
    const named = await connectWithEnv([server.url], undefined, 'nkey-inbox', { RETRACE_NATS_NKEY: file, RETRACE_NATS_INBOX: '_INBOX_coder' });
    buses.push(named);
    expect((await named.workQueue('role-coder', settings)).name).toBe('role-coder');
  });

  it('refuses an unknown key and a malformed seed with a clear error that shows no secret', async () => {
    const other = dec.decode(createUser().getSeed());
    const err = await NatsBus.connect({ servers: server.url, nkeySeed: other, maxReconnectAttempts: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectFailedError);
    expect((err as ConnectFailedError).reason).toBe('authentication');
    expect((err as Error).message).toMatch(/refused the credentials/);
    expect((err as Error).message).not.toContain(other);
    const bad = await NatsBus.connect({ servers: server.url, nkeySeed: 'not-a-seed' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ConnectFailedError);
    expect((bad as Error).message).toMatch(/not a user seed/);
    const wrongPw = await NatsBus.connect({ servers: server.url, user: 'coder', pass: 'nope', maxReconnectAttempts: 0 }).catch((e: unknown) => e);
    expect((wrongPw as ConnectFailedError).reason).toBe('authentication');
  });
});

describe('permissions', () => {
  async function refusedPublish(as: NatsBus, subject: string): Promise<{ delivered: number; errors: string[] }> {
    const driver = await NatsBus.connect({ servers: server.url, user: 'driver', pass: 'driver-pw' });
    buses.push(driver);
    let delivered = 0;
    driver.subscribe(subject, () => {
      delivered++;
    });
    await driver.flush();
    const errors: string[] = [];
    void (async () => {
      for await (const s of as.nc.status()) if (s.type === 'error') errors.push(String((s as { error?: unknown }).error));
    })();
    await as.publish(subject, { type: 'agent.work', body: { forged: true } });
    await as.flush();
    await waitFor(() => errors.length > 0, 'the permissions violation');
    await sleep(100);
    return { delivered, errors };
  }

  it('refuses a scoring node that forges work for a role', async () => {
    const scorer = await NatsBus.connect({ servers: server.url, user: 'scorer', pass: 'scorer-pw' });
    buses.push(scorer);
    const r = await refusedPublish(scorer, 'retrace.run1.work.coder');
    expect(r.delivered).toBe(0);
    expect(r.errors.join('\n')).toMatch(/permissions violation for publish to "retrace\.run1\.work\.coder"/i);
  });

  it('refuses an agent (signed in with its NKey) that publishes on the control subjects', async () => {
    const agent = await NatsBus.connect({ servers: server.url, nkeySeed: seed });
    buses.push(agent);
    const r = await refusedPublish(agent, 'retrace.control.coder.drain');
    expect(r.delivered).toBe(0);
    expect(r.errors.join('\n')).toMatch(/permissions violation for publish/i);
    // What it may publish goes through.
    const driver = await NatsBus.connect({ servers: server.url, user: 'driver', pass: 'driver-pw' });
    buses.push(driver);
    let got = 0;
    driver.subscribe('retrace.run1.trace', () => {
      got++;
    });
    await driver.flush();
    await agent.publish('retrace.run1.trace', { type: 'agent.step', body: {} });
    await waitFor(() => got === 1, 'the allowed publish');
  });

  it('gives each role its own user: a coder can neither queue work, nor take or answer the planner\'s', async () => {
    const coder = await NatsBus.connect({ servers: server.url, user: 'coder', pass: 'coder-pw' });
    const driver = await NatsBus.connect({ servers: server.url, user: 'driver', pass: 'driver-pw' });
    buses.push(coder, driver);
    // Only the driver queues work.
    expect((await refusedPublish(coder, 'retrace.run2.work.coder')).delivered).toBe(0);
    // A result in the planner's name.
    expect((await refusedPublish(coder, 'retrace.run2.result.planner')).delivered).toBe(0);

    // The planner's work, queued by the driver, cannot be pulled by the coder.
    const settings = { subjects: ['retrace.*.work.planner'], ackWaitMs: 2000, maxDeliver: 2 };
    const plannerQueue = await driver.workQueue('role-planner', settings);
    await plannerQueue.enqueue('retrace.run2.work.planner', { type: 'agent.work', body: { job: 'planner:plan' } });
    // It may not so much as look the planner's consumer up, let alone pull from it.
    const { js, jsm } = await coder.js();
    await expect(js.consumers.get('RETRACE_WQ_role-planner', 'workers')).rejects.toThrow(/permissions violation for publish to "\$JS\.API\.CONSUMER\.INFO\.RETRACE_WQ_role-planner\.workers"/i);
    const pull = coder.nc.request('$JS.API.CONSUMER.MSG.NEXT.RETRACE_WQ_role-planner.workers', new TextEncoder().encode('{"batch":1}'), { timeout: 2000 });
    await expect(pull).rejects.toThrow(/permissions violation for publish to "\$JS\.API\.CONSUMER\.MSG\.NEXT\.RETRACE_WQ_role-planner\.workers"/i);
    // Nor may it change the planner's consumer (say, its ack wait).
    await expect(jsm.consumers.update('RETRACE_WQ_role-planner', 'workers', { ack_wait: 1_000_000 })).rejects.toThrow(/permissions violation/i);
    expect((await plannerQueue.info()).messages).toBe(1);

    // Its own work it takes (from the queue the driver set up), acks, and answers.
    const coderQueue = await driver.workQueue('role-coder', { ...settings, subjects: ['retrace.*.work.coder'] });
    await coderQueue.enqueue('retrace.run2.work.coder', { type: 'agent.work', body: { job: 'coder:code:a.js' } });
    const done: unknown[] = [];
    const own = (await coder.workQueue('role-coder', { ...settings, subjects: ['retrace.*.work.coder'] })).consume(async (job) => {
      done.push(job.body);
    });
    await waitFor(() => done.length === 1, 'the coder to take its own work');
    await own.stop();
    await waitFor(async () => (await coderQueue.info()).messages === 0, 'the ack');
    let answered = 0;
    driver.subscribe('retrace.run2.result.coder', () => void answered++);
    await driver.flush();
    await coder.publish('retrace.run2.result.coder', { type: 'agent.result', body: {} });
    await waitFor(() => answered === 1, 'the coder\'s result');
  });
});
