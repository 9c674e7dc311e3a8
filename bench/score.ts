/**
 * Scoring benchmark, one run: `npx tsx bench/score.ts` (add `--quick` for a smaller run).
 *
 * 1. Embedded scorer throughput on one core: target tokens per second, batch 1 against batch 16,
 *    with a 2000-character context per item and with no context; model trained on ~1M tokens of
 *    real code (installed packages). Ratio against the 1M tokens/s target.
 * 2. Memory: a child process trains on 10M tokens and reports its peak RSS and the count tables'
 *    bytes; ratio against 1.5 GiB. It also measures throughput with that larger model.
 * 3. A scoring node over NATS (nats-server on PATH) against a direct in-process call on the same
 *    batches: the overhead ratio at batch 16 and batch 1. Target: at most +10% at batch 16.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { NatsBus } from '../src/bus/mod.ts';
import { ScoringClient } from '../src/search/score/client.ts';
import { EmbeddedScorer } from '../src/search/score/embedded.ts';
import { tokenize } from '../src/search/score/tokenize.ts';
import type { ScoreItem, Scorer } from '../src/search/score/types.ts';
import { natsServerAvailable, startNatsServer } from '../test/support/nats-server.ts';

const TARGET_TOKENS_PER_S = 1_000_000;
const MEMORY_LIMIT = 1.5 * 1024 ** 3;
const quick = process.argv.includes('--quick');

/** Real JS/TS source files from node_modules, in a fixed order, until `tokens` tokens. */
function corpus(tokens: number): { files: string[]; paths: string[]; tokens: number } {
  const files: string[] = [];
  const paths: string[] = [];
  let total = 0;
  const visit = (dir: string): boolean => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) {
        if (visit(path)) return true;
      } else if (/\.(js|mjs|cjs|ts)$/.test(name) && !/\.(d|min)\./.test(name) && st.size > 500 && st.size < 2_000_000) {
        const text = readFileSync(path, 'utf8');
        files.push(text);
        paths.push(path);
        total += tokenize(text).length;
        if (total >= tokens) return true;
      }
    }
    return false;
  };
  visit('node_modules');
  return { files, paths, tokens: total };
}

/** Every 8th file of 6000+ characters is held out for scoring; the rest is training data. */
function split(files: string[], paths: string[] = []): { train: string[]; trainPaths: string[]; heldOut: string[] } {
  const train: string[] = [];
  const trainPaths: string[] = [];
  const heldOut: string[] = [];
  let big = 0;
  files.forEach((f, k) => {
    if (f.length >= 6000 && big++ % 8 === 5) heldOut.push(f);
    else {
      train.push(f);
      trainPaths.push(paths[k] ?? '');
    }
  });
  return { train, trainPaths, heldOut };
}

function itemsFrom(files: string[], n: number): ScoreItem[] {
  const out: ScoreItem[] = [];
  for (const text of files) {
    for (let at = 0; at + 3000 <= text.length && out.length < n; at += 1500) {
      out.push({ context: text.slice(at, at + 2000), target: text.slice(at + 2000, at + 3000) });
    }
    if (out.length >= n) break;
  }
  return out;
}

function targetTokens(items: ScoreItem[]): number {
  return items.reduce((s, i) => s + tokenize(i.target).length, 0);
}

/**
 * Best of `rounds` runs scoring `items` in batches of `batch`, in target tokens per second of this
 * process's CPU time (user + system): the scorer is single-threaded, so that is per core, and on a
 * shared machine it moves far less with the load than wall time does.
 */
async function throughput(scorer: Scorer, items: ScoreItem[], batch: number, rounds: number): Promise<number> {
  const tokens = targetTokens(items);
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = process.cpuUsage();
    for (let k = 0; k < items.length; k += batch) await scorer.scoreBatch(items.slice(k, k + batch));
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / 1000);
  }
  return (tokens / best) * 1000;
}

/** CPU milliseconds of this process spent in `f`. */
async function cpuMs(f: () => unknown): Promise<number> {
  const start = process.cpuUsage();
  await f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** User + system CPU time of a process (all its threads), from /proc, in microseconds. */
function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks / CLOCK_TICKS) * 1e6;
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');

