/**
 * A 3-node JetStream cluster on loopback: the streams and buckets the bus creates get the replicas
 * asked for (`replicas: 3`, or RETRACE_NATS_REPLICAS for the processes), one replica by default,
 * an existing R1 stream is scaled up, and an R3 work queue keeps working with one node killed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NatsBus } from '../../src/bus/mod.ts';
import { connectWithEnv } from '../../src/bus/env.ts';
import { startNatsCluster, type NatsClusterHandle } from '../support/nats-cluster.ts';
import { unique, waitFor } from '../support/wait.ts';

let cluster: NatsClusterHandle;
const buses: NatsBus[] = [];

beforeAll(async () => {
  cluster = await startNatsCluster();
}, 30_000);

afterAll(async () => {
  for (const b of buses) await b.close().catch(() => {});
  await cluster?.stop();
});

async function connect(replicas?: number): Promise<NatsBus> {
  const bus = await NatsBus.connect({ servers: cluster.urls, ...(replicas ? { replicas } : {}), reconnectTimeWaitMs: 100 });
  buses.push(bus);
  return bus;
}

async function streamReplicas(bus: NatsBus, stream: string): Promise<{ replicas: number; peers: number }> {
  const { jsm } = await bus.js();
  const info = await jsm.streams.info(stream);
  return { replicas: info.config.num_replicas, peers: (info.cluster?.replicas?.length ?? 0) + 1 };
}

describe('a 3-node JetStream cluster', () => {
  it('gives work queues, the dead-letter stream and KV buckets 3 replicas when asked', async () => {
    const bus = await connect(3);
    const name = unique('r3q');
    await bus.workQueue(name, { ackWaitMs: 2000, maxDeliver: 2 });
    await waitFor(async () => (await streamReplicas(bus, `RETRACE_WQ_${name}`)).peers === 3, 'three peers of the queue stream');
    expect((await streamReplicas(bus, `RETRACE_WQ_${name}`)).replicas).toBe(3);
    expect((await streamReplicas(bus, 'RETRACE_DLQ')).replicas).toBe(3);
    const bucket = unique('r3kv');
    const kv = await bus.kv<{ n: number }>(bucket);
    await kv.put('k', { n: 1 });
    expect((await streamReplicas(bus, `KV_${bucket}`)).replicas).toBe(3);
  });

  it('keeps one replica by default and scales an existing stream up', async () => {
    const r1 = await connect();
    const name = unique('r1q');
    await r1.workQueue(name, { ackWaitMs: 2000, maxDeliver: 2 });
    expect((await streamReplicas(r1, `RETRACE_WQ_${name}`)).replicas).toBe(1);
    const r3 = await connectWithEnv(cluster.urls, undefined, 'replicas-from-env', { RETRACE_NATS_REPLICAS: '3' });
    buses.push(r3);
    expect(r3.replicas).toBe(3);
    await r3.workQueue(name, { ackWaitMs: 2000, maxDeliver: 2 });
    await waitFor(async () => (await streamReplicas(r3, `RETRACE_WQ_${name}`)).peers === 3, 'the stream scaled to three peers');
    await expect(NatsBus.connect({ servers: cluster.urls, replicas: 0 })).rejects.toThrow(/replicas/);
  });

  // Under parallel load this found two bugs in the work queue: a consumer lookup failing during
  // the leader election ended the consume loop for good, and a pull sent to the dying server was
  // never answered. Both are handled now (lookups retried, stalled pulls replaced).
  it('keeps an R3 work queue working, nothing lost, with one node killed', async () => {
    const bus = await connect(3);
    const name = unique('ha');
    const q = await bus.workQueue(name, { subjects: [`retrace.work.${name}.>`], ackWaitMs: 2000, maxDeliver: 3 });
    for (let i = 0; i < 20; i++) await q.enqueue(`retrace.work.${name}.a`, { type: 'job', body: i }, { msgId: `j${i}` });
    // Kill the node holding the stream's leadership: the hardest case.
    const { jsm } = await bus.js();
    const leader = (await jsm.streams.info(`RETRACE_WQ_${name}`)).cluster?.leader;
    const victim = cluster.nodes.find((n) => n.name === leader) ?? cluster.nodes[0]!;
    await victim.kill();
    const seen = new Set<number>();
    const consumer = q.consume<number>(async (job) => {
      seen.add(job.body);
    });
    for (let i = 20; i < 30; i++) {
      // A publish may land while a new leader is elected: retry it (the msg id dedupes a retry).
      await waitFor(
        () => q.enqueue(`retrace.work.${name}.a`, { type: 'job', body: i }, { msgId: `j${i}` }).then(() => true, () => false),
        `enqueue ${i} after the kill`,
        30_000,
      );
    }
    await waitFor(() => seen.size === 30, 'all 30 jobs', 30_000);
    await consumer.stop();
    expect([...seen].sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    await victim.start();
  }, 80_000);
});
