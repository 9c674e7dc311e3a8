/**
 * The allow lists of services/nats/permissions.conf on a real nats-server: every user but the
 * driver is refused each thing a role must not do — read the driver's results queue (by pulling,
 * by a consumer of its own, or by listening in on the driver's inbox), read a stream's stored
 * messages (dead letters carry other roles' payloads), delete or change a queue's consumer, create
 * or widen a stream to capture `retrace.*.trace`, publish a forged `run.status` — and the refusal
 * changes nothing the driver can see. Each agent role can still do all its own work through the
 * bus's own calls, and the search service its own: the lists hold what they need.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kvm } from '@nats-io/kv';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LivePolicy, setPolicy } from '../../src/agents/policy-store.ts';
import { defaultRegistry } from '../../src/agents/registry.ts';
import { openResultQueue, openRoleQueue } from '../../src/agents/host.ts';
import { resultSubject } from '../../src/agents/protocol.ts';
import { ROLES, type Role } from '../../src/agents/types.ts';
import { NatsBus, type WorkQueue } from '../../src/bus/mod.ts';
import { RUN_STATUS } from '../../src/run/job-types.ts';
import { setUpShared } from '../../src/run/setup.ts';
import { requestRefine } from '../../src/search/service.ts';
import { BusCallStore } from '../../src/models/bus-store.ts';
import type { CallEntry } from '../../src/models/call-cache.ts';
import { KvLimiter } from '../../src/models/kv-limiter.ts';
import { SEARCH_QUEUE, refineSubject } from '../../src/search/protocol.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { retraceCli } from '../support/retrace-cli.ts';
import { sleep, waitFor } from '../support/wait.ts';

const conf = join(import.meta.dirname, '../../services/nats/permissions.conf');
const QUEUE = { ackWaitMs: 5000, maxDeliver: 2 };
const RUN = 'perm1';
const USERS = [...ROLES, 'search', 'scorer', 'graph'] as const;
const enc = new TextEncoder();

let server: NatsServerHandle;
let driver: NatsBus;
let results: WorkQueue;
const buses: NatsBus[] = [];

/** The server's asynchronous errors on each connection (refused publishes and subscriptions). */
const errorsOf = new Map<NatsBus, string[]>();

async function as(user: string): Promise<NatsBus> {
  const bus = await NatsBus.connect({ servers: server.url, user, pass: `${user}-pw`, name: `perm-${user}` });
  buses.push(bus);
  const errors: string[] = [];
  errorsOf.set(bus, errors);
  void (async () => {
    for await (const s of bus.nc.status()) if (s.type === 'error') errors.push(String((s as { error?: unknown }).error));
  })();
  return bus;
}

/**
 * Sends `body` to `subject` as `bus`'s user and waits for the server to refuse it. A refused
 * publish is dropped by the server before anything (JetStream included) sees it; this user's
 * requests could not even get an answer (the graph service's user has no inbox at all).
 */
async function expectRefused(bus: NatsBus, subject: string, body: unknown = {}): Promise<void> {
  const errors = errorsOf.get(bus)!;
  bus.nc.publish(subject, enc.encode(JSON.stringify(body)));
  await bus.flush();
  await waitFor(() => errors.some((e) => e.includes(`Permissions Violation for Publish to "${subject}"`)), `the refusal of ${subject}`);
}

beforeAll(async () => {
  const perms = readFileSync(conf, 'utf8').replace(/\$RETRACE_(\w+)_PASSWORD/g, (_m, who: string) => `"${who.toLowerCase()}-pw"`);
  server = await startNatsServer({ extraConfig: perms });
  driver = await NatsBus.connect({ servers: server.url, user: 'driver', pass: 'driver-pw' });
  // What `retrace setup` and a run's start create, as the driver: the queues, the policies bucket,
  // the run's results queue; then a result in it and a dead letter carrying the planner's work.
  await setUpShared(driver, { roles: QUEUE });
  results = await openResultQueue(driver, RUN, QUEUE);
  await results.enqueue(resultSubject(RUN, 'planner'), { type: 'agent.result', body: { secret: 'the planner result' } });
  const { js } = await driver.js();
  await js.publish('retrace-dlq.role-planner', enc.encode('the planner work, dead-lettered'));
}, 60_000);

