/**
 * `retrace search-service`: runs the search service as its own process, consuming
 * `retrace.search.refine` jobs from the bus.
 *
 *   retrace search-service --nats nats://127.0.0.1:4222                  # scores on scoring nodes (embedded-kn4)
 *   retrace search-service --nats nats://bus:4222 --model Qwen/Qwen2.5-Coder-7B
 *   retrace search-service --nats nats://127.0.0.1:4222 --train src/     # embedded scorer in-process
 *
 * SIGINT/SIGTERM: stop taking jobs, finish those in flight, close the connection.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Command } from 'commander';
import { NatsBus } from '../bus/mod.ts';
import { CorpusScorers, EmbeddedScorer, ScoringClient, type Scorer } from '../search/score/mod.ts';
import { SearchService } from '../search/service.ts';
import { refineSubject } from '../search/protocol.ts';

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
  nats: string;
  model: string;
  train: string[];
  concurrency: string;
  ackWait: string;
  maxDeliver: string;
}

export function register(program: Command): void {
  program
    .command('search-service')
    .description('Serve retrace.search.refine: MCTS (and baselines) over reasoning steps, as durable work on the bus.')
    .option('--nats <url>', 'NATS server(s), comma-separated', process.env.NATS_URL ?? 'nats://127.0.0.1:4222')
    .option('--model <name>', 'model of the scoring nodes to use', 'embedded-kn4')
    .option('--train <path>', 'score in-process with the embedded scorer trained on these sources (repeatable)', (v: string, prev: string[]) => [...prev, v], [])
    .option('--concurrency <n>', 'jobs at once', '1')
    .option('--ack-wait <ms>', 'work-queue ack wait (heartbeats extend it)', '30000')
    .option('--max-deliver <n>', 'deliveries before a job is dead-lettered', '3')
    .action(async (opts: SearchServiceCommandOptions) => {
      const bus = await NatsBus.connect({ servers: opts.nats.split(','), name: 'retrace-search-service' });
      let scorer: Scorer;
      if (opts.train.length > 0) {
        const embedded = new EmbeddedScorer();
        const files = trainOn(embedded, opts.train);
        process.stderr.write(`search-service: embedded scorer trained on ${files} files\n`);
        scorer = embedded;
      } else scorer = new ScoringClient({ bus, model: opts.model });
      const service = await SearchService.start({
        bus,
        scorer,
        // Requests from agents name their run's corpus: scored by embedded scorers trained on it.
        corpora: new CorpusScorers(),
        concurrency: Number(opts.concurrency),
        ackWaitMs: Number(opts.ackWait),
        maxDeliver: Number(opts.maxDeliver),
      });
      process.stderr.write(`search-service ${service.instance}: consuming ${refineSubject()} on ${opts.nats} (scorer ${scorer.model})\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await service.stop();
      await scorer.close();
      await bus.close();
    });
}
