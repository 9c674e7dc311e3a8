/**
 * A crash of the NATS server (SIGKILL) and a restart on the same store: subscribers resume, work
 * acked before the crash stays done, work stored before the crash is still delivered after it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus, type Incoming } from '../../src/bus/mod.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { unique, waitFor } from '../support/wait.ts';

let server: NatsServerHandle;

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('NatsBus across a server crash', () => {
  it('resumes subscriptions and loses no acked or stored work', async () => {
    const bus = await NatsBus.connect({ servers: server.url, reconnectTimeWaitMs: 100 });
    const producer = await NatsBus.connect({ servers: server.url, reconnectTimeWaitMs: 100 });
    const name = unique('crash');
    const subject = `work.${name}.job`;
    const opts = { subjects: [`work.${name}.>`], ackWaitMs: 2000, maxDeliver: 5 };
    const q = await bus.workQueue(name, opts);
    const pq = await producer.workQueue(name, opts);

    const events: Incoming<number>[] = [];
    bus.subscribe<number>(`t.${name}.events`, (m) => void events.push(m));
    await bus.flush();

    const done = new Map<number, number>();
    const handler = async (j: { body: number }) => void done.set(j.body, (done.get(j.body) ?? 0) + 1);
    let consumer = q.consume<number>(handler, { concurrency: 2 });
    for (let i = 0; i < 10; i++) await pq.enqueue(subject, { type: 'n', body: i }, { msgId: `${name}-${i}` });
    await waitFor(() => done.size === 10, 'the first ten jobs');
    await waitFor(async () => (await q.info()).messages === 0, 'the first ten acked');

    // Stored but not yet handled when the server dies.
    await consumer.stop();
    for (let i = 10; i < 15; i++) await pq.enqueue(subject, { type: 'n', body: i }, { msgId: `${name}-${i}` });

    await server.kill();
    await server.restart();

    // The subscription resumes once the client has reconnected.
    await waitFor(
      async () => {
        await producer.publish(`t.${name}.events`, { type: 'n', body: 1 }).catch(() => {});
        return events.length > 0;
      },
      'the subscription to resume',
      15_000,
    );

    consumer = q.consume<number>(handler, { concurrency: 2 });
    await waitFor(() => done.size === 15, 'the stored jobs after the restart', 15_000);
    for (let i = 15; i < 20; i++) await pq.enqueue(subject, { type: 'n', body: i }, { msgId: `${name}-${i}` });
    await waitFor(() => done.size === 20, 'jobs enqueued after the restart', 15_000);
    await waitFor(async () => (await q.info()).messages === 0, 'every job acked', 15_000);

    expect([...done.keys()].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    // Acked before the crash means never handled again.
    for (let i = 0; i < 10; i++) expect(done.get(i)).toBe(1);
    await consumer.stop();
    await bus.close();
    await producer.close();
  }, 60_000);
});
