/**
 * `retrace search-service`: runs the search service as its own process, consuming
 * `retrace.search.refine` jobs from the bus.
 *
 *   retrace search-service --nats nats://127.0.0.1:4222                  # scores on scoring nodes (embedded-kn4)
 *   retrace search-service --nats nats://bus:4222 --model Qwen/Qwen2.5-Coder-7B
 *   retrace search-service --nats nats://127.0.0.1:4222 --train src/     # embedded scorer in-process
 *   retrace search-service --nats nats://127.0.0.1:4222 --corpus-scoring nodes  # agents' searches scored on scoring nodes
 *
 * Agents' searches name the run's corpus (the files written so far): `--corpus-scoring local`
 * trains an embedded scorer on it here; `nodes` sends it with every batch to the scoring nodes of
 * `--model`, which train one each (embedded nodes) — the same scores either way. With a served
 * model (`--model` not `embedded-*`) the corpus is ignored: every search is scored by the model.
 * Credentials come from the environment (RETRACE_NATS_*, see src/bus/env.ts).
 * SIGINT/SIGTERM: stop taking jobs, finish those in flight, close the connection.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Command } from 'commander';
import { CorpusScorers, EmbeddedScorer, ScoringClient, type Scorer } from '../search/score/mod.ts';
import { SearchService } from '../search/service.ts';
import { refineSubject } from '../search/protocol.ts';
import { createLogger } from '../log/logger.ts';
import { addNatsOptions, connectFromOptions } from './nats-options.ts';
import { UsageError } from './bad-input.ts';
import { positiveInt } from './numbers.ts';

const SOURCE = new Set(['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.py', '.go', '.rs', '.java', '.c', '.h', '.cc', '.cpp']);
const SKIP = new Set(['node_modules', '.git', 'dist', 'build', 'target', '.venv']);

function trainOn(scorer: EmbeddedScorer, paths: readonly string[]): number {
  let files = 0;
  const visit = (p: string): void => {
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) if (!SKIP.has(name)) visit(join(p, name));
    } else if (st.isFile() && SOURCE.has(extname(p))) {
      scorer.train(readFileSync(p, 'utf8'));
      files++;
    }
  };
  for (const p of paths) visit(p);
  return files;
}

interface SearchServiceCommandOptions {
  nats?: string[];
  model: string;
  corpusScoring: string;
  scoreTimeout: number;
  logLevel: string;
  train: string[];
  concurrency?: string;
  ackWait: number;
  maxDeliver: number;
}

const isEmbeddedModel = (model: string) => model.startsWith('embedded-');

/**
 * Searches at once: scoring in this process is CPU-bound (one at a time); a search scoring on
 * nodes waits on every round trip, so several keep the process busy (bench/orchestration.ts: 4 at
 * once gave 1.6x the calls/s of 1).
 */
export function searchConcurrency(given: string | undefined, scoresHere: boolean): number {
  if (given === undefined) return scoresHere ? 1 : 4;
  const n = Number(given);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--concurrency must be a positive integer, got "${given}"`);
  return n;
}

/**
 * Who scores searches that name a run's corpus (the agents' searches). An embedded model learns
 * from the corpus: a scorer trained here (`local`) or on the nodes (`nodes`). A served model
 * already knows code: the corpus is ignored and every search goes to its nodes — with `local`, the
 * agents' searches would otherwise never reach the GPU.
 */
export function corporaFor(model: string, mode: string, client: ScoringClient, trainedHere: boolean): { corpora?: CorpusScorers | ScoringClient } {
  if (!isEmbeddedModel(model) && !trainedHere) return {};
  return { corpora: mode === 'nodes' ? client : new CorpusScorers() };
}

export function register(program: Command): void {
  const cmd = program
    .command('search-service')
    .description('Serve retrace.search.refine: MCTS (and baselines) over reasoning steps, as durable work on the bus.')
    .option('--model <name>', 'model of the scoring nodes to use', 'embedded-kn4')
    .option('--corpus-scoring <where>', "searches naming a run's corpus: local (embedded scorer here) or nodes (the scoring nodes of --model)", 'local')
    .option('--score-timeout <ms>', 'a scoring request unanswered this long is sent again (once), to another node', positiveInt, 60_000)
    .option('--log-level <level>', 'log level', 'info')
    .option('--train <path>', 'score in-process with the embedded scorer trained on these sources (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--concurrency <n>', 'searches at once (default 1 when scoring here, 4 when scoring on nodes: a search waits on each round trip)')
    .option('--ack-wait <ms>', 'work-queue ack wait (heartbeats extend it)', positiveInt, 30_000)
    .option('--max-deliver <n>', 'deliveries before a job is dead-lettered', positiveInt, 3);
  addNatsOptions(cmd, false).action(async (opts: SearchServiceCommandOptions) => {
    if (opts.corpusScoring !== 'local' && opts.corpusScoring !== 'nodes') throw new UsageError(`--corpus-scoring is local or nodes, got "${opts.corpusScoring}"`);
    const timeoutMs = opts.scoreTimeout;
    const log = createLogger({ level: opts.logLevel });
    const bus = await connectFromOptions(opts.nats ?? [process.env.NATS_URL ?? 'nats://127.0.0.1:4222'], log, 'retrace-search-service');
    const client = new ScoringClient({ bus, model: opts.model, timeoutMs, sender: 'retrace-search' });
    let scorer: Scorer;
    if (opts.train.length > 0) {
      const embedded = new EmbeddedScorer();
      const files = trainOn(embedded, opts.train);
      process.stderr.write(`search-service: embedded scorer trained on ${files} files\n`);
      scorer = embedded;
    } else scorer = client;
    const service = await SearchService.start({
      bus,
      scorer,
      ...corporaFor(opts.model, opts.corpusScoring, client, opts.train.length > 0),
      concurrency: searchConcurrency(opts.concurrency, opts.train.length > 0 || (isEmbeddedModel(opts.model) && opts.corpusScoring === 'local')),
      ackWaitMs: opts.ackWait,
      maxDeliver: opts.maxDeliver,
    });
    const corpusMode = isEmbeddedModel(opts.model) || opts.train.length > 0 ? opts.corpusScoring : 'ignored (a served model knows code)';
    process.stderr.write(`search-service ${service.instance}: consuming ${refineSubject()} (scorer ${scorer.model}, corpus scoring ${corpusMode})\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await service.stop();
    await scorer.close();
    await bus.close();
  });
}