afterAll(async () => {
  for (const b of buses) await b.close().catch(() => {});
  await driver?.close().catch(() => {});
  await server?.stop();
});

describe.each(USERS)('the %s user is refused', (user) => {
  const own = (ROLES as readonly string[]).includes(user) ? `role-${user}` : 'search-refine';

  it("reading the driver's results queue: pulling it, or a consumer of its own on it", async () => {
    const bus = await as(user);
    await expectRefused(bus, `$JS.API.CONSUMER.MSG.NEXT.RETRACE_WQ_results-${RUN}.workers`, { batch: 1, expires: 1e9 });
    await expectRefused(bus, `$JS.API.CONSUMER.INFO.RETRACE_WQ_results-${RUN}.workers`);
    await expectRefused(bus, `$JS.API.CONSUMER.CREATE.RETRACE_WQ_results-${RUN}.snoop`, { stream_name: `RETRACE_WQ_results-${RUN}`, config: { name: 'snoop', ack_policy: 'none' } });
    await expectRefused(bus, `$JS.API.CONSUMER.DURABLE.CREATE.RETRACE_WQ_results-${RUN}.snoop`, { stream_name: `RETRACE_WQ_results-${RUN}`, config: { durable_name: 'snoop' } });
    expect((await results.info()).messages).toBe(1);
  });

  it("reading any stream's stored messages: dead letters, another role's queue", async () => {
    const bus = await as(user);
    for (const stream of ['RETRACE_DLQ', 'RETRACE_WQ_role-planner', `RETRACE_WQ_results-${RUN}`]) {
      await expectRefused(bus, `$JS.API.STREAM.MSG.GET.${stream}`, { seq: 1 });
      await expectRefused(bus, `$JS.API.DIRECT.GET.${stream}`, { seq: 1 });
      await expectRefused(bus, `$JS.API.CONSUMER.CREATE.${stream}`, { stream_name: stream, config: { ack_policy: 'none' } });
    }
  });

  it("deleting or changing a queue's consumer, another role's or its own; purging or deleting a stream or bucket", async () => {
    const bus = await as(user);
    for (const stream of new Set(['RETRACE_WQ_role-planner', `RETRACE_WQ_${own}`])) {
      await expectRefused(bus, `$JS.API.CONSUMER.DELETE.${stream}.workers`);
      await expectRefused(bus, `$JS.API.CONSUMER.CREATE.${stream}.workers`, { stream_name: stream, config: { durable_name: 'workers', ack_wait: 1 } });
      await expectRefused(bus, `$JS.API.STREAM.PURGE.${stream}`);
      await expectRefused(bus, `$JS.API.STREAM.DELETE.${stream}`);
    }
    for (const bucket of ['KV_retrace-policies', 'KV_retrace-model-calls', 'OBJ_retrace-model-calls', 'KV_retrace-model-limits']) {
      await expectRefused(bus, `$JS.API.STREAM.PURGE.${bucket}`);
      await expectRefused(bus, `$JS.API.STREAM.DELETE.${bucket}`);
    }
    const { jsm } = await driver.js();
    expect((await jsm.consumers.info('RETRACE_WQ_role-planner', 'workers')).config.ack_wait).toBe(QUEUE.ackWaitMs * 1e6);
  });

  it('creating a stream capturing retrace.*.trace, or widening its own queue to capture it', async () => {
    const bus = await as(user);
    await expectRefused(bus, '$JS.API.STREAM.CREATE.CAPTURE', { name: 'CAPTURE', subjects: ['retrace.*.trace'] });
    await expectRefused(bus, '$JS.API.STREAM.CREATE.KV_capture', { name: 'KV_capture', subjects: ['retrace.*.trace'] });
    await expectRefused(bus, `$JS.API.STREAM.UPDATE.RETRACE_WQ_${own}`, { name: `RETRACE_WQ_${own}`, subjects: ['retrace.*.trace'] });
    const { jsm } = await driver.js();
    await expect(jsm.streams.find('retrace.x.trace')).rejects.toThrow(/no stream matches subject/);
  });

  it('publishing a forged run.status, work, or a result in another role\'s name', async () => {
    const bus = await as(user);
    const errors = errorsOf.get(bus)!;
    const seen: string[] = [];
    const sub = driver.subscribe(`retrace.${RUN}.>`, (m) => void seen.push(m.subject));
    await driver.flush();
    const other = user === 'coder' ? 'planner' : 'coder';
    const forged = [`retrace.${RUN}.event.run`, `retrace.${RUN}.work.${other}`, `retrace.${RUN}.result.${other}`];
    for (const subject of forged) await bus.publish(subject, { type: RUN_STATUS, body: { run: RUN, phase: 'done', ok: true } });
    await bus.flush();
    await waitFor(() => forged.every((subject) => errors.some((e) => e.includes(`Permissions Violation for Publish to "${subject}"`))), 'the refusals');
    await sleep(100);
    expect(seen).toEqual([]);
    await sub.unsubscribe();
  });
});

