/**
 * How many scorer calls per second the orchestration sustains when the scorer itself costs
 * nothing, each figure beside its reference measured in the same run:
 *
 * 1. Scoring: a ScoringClient → NATS → ScoringNode whose scorer answers instantly (one server, then
 *    a 3-node cluster with the client and the node on different servers), against raw nats.js
 *    request/reply moving the same bytes (encoded once, answered with canned bytes): the ratio is
 *    what our envelopes, validation and client/node code cost on top of the transport.
 * 2. The same with a 300-file corpus named in every request (what search services send to
 *    embedded nodes).
 * 3. Search: MCTS refinements through a SearchService scoring on an instant node (the whole path an
 *    agent's search takes, minus the agent), against the same searches in-process on the instant
 *    scorer: the ratio is what running search as a service costs.
 *
 *   npx tsx bench/orchestration.ts [seconds per case, default 4]
 */
import { connect } from '@nats-io/transport-node';
import { encodeBody } from '../src/bus/envelope.ts';
import { NatsBus } from '../src/bus/mod.ts';
import { ScoringClient } from '../src/search/score/client.ts';
import { ScoringNode } from '../src/search/score/node.ts';
import { encodeResults, type CorpusRef } from '../src/search/score/protocol.ts';
import type { ScoreItem, ScoreResult, Scorer } from '../src/search/score/types.ts';
import { GroundedProposer } from '../src/search/grounded-proposer.ts';
import { Mcts } from '../src/search/mcts.ts';
import { SearchService, requestRefine } from '../src/search/service.ts';
import { ResultEvent, SEARCH_RESULT, resultSubject } from '../src/search/protocol.ts';
import { startNatsServer } from '../test/support/nats-server.ts';
import { startNatsCluster } from '../test/support/nats-cluster.ts';

const seconds = Number(process.argv[2] ?? 4);

class InstantScorer implements Scorer {
  readonly model = 'instant';
  calls = 0;
  async scoreBatch(items: readonly ScoreItem[]): Promise<ScoreResult[]> {
    this.calls += items.length;
    return items.map((it) => ({ logprob: -it.target.length / 10, tokenLogprobs: [-0.5, -0.5], tokens: [it.target.slice(0, -1), it.target.slice(-1)] }));
  }
  async close(): Promise<void> {}
}

// A realistic call: a few KB of context (the file so far, reads) and a chunk of code as target.
const item: ScoreItem = { context: 'x'.repeat(4000), target: 'export function f(a, b) {\n  return a + b;\n}\n'.repeat(4) };
const corpus: CorpusRef = { key: 'bench-run:repo', graph: 'repo', files: Array.from({ length: 300 }, (_, i) => `src/module-${i}/index.ts`) };

async function timed(round: () => Promise<number>): Promise<number> {
  await round(); // warm-up
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) calls += await round();
  return calls / ((performance.now() - t0) / 1000);
}

async function ours(clientUrls: string[], nodeUrls: string[], chunkSize: number, concurrency: number, withCorpus: boolean): Promise<number> {
  const nodeBus = await NatsBus.connect({ servers: nodeUrls });
  const clientBus = await NatsBus.connect({ servers: clientUrls });
  const node = await ScoringNode.start({ bus: nodeBus, scorer: new InstantScorer(), backend: 'instant', concurrency: 64 });
  await nodeBus.flush();
  await new Promise((r) => setTimeout(r, 200));
  const client = new ScoringClient({ bus: clientBus, model: 'instant', chunkSize, concurrency });
  const scorer = withCorpus ? client.withCorpus(corpus) : client;
  const batch = Array.from({ length: chunkSize * concurrency }, () => item);
  const rate = await timed(async () => (await scorer.scoreBatch(batch)).length);
  await node.stop();
  await clientBus.close();
  await nodeBus.close();
  return rate;
}

/** Raw nats.js: the same request and reply bytes, encoded once; `concurrency` requests in flight. */
async function raw(clientUrls: string[], nodeUrls: string[], chunkSize: number, concurrency: number, withCorpus: boolean): Promise<number> {
  const nc = await connect({ servers: nodeUrls, noAsyncTraces: true });
  const cc = await connect({ servers: clientUrls, noAsyncTraces: true });
  const items = Array.from({ length: chunkSize }, () => item);
  const request = encodeBody(withCorpus ? { items, corpus } : { items });
  const scored = await new InstantScorer().scoreBatch(items);
  const reply = encodeBody(encodeResults(items, scored));
  const sub = nc.subscribe('bench.raw.score', { queue: 'q', callback: (_e, m) => {
      m.respond(reply);
    } });
  await nc.flush();
  await new Promise((r) => setTimeout(r, 200));
  const rate = await timed(async () => {
    await Promise.all(Array.from({ length: concurrency }, () => cc.request('bench.raw.score', request, { timeout: 10_000 })));
    return chunkSize * concurrency;
  });
  sub.unsubscribe();
  await cc.close();
  await nc.close();
  return rate;
}

