/**
 * `retrace corpus`: many repositories in, shards, a manifest and a card out, on one machine.
 *
 * Each repository is rebuilt in a worker process of its own (`--jobs` at once), exactly as
 * `retrace run` would rebuild it; its records and outcome land in `<out-dir>/repos/<key>/`
 * (state.ts). A failed repository is recorded and the others go on. When every repository has an
 * outcome, the finished ones are packed, in input order, into the shards (pack.ts). Running the
 * same command again skips finished repositories, resumes interrupted ones from their checkpoints,
 * retries failed ones, and packs the same shards.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import pLimit from 'p-limit';
import type { RunSettings } from '../cli/run-options.ts';
import { checkOutputSettings, OutputSettingsError } from '../dataset/output.ts';
import { InputError } from '../run/run-job.ts';
import { NgramFilter, readExcludedTexts } from './dedup.ts';
import { corpusEntries, type CorpusEntry } from './inputs.ts';
import { packCorpus, type Packed } from './pack.ts';
import { CorpusFolder, type RepoOutcome } from './state.ts';
import { isWorkerMessage, type RepoFailure, type RepoRunFigures, type WorkerJob, type WorkerMessage } from './worker-protocol.ts';

export interface CorpusOptions {
  inputs: string[];
  outDir: string;
  settings: RunSettings;
  /** Repositories rebuilt at once, each in its own process. */
  jobs: number;
  format: 'jsonl' | 'parquet';
  shardTokens?: number;
  card: boolean;
  /** Files of texts whose 13-grams no trained file may share (`--exclude-ngrams`). */
  excludeNgrams?: string[];
  /** A repository still running after this long is stopped and recorded as failed (0: no limit). */
  repoTimeoutMs?: number;
  logLevel?: string;
  progress?: CorpusProgress;
}

export interface CorpusProgress {
  /** Before any work: repositories in all, and those already finished by an earlier run. */
  start(total: number, finished: number): void;
  repoFile?(entry: CorpusEntry, done: number, total: number): void;
  repoEnded(outcome: RepoOutcome, wasRun: boolean): void;
  packing?(done: number, total: number): void;
}

export interface CorpusSummary {
  outDir: string;
  repositories: number;
  /** Finished now, or by an earlier run of the same corpus (`alreadyFinished` of them). */
  finished: number;
  alreadyFinished: number;
  failed: Array<{ key: string; path: string } & RepoFailure>;
  files: number;
  records: number;
  tokens: number;
  trainTokens: number;
  outputs: string[];
  card: string[];
  manifest: string;
  /** Files the shards replay but do not train on, beyond their repository's own rules. */
  masked: { duplicate: number; contaminated: number; list: string };
  ms: number;
}

const WORKER_BIN = resolve(import.meta.dirname, '../../bin/retrace.js');

export async function runCorpus(opts: CorpusOptions): Promise<CorpusSummary> {
  const t0 = performance.now();
  if (!Number.isInteger(opts.jobs) || opts.jobs < 1) throw new InputError(`--jobs must be an integer >= 1, got ${opts.jobs}`);
  const entries = corpusEntries(opts.inputs);
  await checkSettings(opts);
  const exclude = new NgramFilter(readExcludedTexts(opts.excludeNgrams ?? []));
  const folder = new CorpusFolder(resolve(opts.outDir));
  folder.open(corpusFingerprint(opts));
  const unlock = folder.lock();
  try {
    const { outcomes, alreadyFinished } = await rebuildAll(folder, entries, opts);
    const finished = entries.filter((_, i) => outcomes[i]!.status === 'finished');
    const packed = await packCorpus(folder, finished, {
      format: opts.format,
      card: opts.card,
      exclude,
      ...(opts.shardTokens ? { shardTokens: opts.shardTokens } : {}),
      ...(opts.progress?.packing ? { onRepo: opts.progress.packing.bind(opts.progress) } : {}),
    });
    const manifest = folder.writeManifest(outcomes);
    folder.writeMasked(packed.masked);
    return { ...summarise(folder, outcomes, packed, manifest, performance.now() - t0), alreadyFinished };
  } finally {
    unlock();
  }
}

/** The tokenizer and the output options are checked before any repository is started. */
async function checkSettings(opts: CorpusOptions): Promise<void> {
  try {
    await checkOutputSettings({
      out: resolve(opts.outDir, 'repos', 'check.jsonl.gz'),
      format: 'jsonl',
      tokenizer: opts.settings.tokenizer,
      contextTokens: opts.settings.contextTokens,
      tokenIds: opts.settings.tokenIds,
      train: opts.settings.train,
      card: false,
    });
  } catch (err) {
    if (err instanceof OutputSettingsError) throw new InputError(err.message);
    throw err;
  }
}

/** What decides the shards' bytes; a rerun into the same folder must agree on all of it. */
function corpusFingerprint(opts: CorpusOptions): object {
  const { verify: _verify, ...records } = opts.settings;
  return { corpus: 1, ...records, format: opts.format, shardTokens: opts.shardTokens ?? null };
}