describe('listening in', () => {
  it("the coder can subscribe neither to every inbox nor to the driver's: the driver's results reach the driver alone", async () => {
    const coder = await as('coder');
    const errors = errorsOf.get(coder)!;
    let overheard = 0;
    for (const pattern of ['_INBOX.>', '_INBOX_driver.>', '>', `retrace.${RUN}.>`, 'retrace-dlq.>']) coder.subscribe(pattern, () => void overheard++);
    await coder.flush();
    await waitFor(() => errors.length >= 5, 'the refused subscriptions');
    expect(errors.join('\n')).toMatch(/Permissions Violation for Subscription to "_INBOX_driver\.>"/);
    // The driver pulls the planner's result: delivered to its inbox, and nowhere else.
    const q = await openResultQueue(driver, `${RUN}b`, QUEUE);
    await q.enqueue(resultSubject(`${RUN}b`, 'planner'), { type: 'agent.result', body: { n: 1 } });
    const got: unknown[] = [];
    const consumer = q.consume(async (job) => void got.push(job.body));
    await waitFor(() => got.length === 1, 'the driver to take the result');
    await consumer.stop();
    await coder.flush();
    await sleep(100);
    expect(overheard).toBe(0);
  });
});

describe.each(ROLES)('the %s user does its own work', (role: Role) => {
  it('takes and acks its work, publishes its result into the run, follows its policy, queues a search', async () => {
    const bus = await as(role);
    const errors = errorsOf.get(bus)!;
    const run = `${RUN}${role}`;
    const runResults = await openResultQueue(driver, run, QUEUE);
    const work = await openRoleQueue(driver, role, QUEUE);
    await work.enqueue(`retrace.${run}.work.${role}`, { type: 'agent.work', body: { job: 'j1' } });
    const registry = defaultRegistry();
    const policy = await LivePolicy.watch(bus, role, registry, { id: 'grounded', params: {} });
    // As the agent host does: its queue as opened by the driver, the results queue as a producer.
    const mine = await openRoleQueue(bus, role, QUEUE);
    const produced = await openResultQueue(bus, run, QUEUE, { produceOnly: true });
    const consumer = mine.consume(async (job) => {
      await produced.enqueue(resultSubject(run, role), { type: 'agent.result', body: { job: (job.body as { job: string }).job } }, { msgId: `result:${run}` });
    });
    await waitFor(async () => (await runResults.info()).messages === 1, 'the result in the run');
    await consumer.stop();
    await waitFor(async () => (await work.info()).messages === 0, 'the ack');
    await setPolicy(driver, role, { id: 'grounded', params: {} });
    await waitFor(() => policy.current().revision > 0, 'the policy swap');
    await requestRefine(bus, { id: `${run}-s`, context: '', target: 'x', budget: { scorerCalls: 1 } }, { run });
    await bus.publish(`retrace.${run}.trace`, { type: 'agent.step', body: {} });
    await bus.publish(`retrace.${run}.event.search`, { type: 'agent.search', body: {} });
    await bus.flush();
    await policy.close();
    expect(errors).toEqual([]);
  });
});