async function memoryChild(): Promise<void> {
  const want = quick ? 2_000_000 : 10_000_000;
  const { files: all, tokens } = corpus(Math.round(want * 1.1));
  const { train: files, heldOut: held } = split(all);
  // Hold out 10 files only, so the model reaches `want` tokens.
  const heldOut = held.slice(0, 10);
  files.push(...held.slice(10));
  const rssBefore = process.memoryUsage().rss;
  const scorer = new EmbeddedScorer();
  const start = performance.now();
  for (const file of files) {
    scorer.train(file);
    if (scorer.ngram.trainedTokens >= want) break;
  }
  const trainMs = performance.now() - start;
  const items = itemsFrom(heldOut, 200);
  const tps = await throughput(scorer, items, 16, 3);
  const empty = await throughput(scorer, items.map((i) => ({ context: '', target: i.target })), 16, 3);
  process.stdout.write(JSON.stringify({
    corpusTokens: tokens,
    trained: scorer.ngram.trainedTokens,
    vocab: scorer.ngram.vocab.size,
    ngramEntries: scorer.ngram.ngramEntries,
    tableBytes: scorer.ngram.byteLength,
    rssBefore,
    peakRss: process.resourceUsage().maxRSS * 1024,
    trainMs,
    tps,
    emptyContextTps: empty,
  }));
}