async function rebuildAll(folder: CorpusFolder, entries: readonly CorpusEntry[], opts: CorpusOptions): Promise<{ outcomes: RepoOutcome[]; alreadyFinished: number }> {
  const done = entries.map((e) => (folder.isFinished(e) ? folder.outcome(e) : undefined));
  const alreadyFinished = done.filter(Boolean).length;
  opts.progress?.start(entries.length, alreadyFinished);
  for (const o of done) if (o) opts.progress?.repoEnded(o, false);
  const limit = pLimit(opts.jobs);
  const outcomes = await Promise.all(
    entries.map((entry, i) =>
      done[i]
        ? Promise.resolve(done[i]!)
        : limit(async () => {
            folder.clearOutcome(entry);
            const outcome = await rebuildOne(folder, entry, opts);
            folder.saveOutcome(outcome);
            opts.progress?.repoEnded(outcome, true);
            return outcome;
          }),
    ),
  );
  return { outcomes, alreadyFinished };
}

function outcomeOf(entry: CorpusEntry, m: Exclude<WorkerMessage, { type: 'file' }>): RepoOutcome {
  const base = { key: entry.key, name: entry.name, path: entry.path, ...(entry.origin ? { origin: entry.origin } : {}), ...(entry.commit ? { commit: entry.commit } : {}) };
  const figures = m.figures ? { figures: m.figures } : {};
  return m.type === 'finished' ? { ...base, status: 'finished', ...figures } : { ...base, status: 'failed', ...figures, error: m.error };
}

/** One repository in one worker process; its outcome, whatever happens to the process. */
function rebuildOne(folder: CorpusFolder, entry: CorpusEntry, opts: CorpusOptions): Promise<RepoOutcome> {
  const job: WorkerJob = {
    type: 'job',
    entry,
    out: folder.recordsFile(entry.key),
    settings: opts.settings,
    ...(entry.key !== entry.name ? { runId: `${entry.key}-s${opts.settings.seed}` } : {}),
    logLevel: opts.logLevel ?? 'warn',
  };
  return new Promise((resolveOutcome) => {
    const child = fork(WORKER_BIN, ['corpus-worker'], { execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    const stderr = tail(child);
    let answer: Exclude<WorkerMessage, { type: 'file' }> | undefined;
    const timer = opts.repoTimeoutMs ? setTimeout(() => stop(child, { class: 'Timeout', message: `still running after ${opts.repoTimeoutMs} ms; stopped` }), opts.repoTimeoutMs) : undefined;
    const stop = (c: ChildProcess, error: RepoFailure) => {
      answer ??= { type: 'failed', error };
      c.kill('SIGKILL');
    };
    child.on('message', (m: unknown) => {
      if (!isWorkerMessage(m)) return;
      if (m.type === 'file') opts.progress?.repoFile?.(entry, m.done, m.total);
      else answer ??= m;
    });
    child.once('spawn', () => child.send(job));
    child.once('error', (err) => stop(child, { class: 'SpawnFailed', message: err.message }));
    child.once('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolveOutcome(outcomeOf(entry, answer ?? { type: 'failed', error: crashed(code, signal, stderr()) }));
    });
  });
}

function crashed(code: number | null, signal: NodeJS.Signals | null, stderr: string): RepoFailure {
  const how = signal ? `killed by ${signal}` : `exited with code ${code}`;
  return { class: 'Crashed', message: `the worker process ${how} before answering${stderr ? `: ${stderr}` : ''}` };
}

/** The last 2,000 characters the child wrote to stderr, for a crash's message. */
function tail(child: ChildProcess): () => string {
  let text = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (d: string) => {
    text = (text + d).slice(-2000);
  });
  return () => text.trim();
}

function summarise(folder: CorpusFolder, outcomes: readonly RepoOutcome[], packed: Packed, manifest: string, ms: number): CorpusSummary {
  const figures = (o: RepoOutcome): RepoRunFigures | undefined => (o.status === 'finished' ? o.figures : undefined);
  return {
    outDir: folder.dir,
    repositories: outcomes.length,
    finished: outcomes.filter((o) => o.status === 'finished').length,
    alreadyFinished: 0,
    failed: outcomes.filter((o) => o.status === 'failed').map((o) => ({ key: o.key, path: o.path, ...o.error! })),
    files: outcomes.reduce((n, o) => n + (figures(o)?.files ?? 0), 0),
    records: packed.records,
    tokens: packed.tokens,
    trainTokens: packed.trainTokens,
    outputs: packed.files,
    card: packed.card,
    manifest,
    masked: {
      duplicate: packed.masked.filter((m) => m.reason === 'duplicate').length,
      contaminated: packed.masked.filter((m) => m.reason === 'contaminated').length,
      list: folder.maskedFile(),
    },
    ms,
  };
}
