/**
 * `retrace run <repo>`: the main job — a repository in, a dataset of trajectories out, verified.
 * `retrace verify <dataset> --repo <path>`: replays a dataset's writes against a repository.
 *
 * Exit codes: 0 done (and verified); 1 unexpected error; 2 bad input (no such repository, bad
 * option, no agents on the bus); 3 the run finished but some work failed; 4 the dataset does not
 * reproduce the repository.
 */
import { RepoUnavailableError } from '../agents/workspace.ts';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { verifyDataset } from '../dataset/verify.ts';
import { createLogger } from '../log/logger.ts';
import { CheckpointMismatchError } from '../run/checkpoint.ts';
import type { ModelCalls, ModelCallStats } from '../accounting/model-calls.ts';
import { preflight } from '../run/preflight.ts';
import { InputError, MissingAgentsError, runJob, type RunProgress, type RunSummary } from '../run/run-job.ts';
import { addRunSettingOptions, EXIT, int, parseFormat, runSettingsFrom, type RunSettingsCli } from './run-options.ts';

interface RunCliOptions extends RunSettingsCli {
  out?: string;
  format: string;
  shardTokens?: string;
  card: boolean;
  nats?: string[];
  graph?: string;
  spawn?: boolean;
  resume?: boolean;
  json?: boolean;
  trace: boolean | string;
  runId?: string;
  ackWait?: string;
  maxDeliver?: string;
  logLevel: string;
}


/**
 * Progress on a terminal, one line per phase as it comes: indexing (source files parsed or taken
 * from the cache), planning (no count: the time it has taken so far), the files written, and the
 * files replayed by the verification. Disabled (not a terminal, or --json): nothing at all.
 */