describe.each(ROLES)('the %s user, with a model behind it', (role: Role) => {
  it('shares the model-call cache (KV entries, objects past 256 KiB) and the per-endpoint limits of the cluster', async () => {
    const bus = await as(role);
    const errors = errorsOf.get(bus)!;
    const store = await BusCallStore.open(bus);
    const big = { text: `${role} `.repeat(60_000) } as unknown as CallEntry;
    await store.write(`${role}-big`, big);
    await store.write(`${role}-small`, { text: role } as unknown as CallEntry);
    expect(await store.read(`${role}-big`)).toEqual(big);
    expect(await store.read(`${role}-small`)).toEqual({ text: role });
    const limiter = await KvLimiter.open(bus);
    const permit = await limiter.acquire(`http://model/${role}/v1`, { maxInFlight: 1, tokensPerMinute: 1000 }, { tokens: 10, leaseMs: 5000 });
    await permit.release(8);
    await bus.flush();
    expect(errors).toEqual([]);
  });
});

describe('the search user does its own work', () => {
  it('takes a search job from the queue the driver set up, publishes its result event, asks a scorer', async () => {
    const bus = await as('search');
    const errors = errorsOf.get(bus)!;
    const queue = await bus.workQueue(SEARCH_QUEUE, { subjects: [refineSubject()], ackWaitMs: 30_000, maxDeliver: 3 });
    const coder = await as('coder');
    await requestRefine(coder, { id: 'srch', context: '', target: 'x', budget: { scorerCalls: 1 } }, { run: RUN });
    const resultEvents: unknown[] = [];
    coder.subscribe(`retrace.${RUN}.event.search-result`, (m) => void resultEvents.push(m.body));
    await coder.flush();
    const consumer = queue.consume(async (job) => {
      await bus.publish(`retrace.${job.run}.event.search-result`, { type: 'search.result', body: { id: 'srch' } });
    });
    await waitFor(() => resultEvents.length >= 1, 'the search result event');
    await consumer.stop();
    const scorer = await as('scorer');
    scorer.reply('retrace.score.m', () => ({ type: 'score.result', body: 1 }));
    await scorer.flush();
    expect((await bus.request<number>('retrace.score.m', { type: 'score.request', body: {} })).body).toBe(1);
    expect(errors).toEqual([]);
  });
});

describe('a role that produces into a queue the driver has yet to set up', () => {
  it('waits for the stream, then its result is stored', async () => {
    const coder = await as('coder');
    const run = `${RUN}late`;
    const produced = await openResultQueue(coder, run, QUEUE, { produceOnly: true });
    const sent = produced.enqueue(resultSubject(run, 'coder'), { type: 'agent.result', body: { late: true } });
    await sleep(1500);
    const late = await openResultQueue(driver, run, QUEUE);
    await sent;
    expect((await late.info()).messages).toBe(1);
    expect(errorsOf.get(coder)).toEqual([]);
  });
});

