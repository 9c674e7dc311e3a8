/**
 * How many scorer calls per second the orchestration (bus, envelopes, scoring client and node)
 * sustains when the scorer itself costs nothing: a ScoringNode whose scorer answers instantly,
 * driven by a ScoringClient over a real nats-server (one node, then a 3-node cluster with the
 * client and the node on different servers). The figure is the ceiling the bus puts on scoring;
 * GPU scoring nodes sit far below it (docs/scaling.md).
 *
 *   npx tsx bench/orchestration.ts [seconds per case, default 4]
 */
import { NatsBus } from '../src/bus/mod.ts';
import { ScoringClient } from '../src/search/score/client.ts';
import { ScoringNode } from '../src/search/score/node.ts';
import type { ScoreItem, ScoreResult, Scorer } from '../src/search/score/types.ts';
import { startNatsServer } from '../test/support/nats-server.ts';
import { startNatsCluster } from '../test/support/nats-cluster.ts';

const seconds = Number(process.argv[2] ?? 4);

class InstantScorer implements Scorer {
  readonly model = 'instant';
  async scoreBatch(items: readonly ScoreItem[]): Promise<ScoreResult[]> {
    return items.map(() => ({ logprob: -1, tokenLogprobs: [-0.5, -0.5], tokens: ['a', 'b'] }));
  }
  async close(): Promise<void> {}
}

// A realistic call: a few KB of context (the file so far, reads) and a chunk of code as target.
const item: ScoreItem = { context: 'x'.repeat(4000), target: 'export function f(a, b) {\n  return a + b;\n}\n'.repeat(4) };

async function measure(clientUrls: string[], nodeUrls: string[], chunkSize: number, concurrency: number): Promise<number> {
  const nodeBus = await NatsBus.connect({ servers: nodeUrls });
  const clientBus = await NatsBus.connect({ servers: clientUrls });
  const node = await ScoringNode.start({ bus: nodeBus, scorer: new InstantScorer(), backend: 'instant', concurrency: 64 });
  await nodeBus.flush();
  await new Promise((r) => setTimeout(r, 200));
  const client = new ScoringClient({ bus: clientBus, model: 'instant', chunkSize, concurrency });
  const batch = Array.from({ length: chunkSize * concurrency }, () => item);
  await client.scoreBatch(batch); // warm-up
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    await client.scoreBatch(batch);
    calls += batch.length;
  }
  const rate = calls / ((performance.now() - t0) / 1000);
  await node.stop();
  await clientBus.close();
  await nodeBus.close();
  return rate;
}

const rows: string[] = [];
const single = await startNatsServer();
const cluster = await startNatsCluster();
try {
  for (const [chunk, conc] of [
    [1, 1],
    [1, 8],
    [16, 8],
  ] as const) {
    const one = await measure([single.url], [single.url], chunk, conc);
    const three = await measure([cluster.urls[0]!], [cluster.urls[1]!], chunk, conc);
    rows.push(`| ${chunk} | ${conc} | ${Math.round(one).toLocaleString('en')} | ${Math.round(three).toLocaleString('en')} |`);
  }
} finally {
  await single.stop();
  await cluster.stop();
}
console.log(`instant scorer, ${seconds} s per case, context ${item.context.length} chars + target ${item.target.length} chars per call`);
console.log('| items per request | requests in flight | calls/s, one nats-server | calls/s, 3-node cluster (client and node on different servers) |');
console.log('|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