function progressBars(enabled: boolean): RunProgress & { stop(): void } {
  if (!enabled) return { phase() {}, file() {}, stop() {} };
  const bars = new cliProgress.MultiBar(
    { clearOnComplete: false, hideCursor: true, emptyOnZero: true, format: ' {phase} |{bar}| {value}/{total} {unit} | {rate}/min | ETA {eta_formatted} {detail}', stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const countFormat = (phase: string) => ` ${phase} |{bar}| {value}/{total} {unit} {detail}`;
  let index: cliProgress.SingleBar | undefined;
  let plan: cliProgress.SingleBar | undefined;
  let files: cliProgress.SingleBar | undefined;
  let verify: cliProgress.SingleBar | undefined;
  let filesStarted = Date.now();
  let indexStep = '';
  const steps: Record<string, string> = { walk: 'walking', parse: 'parsing', resolve: 'resolving imports', graph: 'building the graph' };
  // Bars stop (freezing their time) when the next phase begins, so each line keeps its figures.
  const settle = () => {
    if (index?.isActive) index.update({ detail: '' });
    for (const b of [index, plan, files]) if (b?.isActive) b.stop();
  };
  return {
    phase(name, detail) {
      settle();
      if (name === 'index') {
        index = bars.create(0, 0, { unit: 'source files', detail: '' }, { format: countFormat('index   ') });
      } else if (name === 'plan') {
        plan = bars.create(0, 0, {}, { format: ' plan     planning and designing... {duration_formatted}' });
      } else if (name === 'files') {
        filesStarted = Date.now();
        files = bars.create(detail?.total ?? 0, 0, { phase: 'files   ', unit: 'files', rate: '0', detail: '' });
      } else {
        verify = bars.create(0, 0, { unit: 'files replayed', detail: '' }, { format: countFormat('verify  ') });
      }
    },
    index(done, total, step) {
      if (!index) return;
      // Only parsing has a count; the other steps keep the files parsed on the bar.
      if (step === 'parse' && total !== index.getTotal()) index.setTotal(total);
      if (step === indexStep) {
        index.update(done);
        return;
      }
      indexStep = step;
      const detail = { detail: `| ${steps[step] ?? step}` };
      if (step === 'parse') index.update(done, detail);
      else index.update(detail);
      // Resolving and building run without a break: draw the line before they start.
      if (step === 'resolve' || step === 'graph') bars.update();
    },
    file(done, _total, path) {
      const perMin = done / Math.max(1e-3, (Date.now() - filesStarted) / 60_000);
      files?.update(done, { rate: perMin.toFixed(1), detail: path.length > 40 ? `…${path.slice(-39)}` : path });
    },
    verify(done, total) {
      if (!verify) return;
      if (total !== verify.getTotal()) verify.setTotal(total);
      verify.update(done);
    },
    stop() {
      settle();
      bars.stop();
    },
  };
}

const thousands = (n: number) => n.toLocaleString('en');

/** One line of model calls: requests, tokens, latency, errors by kind. */
function callLine(who: string, c: ModelCallStats): string {
  const lat = c.latencyMs ? `, latency p50 ${c.latencyMs.p50} ms, p90 ${c.latencyMs.p90} ms, p99 ${c.latencyMs.p99} ms` : '';
  const kinds = Object.entries(c.errorsByKind).map(([k, n]) => `${n} ${k}`).join(', ');
  const errors = c.errors === 0 ? 'no errors' : `${c.errors} error${c.errors === 1 ? '' : 's'} (${kinds})`;
  const cached = c.cached > 0 ? ` (+ ${thousands(c.cached)} answered from the cache)` : '';
  return `    ${who.padEnd(10)} ${c.model}: ${thousands(c.requests)} requests${cached}, ${thousands(c.promptTokens)} prompt + ${thousands(c.completionTokens)} completion tokens${lat}; ${errors}${costNote(c.costUsd)}`;
}

/** `; $0.0123` with a price table, `; no price` for a model it leaves out. */
function costNote(usd: number | null | undefined, unpriced: readonly string[] = []): string {
  if (usd === undefined) return '';
  if (usd === null) return '; no price';
  return `; $${usd.toFixed(4)}${unpriced.length > 0 ? ` (no price for ${unpriced.join(', ')})` : ''}`;
}

/** Where the model-call cache is, and what it ignored. */
function cacheNote(cache: ModelCalls['cache']): string {
  if (!cache) return '';
  return ` (cache: ${cache.where}${cache.corrupt > 0 ? `; ${cache.corrupt} corrupt entries ignored` : ''})`;
}

/** The run's model calls, per role and for the scorer; nothing when no model was called. */
export function modelCallLines(m: ModelCalls | undefined): string[] {
  if (!m || (Object.keys(m.roles).length === 0 && !m.scorer)) return [];
  const t = m.total;
  return [
    `  model calls: ${thousands(t.requests)} requests${m.cache || t.cached > 0 ? ` paid, ${thousands(t.cached)} answered from the cache` : ''}, ${thousands(t.promptTokens)} prompt + ${thousands(t.completionTokens)} completion tokens, ${t.errors} errors${cacheNote(m.cache)}${costNote(t.costUsd, t.unpriced)}`,
    ...Object.entries(m.roles).map(([role, c]) => callLine(role, c)),
    ...(m.scorer ? [callLine('scorer', m.scorer)] : []),
  ];
}

function printSummary(s: RunSummary & { models?: ModelCalls }): void {
  const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const lines = [
    `run ${s.run}: ${s.files} files, ${s.steps} steps in ${s.records} record${s.records === 1 ? '' : 's'} -> ${s.out}`,
    `  ${s.tokens} tokens (${s.trainTokens} trained on, ${s.maskedTokens} masked); ${s.trainChars} characters trained on, ${s.maskedChars} masked`,
    ...(s.outputs.length > 1 ? [`  shards: ${s.outputs.length}`] : []),
    ...(s.card.length > 0 ? [`  card: ${s.card[0]}`] : []),
    `  search: ${s.searches} refined steps, ${s.scorerCalls} scorer calls${s.models?.scorer ? ` (${s.models.scorer.requests} scoring requests sent)` : ''}, mean gain ${s.meanSearchReward === null ? 'n/a' : `${s.meanSearchReward.toFixed(4)} nats/token`}`,
    ...modelCallLines(s.models),
    `  debugging episodes: ${s.episodes.total} (${s.episodes.repaired} repaired)`,
    `  time: index ${secs(s.ms.index)}, plan ${secs(s.ms.plan)}, files ${secs(s.ms.files)}, verify ${secs(s.ms.verify)}, total ${secs(s.ms.total)}`,
  ];
  if (s.zeroTrainRecords > 0) lines.push(`  warning: ${s.zeroTrainRecords} records hold only masked tokens (an observation longer than --context-tokens allows beside the context)`);
  if (s.resumedResults > 0) lines.push(`  resumed: ${s.resumedResults} results taken from the checkpoint`);
  for (const k of s.skipped.slice(0, 20)) lines.push(`  warning: skipped ${k.path} (${k.reason})`);
  if (s.skipped.length > 20) lines.push(`  warning: ... and ${s.skipped.length - 20} more skipped files`);
  for (const f of s.failures) lines.push(`  error: ${f.job}: ${f.error}`);
  for (const d of s.deadLetters) {
    lines.push(`  warning: dead letter on ${d.queue ?? d.subject} (${d.reason} after ${d.deliveries} deliveries)${d.job ? ` for ${d.job}` : ''}: ${d.error}`);
  }
  for (const v of s.verify ?? []) {
    lines.push(
      v.ok
        ? `  verify: ${v.identical} files identical`
        : `  verify FAILED: ${v.different.length} different, ${v.missing.length} missing, ${v.extra.length} extra (${[...v.different, ...v.missing].slice(0, 5).join(', ')})`,
    );
  }
  process.stderr.write(lines.join('\n') + '\n');
}

export function register(program: Command): void {
  const run = program
    .command('run')
    .description('rebuild a repository with the agent team and write the trajectories as a dataset')
    .argument('[repo]', 'path of the repository (may be left out with --graph: the graph service has it)')
    .option('-o, --out <path>', 'dataset: a .jsonl, .jsonl.gz or .jsonl.zst file, or with --format parquet a directory of shards', undefined)
    .option('--format <format>', 'jsonl or parquet', 'jsonl')
    .option('--shard-tokens <n>', 'with --format parquet: tokens per shard')
    .option('--no-card', 'write no dataset card (README.md and plots) beside the output')
    .option('--nats <url>', 'run over NATS with the agents running there (comma-separated for a cluster)', (v: string, p: string[] = []) => [...p, ...v.split(',')])
    .option('--graph <name>', 'with --nats: take the repository from this graph service (retrace graph-service --name); agents then need no copy of it')
    .option('--spawn', 'with --nats: start one agent process per role for this run')
    .option('--resume', 'continue an interrupted run from its checkpoint')
    .option('--run-id <id>', 'run id (default: <repo>-s<seed>)')
    .option('--ack-wait <ms>', "with --nats: ack wait of the roles' queues (the same as the agents'; default 60000)")
    .option('--max-deliver <n>', 'with --nats: deliveries before a piece of work is dead-lettered (default 3)')
    .option('--trace <file>', 'where to record every message of the run (default: <out>.trace.jsonl)')
    .option('--no-trace', 'record no message trace');
  addRunSettingOptions(run)
    .option('--json', 'print the summary as JSON on stdout')
    .option('--log-level <level>', 'log level (logs go to stderr)', 'warn')
    .action(async (repoPath: string | undefined, o: RunCliOptions) => {
      const log = createLogger({ level: o.logLevel });
      const progress = progressBars(!o.json && process.stderr.isTTY === true);
      let summary: RunSummary;
      try {
        const repoName = repoPath !== undefined ? resolve(repoPath).split('/').pop() || 'repo' : (o.graph ?? 'repo');
        const opts: Parameters<typeof runJob>[0] = {
          ...(repoPath !== undefined ? { repoPath } : {}),
          out: resolve(o.out ?? (o.format === 'parquet' ? `${repoName}.retrace` : `${repoName}.retrace.jsonl`)),
          ...runSettingsFrom(o),
          format: parseFormat(o.format),
          ...(o.shardTokens !== undefined ? { shardTokens: int('--shard-tokens', o.shardTokens, 1) } : {}),
          card: o.card,
          resume: o.resume === true,
          log,
          progress,
        };
        if (o.trace !== false) opts.traceFile = resolve(typeof o.trace === 'string' ? o.trace : `${opts.out}.trace.jsonl`);
        if (o.nats) opts.nats = o.nats;
        if (o.spawn) opts.spawn = true;
        if (o.graph) opts.graph = o.graph;
        if (o.runId) opts.runId = o.runId;
        if (o.ackWait || o.maxDeliver) {
          opts.queue = { ackWaitMs: o.ackWait ? int('--ack-wait', o.ackWait, 1) : 60_000, maxDeliver: o.maxDeliver ? int('--max-deliver', o.maxDeliver, 1) : 3 };
        }
        if (o.spawn && !o.nats) throw new InputError('--spawn needs --nats');
        await preflight(opts);
        summary = await runJob(opts);
      } catch (err) {
        progress.stop();
        if (err instanceof InputError || err instanceof MissingAgentsError || err instanceof CheckpointMismatchError || err instanceof RepoUnavailableError) {
          process.stderr.write(`retrace run: ${err.message}\n`);
          process.exitCode = EXIT.input;
          return;
        }
        throw err;
      }
      progress.stop();
      if (o.json) process.stdout.write(JSON.stringify(summary) + '\n');
      else printSummary(summary);
      if (summary.verify?.some((v) => !v.ok)) process.exitCode = EXIT.mismatch;
      else if (summary.failures.length > 0) process.exitCode = EXIT.failures;
    });

  program
    .command('verify')
    .description('replay a dataset and check that it reproduces the repository byte for byte')
    .argument('<dataset>', 'dataset: .jsonl, .jsonl.gz, .jsonl.zst, a .parquet file or a directory of shards')
    .requiredOption('--repo <path>', 'the repository it was made from')
    .option('--json', 'print the report as JSON')
    .action(async (dataset: string, o: { repo: string; json?: boolean }) => {
      let reports;
      try {
        reports = await verifyDataset(dataset, resolve(o.repo));
      } catch (err) {
        process.stderr.write(`retrace verify: ${(err as Error).message}\n`);
        process.exitCode = EXIT.input;
        return;
      }
      if (o.json) process.stdout.write(JSON.stringify(reports) + '\n');
      for (const r of reports) {
        if (!o.json) {
          process.stdout.write(`${r.run}: ${r.records} records, ${r.steps} steps: ${r.ok ? `ok, ${r.identical} files identical` : 'MISMATCH'}\n`);
          for (const p of r.different) process.stdout.write(`  different: ${p}\n`);
          for (const p of r.missing) process.stdout.write(`  missing: ${p}\n`);
          for (const p of r.extra) process.stdout.write(`  extra: ${p}\n`);
        }
      }
      if (reports.some((r) => !r.ok)) process.exitCode = EXIT.mismatch;
    });
}