describe('what the lists leave out', () => {
  it('a role user that finds its queue missing says so at once, naming `retrace setup`', async () => {
    const { jsm } = await driver.js();
    await jsm.streams.delete('RETRACE_WQ_role-tester');
    const tester = await as('tester');
    const started = Date.now();
    await expect(openRoleQueue(tester, 'tester', QUEUE)).rejects.toThrow(/server refused this user .*STREAM\.CREATE\.RETRACE_WQ_role-tester.*retrace setup/);
    expect(Date.now() - started).toBeLessThan(5000);
    await setUpShared(driver, { roles: QUEUE });
  });

  it('the policies bucket: a role reads any policy (they are shared settings) and writes none, nor makes a bucket', async () => {
    await setPolicy(driver, 'planner', { id: 'grounded', params: {} });
    const coder = await as('coder');
    expect((await (await coder.kv('retrace-policies')).get('planner'))?.value).toEqual({ id: 'grounded', params: {} });
    await expectRefused(coder, '$KV.retrace-policies.planner');
    const { js } = await coder.js();
    const kv = await new Kvm(js).open('retrace-policies');
    await expect(kv.put('planner', enc.encode('{}'))).rejects.toThrow(/Permissions Violation/);
    await expect(new Kvm(js).create('capture', { history: 1 })).rejects.toThrow(/Permissions Violation/);
  });

  it("a role's policy watch may filter on its own key only: the subject says so, and the server holds the request to it", async () => {
    const coder = await as('coder');
    const config = { ack_policy: AckPolicy.None, deliver_policy: DeliverPolicy.LastPerSubject, filter_subject: '$KV.retrace-policies.planner', deliver_subject: '_INBOX_coder.w' };
    await expectRefused(coder, '$JS.API.CONSUMER.CREATE.KV_retrace-policies.w.$KV.retrace-policies.planner', { stream_name: 'KV_retrace-policies', config: { name: 'w', ...config } });
    const reply = await coder.nc.request('$JS.API.CONSUMER.CREATE.KV_retrace-policies.w.$KV.retrace-policies.coder', enc.encode(JSON.stringify({ stream_name: 'KV_retrace-policies', config: { name: 'w', ...config } })), { timeout: 3000 });
    expect(JSON.parse(new TextDecoder().decode(reply.data)).error?.err_code).toBe(10131);
  });
});

describe('retrace setup', () => {
  const env = (user: string) => ({ ...process.env, RETRACE_NATS_USER: user, RETRACE_NATS_PASSWORD: `${user}-pw` });

  it('sets up the queues with the settings given, as the driver; a role user is refused; bad settings exit 2', async () => {
    const asCoder = await retraceCli(['setup', '--nats', server.url], { env: env('coder') });
    expect(asCoder.status).toBe(1);
    expect(asCoder.stderr).toMatch(/server refused this user .*Permissions Violation for Publish to "\$JS\.API\.STREAM\.INFO\.RETRACE_WQ_role-planner"/);
    const changed = await retraceCli(['setup', '--nats', server.url, '--ack-wait', '7000', '--max-deliver', '2'], { env: env('driver') });
    expect(changed.status, changed.stderr).toBe(0);
    expect(changed.stdout).toMatch(/set up role-planner, role-architect, role-coder, role-tester, role-debugger, search-refine, retrace-policies, retrace-model-calls, retrace-model-calls \(objects\), retrace-model-limits\n/);
    const { jsm } = await driver.js();
    expect((await jsm.consumers.info('RETRACE_WQ_role-coder', 'workers')).config.ack_wait).toBe(7000 * 1e6);
    const back = await retraceCli(['setup', '--nats', server.url, '--ack-wait', String(QUEUE.ackWaitMs), '--max-deliver', String(QUEUE.maxDeliver)], { env: env('driver') });
    expect(back.status, back.stderr).toBe(0);
    expect((await jsm.consumers.info('RETRACE_WQ_role-coder', 'workers')).config.ack_wait).toBe(QUEUE.ackWaitMs * 1e6);
    const bad = await retraceCli(['setup', '--nats', server.url, '--ack-wait', '0'], { env: env('driver') });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--ack-wait <ms>' argument '0' is invalid\. expected a whole number >= 1/);
  }, 60_000);
});