async function main(): Promise<void> {
  console.log(`# bench/score  ${new Date().toISOString()}  node ${process.version}${quick ? '  (quick)' : ''}`);
  // 1. Throughput with a model trained on ~1M tokens.
  const { files: all, paths } = corpus(1_400_000);
  const { train: files, trainPaths, heldOut } = split(all, paths);
  const scorer = new EmbeddedScorer();
  for (const f of files) scorer.train(f);
  const items = itemsFrom(heldOut, quick ? 64 : 256);
  const noContext = items.map((i) => ({ context: '', target: i.target }));
  const rounds = quick ? 3 : 7;
  await throughput(scorer, items, 16, 2); // warm-up
  const b1 = await throughput(scorer, items, 1, rounds);
  const b16 = await throughput(scorer, items, 16, rounds);
  const e16 = await throughput(scorer, noContext, 16, rounds);
  console.log(`\n## Embedded scorer, target tokens per CPU-second of one core (trained on ${fmt(scorer.ngram.trainedTokens)} tokens; ${items.length} items, ${fmt(targetTokens(items))} target tokens, 2000-char contexts)`);
  console.log(`batch  1, with context : ${fmt(b1)} target tokens/s  (${(b1 / TARGET_TOKENS_PER_S).toFixed(2)}x the 1M/s target)`);
  console.log(`batch 16, with context : ${fmt(b16)} target tokens/s  (${(b16 / TARGET_TOKENS_PER_S).toFixed(2)}x the 1M/s target; batch16/batch1 = ${(b16 / b1).toFixed(2)})`);
  console.log(`batch 16, no context   : ${fmt(e16)} target tokens/s  (${(e16 / TARGET_TOKENS_PER_S).toFixed(2)}x the 1M/s target)`);
  // A search's batch: one long shared start (plan, code so far), a different reasoning suffix per
  // item, one target. Scored as a batch (the start processed once) and item by item with the kept
  // start dropped before each (`train('')` adds nothing to the model but drops it).
  const start = heldOut.join('\n').slice(0, 20_000);
  const suffixes = items.slice(0, 16).map((i) => `\n// reasoning: ${i.context.slice(0, 600)}\n`);
  const target = items[0]!.target;
  const search = suffixes.map((suffix) => ({ context: start + suffix, target }));
  const searchTokens = targetTokens(search);
  let shared = Infinity;
  let alone = Infinity;
  for (let r = 0; r < rounds; r++) {
    shared = Math.min(shared, await cpuMs(() => scorer.scoreBatch(search)));
    alone = Math.min(alone, await cpuMs(() => {
      for (const item of search) {
        scorer.train('');
        scorer.score(item);
      }
    }));
  }
  console.log(`search batch (16 items, shared ${fmt(tokenize(start).length)}-token start + ~200-token suffix each): ${fmt((searchTokens / shared) * 1000)} target tokens/s batched, ${fmt((searchTokens / alone) * 1000)} without the shared start kept; ratio ${(alone / shared).toFixed(2)}`);

  // 2. Memory at 10M training tokens, in a fresh process for a clean peak RSS.
  const memory = spawnSync(process.execPath, ['--import', 'tsx', 'bench/score.ts', '--memory-child', ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (memory.status !== 0) throw new Error(`memory child failed: ${memory.stderr}`);
  const m = JSON.parse(memory.stdout) as Record<string, number>;
  console.log(`\n## Memory: n-gram counts for ${fmt(m.trained!)} training tokens (fresh process)`);
  console.log(`vocabulary ${fmt(m.vocab!)}; n-gram entries ${fmt(m.ngramEntries!)}; count tables ${(m.tableBytes! / 2 ** 20).toFixed(0)} MiB; training ${(m.trainMs! / 1000).toFixed(1)} s (${fmt((m.trained! / m.trainMs!) * 1000)} tokens/s)`);
  console.log(`peak RSS ${(m.peakRss! / 2 ** 20).toFixed(0)} MiB (RSS before training, corpus loaded: ${(m.rssBefore! / 2 ** 20).toFixed(0)} MiB) = ${(m.peakRss! / MEMORY_LIMIT).toFixed(2)}x the 1.5 GiB budget`);
  console.log(`throughput with this model, batch 16: ${fmt(m.tps!)} target tokens/s with context (${(m.tps! / TARGET_TOKENS_PER_S).toFixed(2)}x), ${fmt(m.emptyContextTps!)} without (${(m.emptyContextTps! / TARGET_TOKENS_PER_S).toFixed(2)}x)`);

  // 3. A scoring node over NATS against the direct call. The node is `retrace scorer-node`, a
  // separate process trained on the same files in the same order, so it holds the same model.
  if (!natsServerAvailable()) {
    console.log('\n## Node over NATS: skipped (no nats-server on PATH)');
    return;
  }
  const nats = await startNatsServer({ jetstream: false });
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'scorer-node', '--backend', 'embedded', '--nats', nats.url, ...trainPaths.flatMap((p) => ['--train', p])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const clientBus = await NatsBus.connect({ servers: nats.url });
  try {
    const deadline = Date.now() + 60_000;
    while (!/serving/.test(log)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`scorer-node did not start:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const check = await new ScoringClient({ bus: clientBus, model: scorer.model }).scoreBatch(items.slice(0, 16));
    const same = JSON.stringify(check) === JSON.stringify(await scorer.scoreBatch(items.slice(0, 16)));
    console.log(`\n## Scoring node over NATS (\`retrace scorer-node\`, its own process; nats-server on loopback) vs direct in-process call, same ${items.length} items`);
    console.log(`node and direct results identical: ${same}`);
    const rows: string[] = [];
    for (const [batch, inFlight] of [[16, 1], [16, 4], [64, 1], [1, 1]] as const) {
      const client = new ScoringClient({ bus: clientBus, model: scorer.model, chunkSize: batch, concurrency: inFlight });
      const viaNodeRun = async (): Promise<number> => {
        const start = performance.now();
        await client.scoreBatch(items);
        return (targetTokens(items) / (performance.now() - start)) * 1000;
      };
      const directWall = async (): Promise<number> => {
        const start = performance.now();
        for (let k = 0; k < items.length; k += batch) await scorer.scoreBatch(items.slice(k, k + batch));
        return (targetTokens(items) / (performance.now() - start)) * 1000;
      };
      await viaNodeRun(); // warm-up
      let direct = 0;
      let viaNode = 0;
      let directCpu = 0;
      let nodeCpu = 0;
      let clientCpu = 0;
      // Interleaved rounds, so noise from the shared machine hits both sides alike.
      for (let r = 0; r < rounds; r++) {
        const c0 = process.cpuUsage();
        direct = Math.max(direct, await directWall());
        const c1 = process.cpuUsage(c0);
        directCpu += c1.user + c1.system;
        const n0 = cpuMicros(child.pid!);
        const k0 = process.cpuUsage();
        viaNode = Math.max(viaNode, await viaNodeRun());
        const k1 = process.cpuUsage(k0);
        clientCpu += k1.user + k1.system;
        nodeCpu += cpuMicros(child.pid!) - n0;
      }
      const ratio = direct / viaNode;
      rows.push(`| ${batch} | ${inFlight} | ${fmt(direct)} | ${fmt(viaNode)} | ${ratio.toFixed(3)} | ${(nodeCpu / directCpu).toFixed(3)} | ${(clientCpu / directCpu).toFixed(3)} |`);
    }
    console.log('| batch | in flight | direct tokens/s (wall) | via node tokens/s (wall) | wall: node / direct | CPU: node process / direct | CPU: client / direct |');
    console.log('|---|---|---|---|---|---|---|');
    for (const row of rows) console.log(row);
    console.log('CPU: node process = the scorer-node process\'s user+system time over the same rounds (target: <= 1.10 at batch 16)');
  } finally {
    await clientBus.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await nats.stop();
  }
}

if (process.argv.includes('--memory-child')) await memoryChild();
else await main();
