/**
 * `retrace corpus <input...> --out-dir DIR`: many repositories rebuilt into one set of shards,
 * a manifest of every repository's outcome and a card (src/corpus/corpus.ts).
 *
 * Exit codes: 0 every repository finished; 2 bad input (an input that is not there, a folder
 * holding a corpus of other settings); 3 some repositories failed (listed; the rest are packed).
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { runCorpus, type CorpusProgress, type CorpusSummary } from '../corpus/corpus.ts';
import { serveCorpusJob } from '../corpus/worker.ts';
import { preflighted } from '../run/preflight.ts';
import { InputError } from '../run/run-job.ts';
import { modelCallLines } from './run.ts';
import { addRunSettingOptions, EXIT, int, parseFormat, runSettingsFrom, type RunSettingsCli } from './run-options.ts';

interface CorpusCliOptions extends RunSettingsCli {
  outDir: string;
  jobs: string;
  format: string;
  shardTokens?: string;
  card: boolean;
  repoTimeout?: string;
  workerHeap?: string;
  excludeNgrams: string[];
  nats?: string[];
  corpus?: string;
  ackWait?: string;
  json?: boolean;
  logLevel: string;
}

export function register(program: Command): void {
  const corpus = program
    .command('corpus')
    .description('rebuild many repositories into one dataset: shards, a manifest of every repository, and a card')
    .argument('<input...>', 'repositories, directories holding repositories, list files (one path per line) or JSONL manifests ({"path","name","origin","commit"} per line)')
    .requiredOption('--out-dir <dir>', "the corpus's folder: shards, manifest, card, and each repository's records (a rerun resumes it)")
    .option('-j, --jobs <n>', 'repositories rebuilt at once, each in its own process', '1')
    .option('--format <format>', 'parquet (shards in <out-dir>/data/) or jsonl (<out-dir>/data.jsonl.zst)', 'parquet')
    .option('--shard-tokens <n>', 'with --format parquet: tokens per shard')
    .option('--no-card', 'write no dataset card')
    .option('--repo-timeout <s>', 'stop a repository still running after this many seconds and record it as failed')
    .option('--worker-heap <MiB>', "each worker's JavaScript heap (a job's memory: 384 keeps a 500-file repository under 460 MB, for ~25% more CPU); a repository that needs more fails as Crashed")
    .option('--nats <url>', 'share the corpus over NATS with every driver given the same command (comma-separated for a cluster); each packs the same shards', (v: string, p: string[] = []) => [...p, ...v.split(',')])
    .option('--corpus <name>', "with --nats: the corpus's name on the cluster (default: derived from the settings and repositories)")
    .option('--ack-wait <ms>', "with --nats: a dead driver's repository goes to another driver after this long (default 60000)")
    .option('--exclude-ngrams <file>', 'mask files sharing a 13-gram of words with these texts (a .jsonl file: one {"text"} per line; else the whole file); repeatable', (v: string, p: string[]) => [...p, v], [] as string[]);
  addRunSettingOptions(corpus)
    .option('--json', 'progress as JSON lines (one per repository) and the summary as JSON, on stdout')
    .option('--log-level <level>', 'log level of the workers (logs go to stderr)', 'warn')
    .action(async (inputs: string[], o: CorpusCliOptions) => {
      const display = o.json ? jsonProgress() : terminalProgress(process.stderr.isTTY === true);
      let summary: CorpusSummary;
      try {
        if ((o.corpus !== undefined || o.ackWait !== undefined) && !o.nats) throw new InputError('--corpus and --ack-wait name a corpus on NATS: they need --nats');
        summary = await runCorpus({
          inputs,
          outDir: o.outDir,
          settings: await preflighted(runSettingsFrom(o)),
          jobs: int('--jobs', o.jobs, 1),
          format: parseFormat(o.format),
          ...(o.shardTokens !== undefined ? { shardTokens: int('--shard-tokens', o.shardTokens, 1) } : {}),
          card: o.card,
          excludeNgrams: o.excludeNgrams,
          ...(o.repoTimeout !== undefined ? { repoTimeoutMs: int('--repo-timeout', o.repoTimeout, 1) * 1000 } : {}),
          ...(o.workerHeap !== undefined ? { workerHeapMb: int('--worker-heap', o.workerHeap, 64) } : {}),
          logLevel: o.logLevel,
          progress: display,
          ...(o.nats ? { cluster: { nats: o.nats, ...(o.corpus ? { corpus: o.corpus } : {}), ...(o.ackWait ? { ackWaitMs: int('--ack-wait', o.ackWait, 100) } : {}) } } : {}),
        });
      } finally {
        display.stop();
      }
      if (o.json) process.stdout.write(JSON.stringify({ event: 'summary', ...summary }) + '\n');
      else printSummary(summary);
      if (summary.failed.length > 0) process.exitCode = EXIT.failures;
    });

  program
    .command('corpus-worker', { hidden: true })
    .description('a worker process of `retrace corpus` (started by it, over an IPC channel)')
    .action(serveCorpusJob);
}

function printSummary(s: CorpusSummary): void {
  const lines = [
    `corpus ${s.outDir}: ${s.finished} of ${s.repositories} repositories finished${s.alreadyFinished ? ` (${s.alreadyFinished} by an earlier run)` : ''}, ${s.files} files`,
    `  ${s.records} records, ${s.tokens} tokens (${s.trainTokens} trained on) -> ${s.outputs.length} file${s.outputs.length === 1 ? '' : 's'}${s.outputs[0] ? ` (${s.outputs[0]}${s.outputs.length > 1 ? ', ...' : ''})` : ''}`,
    `  manifest: ${s.manifest}`,
    ...(s.masked.duplicate + s.masked.contaminated > 0 ? [`  masked in the shards: ${s.masked.duplicate} duplicate files, ${s.masked.contaminated} contaminated (${s.masked.list})`] : []),
    ...(s.card.length > 0 ? [`  card: ${s.card[0]}`] : []),
    ...modelCallLines(s.models),
    `  time: ${(s.ms / 1000).toFixed(1)} s`,
  ];
  for (const f of s.failed) lines.push(`  failed: ${f.key} (${f.path}): ${f.class}: ${f.message}`);
  process.stderr.write(lines.join('\n') + '\n');
}

type Display = CorpusProgress & { stop(): void };

/** One JSON line per repository as it ends (and one when packing ends), on stdout. */
function jsonProgress(): Display {
  const write = (o: object) => process.stdout.write(JSON.stringify(o) + '\n');
  return {
    start: (total, finished) => write({ event: 'start', repositories: total, alreadyFinished: finished }),
    repoEnded: (o, wasRun) => write({ event: 'repository', ...o, ...(wasRun ? {} : { earlier: true }) }),
    stop() {},
  };
}

