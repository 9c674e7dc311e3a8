/**
 * How long the processes of a deployment take to set up their JetStream streams, consumers and
 * buckets on a fresh 3-node cluster when they start at once (five agents: the policy bucket and a
 * role queue each, R3): with the bus's setup timeout (1 s a try) beside the client's default API
 * timeout (5 s a try), each on its own fresh cluster, in the same run.
 *
 *   npx tsx bench/setup.ts [rounds, default 3]
 */
import { NatsBus } from '../src/bus/mod.ts';
import { startNatsCluster } from '../test/support/nats-cluster.ts';

const rounds = Number(process.argv[2] ?? 3);
const ROLES = ['planner', 'architect', 'coder', 'tester', 'debugger'];

/** Milliseconds until the last of five processes has its bucket and queue, on a fresh cluster. */
async function setUp(setupTimeoutMs: number): Promise<number> {
  const cluster = await startNatsCluster();
  try {
    const buses = await Promise.all(ROLES.map((_r, i) => NatsBus.connect({ servers: [cluster.urls[i % 3]!], replicas: 3, setupTimeoutMs })));
    const t0 = performance.now();
    await Promise.all(
      ROLES.map(async (role, i) => {
        await buses[i]!.kv('retrace-policies');
        await buses[i]!.workQueue(`role-${role}`, { subjects: [`retrace.*.work.${role}`], ackWaitMs: 5000, maxDeliver: 3 });
      }),
    );
    const ms = performance.now() - t0;
    for (const b of buses) await b.close();
    return ms;
  } finally {
    await cluster.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ours: number[] = [];
const reference: number[] = [];
for (let r = 0; r < rounds; r++) {
  ours.push(await setUp(1000));
  reference.push(await setUp(5000));
  process.stderr.write(`round ${r + 1}: ${ours.at(-1)!.toFixed(0)} ms vs ${reference.at(-1)!.toFixed(0)} ms\n`);
}
console.log(`five processes' JetStream setup on a fresh 3-node cluster (R3), median of ${rounds}:`);
console.log('| setup timeout per try | ms until all are set up |');
console.log('|---|---:|');
console.log(`| 1 s (the bus's) | ${median(ours).toFixed(0)} |`);
console.log(`| 5 s (the client's default, before) | ${median(reference).toFixed(0)} |`);
console.log(`ratio ${(median(ours) / median(reference)).toFixed(2)}`);