// Searches: a file's worth of code refined in chunks, 64 scorer calls each in batches of 8.
const target = Array.from({ length: 6 }, (_, i) => `export function step${i}(xs, n) {\n  const out = xs.filter((x) => x % ${i + 2} === 0);\n  return out.slice(0, n);\n}\n`).join('\n');
const context = `// src/steps.js\nimport { helper } from './helper.js';\n`;
const BUDGET = 64;

async function searchInProcess(): Promise<number> {
  const scorer = new InstantScorer();
  return timed(async () => {
    const r = await new Mcts().search({ context, target, proposer: new GroundedProposer({ language: 'javascript' }), scorer, seed: 1, maxSteps: 4 }, { scorerCalls: BUDGET, batchSize: 8 });
    return r.scorerCalls;
  });
}

async function searchAsService(url: string, parallel: number): Promise<number> {
  const nodeBus = await NatsBus.connect({ servers: url });
  const serviceBus = await NatsBus.connect({ servers: url });
  const callerBus = await NatsBus.connect({ servers: url });
  const node = await ScoringNode.start({ bus: nodeBus, scorer: new InstantScorer(), backend: 'instant', concurrency: 64 });
  const client = new ScoringClient({ bus: serviceBus, model: 'instant' });
  const service = await SearchService.start({ bus: serviceBus, scorer: client, corpora: client, concurrency: parallel });
  const waiting = new Map<string, (e: ResultEvent) => void>();
  const sub = callerBus.subscribe<ResultEvent>(resultSubject('bench'), (m) => waiting.get(m.body.id)?.(m.body), { accept: { [SEARCH_RESULT]: ResultEvent } });
  await callerBus.flush();
  let n = 0;
  const one = async (): Promise<number> => {
    const id = `p${parallel}-s${n++}`;
    const done = new Promise<ResultEvent>((resolve) => waiting.set(id, resolve));
    await requestRefine(
      callerBus,
      { id, context, target, method: 'mcts', budget: { scorerCalls: BUDGET, batchSize: 8 }, seed: 1, maxSteps: 4, language: 'javascript', corpus, progress: false },
      { run: 'bench' },
    );
    const e = await done;
    waiting.delete(id);
    if (!e.ok) throw new Error(e.error);
    return e.result!.scorerCalls;
  };
  const rate = await timed(async () => (await Promise.all(Array.from({ length: parallel }, one))).reduce((a, b) => a + b, 0));
  await sub.unsubscribe();
  await service.stop();
  await node.stop();
  for (const b of [callerBus, serviceBus, nodeBus]) await b.close();
  return rate;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en');
const single = await startNatsServer();
const cluster = await startNatsCluster();
const scoringRows: string[] = [];
const searchRows: string[] = [];
try {
  for (const [chunk, conc, withCorpus] of [
    [1, 1, false],
    [1, 8, false],
    [16, 8, false],
    [16, 8, true],
  ] as const) {
    process.stderr.write(`scoring ${chunk}x${conc}${withCorpus ? ' corpus' : ''}\n`);
    const one = await ours([single.url], [single.url], chunk, conc, withCorpus);
    const oneRaw = await raw([single.url], [single.url], chunk, conc, withCorpus);
    const three = await ours([cluster.urls[0]!], [cluster.urls[1]!], chunk, conc, withCorpus);
    const threeRaw = await raw([cluster.urls[0]!], [cluster.urls[1]!], chunk, conc, withCorpus);
    scoringRows.push(
      `| ${chunk} | ${conc} | ${withCorpus ? '300 files' : '-'} | ${fmt(one)} | ${fmt(oneRaw)} | ${(one / oneRaw).toFixed(2)} | ${fmt(three)} | ${fmt(threeRaw)} | ${(three / threeRaw).toFixed(2)} |`,
    );
  }
  process.stderr.write('search in-process\n');
  const inProcess = await searchInProcess();
  for (const parallel of [1, 4]) {
    process.stderr.write(`search service x${parallel}\n`);
    const service = await searchAsService(single.url, parallel);
    searchRows.push(`| ${parallel} | ${fmt(service)} | ${fmt(inProcess)} | ${(service / inProcess).toFixed(2)} |`);
  }
} finally {
  await single.stop();
  await cluster.stop();
}
console.log(`instant scorer, ${seconds} s per case, context ${item.context.length} chars + target ${item.target.length} chars per call`);
console.log('\nScoring: calls/s through ScoringClient → NATS → ScoringNode, and raw nats.js moving the same bytes');
console.log('| items per request | requests in flight | corpus | ours, one server | raw, one server | ratio | ours, 3-node cluster | raw, 3-node cluster | ratio |');
console.log('|---:|---:|---|---:|---:|---:|---:|---:|---:|');
for (const r of scoringRows) console.log(r);
console.log(`\nSearch: scorer calls/s of MCTS refinements (budget ${BUDGET}, batches of 8, grounded proposer) through a search service scoring on a node, and the same searches in-process`);
console.log('| searches at once | calls/s, search service + node (one server) | calls/s, in-process | ratio |');
console.log('|---:|---:|---:|---:|');
for (const r of searchRows) console.log(r);