/**
 * On a terminal: repositories done of all, files and trained tokens so far, repositories per
 * hour and the time left at that rate. Nothing when stderr is not a terminal.
 */
function terminalProgress(enabled: boolean): Display {
  if (!enabled) return { start() {}, repoEnded() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format: ' corpus |{bar}| {value}/{total} repositories | {files} files | {tokens} tokens trained | {rate} repos/h | ETA {eta_formatted} | {failed} failed', hideCursor: true, stream: process.stderr, etaBuffer: 20 },
    cliProgress.Presets.shades_classic,
  );
  const t0 = Date.now();
  let files = 0;
  let tokens = 0;
  let failed = 0;
  let ranNow = 0;
  let started = false;
  const fields = () => ({ files, tokens: tokens.toLocaleString('en'), failed, rate: (ranNow / Math.max(1e-6, (Date.now() - t0) / 3_600_000)).toFixed(0) });
  return {
    start(total, finished) {
      started = true;
      bar.start(total, finished, fields());
    },
    repoEnded(o, wasRun) {
      if (o.status === 'failed') failed++;
      files += o.figures?.files ?? 0;
      if (o.status === 'finished') tokens += o.figures?.trainTokens ?? 0;
      if (wasRun) {
        ranNow++;
        bar.increment(1, fields());
      } else bar.update(fields());
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
