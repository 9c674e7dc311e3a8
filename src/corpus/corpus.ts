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
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import pLimit from 'p-limit';
import type { RunSettings } from '../cli/run-options.ts';
import { checkOutputSettings, OutputSettingsError } from '../dataset/output.ts';
import { InputError } from '../run/run-job.ts';
import type { Job } from '../bus/mod.ts';
import { ClusterCorpus, keepAlive, type ClusterSettings } from './cluster.ts';
import { NgramFilter, readExcludedTexts } from './dedup.ts';
import { corpusEntries, type CorpusEntry } from './inputs.ts';
import { packCorpus, type Packed } from './pack.ts';
import { CorpusFolder, type RepoOutcome } from './state.ts';
import { rebuildOne, type RebuildOptions } from './rebuild.ts';
import type { RepoFailure, RepoRunFigures } from './worker-protocol.ts';
import { sumModelCalls, type ModelCalls } from '../accounting/model-calls.ts';

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
  /** Each worker's V8 heap in MiB; a repository that needs more fails as Crashed. */
  workerHeapMb?: number;
  logLevel?: string;
  progress?: CorpusProgress;
  /** Share the corpus over NATS with any other drivers of it (cluster.ts). */
  cluster?: ClusterSettings;
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
  /** Model calls of every repository rebuilt (failed ones included), added up; absent when no model was called. */
  models?: ModelCalls;
}

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
    const { outcomes, alreadyFinished } = opts.cluster ? await rebuildOnCluster(folder, entries, opts, opts.cluster) : await rebuildAll(folder, entries, opts);
    const finished = entries.filter((_, i) => outcomes[i]!.status === 'finished');
    const models = sumModelCalls(outcomes.map((o) => o.figures?.models));
    const packed = await packCorpus(folder, finished, {
      ...(models ? { models } : {}),
      format: opts.format,
      card: opts.card,
      exclude,
      ...(opts.shardTokens ? { shardTokens: opts.shardTokens } : {}),
      ...(opts.progress?.packing ? { onRepo: opts.progress.packing.bind(opts.progress) } : {}),
    });
    const manifest = folder.writeManifest(outcomes);
    folder.writeMasked(packed.masked);
    return { ...summarise(folder, outcomes, packed, manifest, performance.now() - t0), alreadyFinished, ...(models ? { models } : {}) };
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

/**
 * What decides the shards' bytes; a rerun into the same folder must agree on all of it. It is
 * written to corpus.json and, on a cluster, to KV: a policy's `apiKey` param is never in it (a
 * key changes no byte of the records; its SHA-256 stands in, so a changed key is still seen).
 */
export function corpusFingerprint(opts: Pick<CorpusOptions, 'settings' | 'format' | 'shardTokens'>): object {
  // Where model calls are cached, how fast they go and what they cost change no byte of the records.
  const { verify: _verify, policies, models: _models, prices: _prices, ...records } = opts.settings;
  const safe = Object.fromEntries(Object.entries(policies).map(([role, spec]) => [role, withoutKey(spec)]));
  return { corpus: 1, ...records, policies: safe, format: opts.format, shardTokens: opts.shardTokens ?? null };
}

function withoutKey<T extends { params?: Record<string, unknown> }>(spec: T | undefined): T | undefined {
  const key = spec?.params?.apiKey;
  if (spec === undefined || typeof key !== 'string') return spec;
  return { ...spec, params: { ...spec.params, apiKey: `sha256:${createHash('sha256').update(key).digest('hex').slice(0, 16)}` } };
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
            const outcome = await rebuildOne(folder, entry, rebuildOptions(opts));
            folder.saveOutcome(outcome);
            opts.progress?.repoEnded(outcome, true);
            return outcome;
          }),
    ),
  );
  return { outcomes, alreadyFinished };
}

/**
 * The repositories of a corpus shared on NATS: this driver takes its share of the jobs until
 * every repository has an outcome (from any driver), then fetches the records it did not make.
 */
async function rebuildOnCluster(folder: CorpusFolder, entries: readonly CorpusEntry[], opts: CorpusOptions, cluster: ClusterSettings): Promise<{ outcomes: RepoOutcome[]; alreadyFinished: number }> {
  const corpus = await ClusterCorpus.join(cluster, corpusFingerprint(opts), entries);
  try {
    const earlier = new Set<string>();
    for (const e of entries) if ((await corpus.outcomes.get(e.key))?.value?.status === 'finished') earlier.add(e.key);
    opts.progress?.start(entries.length, earlier.size);
    await corpus.enqueueUnfinished(entries);
    const byKey = new Map(entries.map((e) => [e.key, e]));
    const consumer = corpus.queue.consume<CorpusEntry>((job) => rebuildJob(job, byKey, folder, corpus, opts, cluster.ackWaitMs ?? 60_000), { concurrency: opts.jobs });
    let outcomes: RepoOutcome[];
    try {
      outcomes = await corpus.allOutcomes(entries, (o) => opts.progress?.repoEnded(o, !earlier.has(o.key)));
    } finally {
      await consumer.stop();
    }
    for (const o of outcomes) {
      if (o.status === 'finished' && !(await corpus.download(o.key, 'records.jsonl.gz', folder.recordsFile(o.key)))) {
        throw new Error(`corpus ${corpus.id}: ${o.key} is finished but its records are not in the object store`);
      }
      folder.saveOutcome(o);
    }
    return { outcomes, alreadyFinished: earlier.size };
  } finally {
    await corpus.close();
  }
}

/** One repository's job: rebuilt here unless another driver has already given it an outcome. */
async function rebuildJob(job: Job<CorpusEntry>, byKey: ReadonlyMap<string, CorpusEntry>, folder: CorpusFolder, corpus: ClusterCorpus, opts: CorpusOptions, ackWaitMs: number): Promise<void> {
  const entry = byKey.get(job.body.key);
  if (!entry || entry.path !== job.body.path) return;
  if ((await corpus.outcomes.get(entry.key))?.value) return;
  folder.clearOutcome(entry);
  const checkpoint = `${folder.recordsFile(entry.key)}.checkpoint`;
  // Another driver's progress on it, when one died on it.
  await corpus.download(entry.key, 'checkpoint', checkpoint);
  const stop = keepAlive(job, corpus, entry.key, checkpoint, ackWaitMs);
  let outcome: RepoOutcome;
  try {
    outcome = { ...(await rebuildOne(folder, entry, rebuildOptions(opts))), driver: `${hostname()}:${process.pid}` };
  } finally {
    await stop();
  }
  if (outcome.status === 'finished') await corpus.upload(entry.key, 'records.jsonl.gz', folder.recordsFile(entry.key));
  await corpus.outcomes.put(entry.key, outcome);
  await corpus.objects.delete(`${entry.key}/checkpoint`);
}

function rebuildOptions(opts: CorpusOptions): RebuildOptions {
  return {
    settings: opts.settings,
    ...(opts.repoTimeoutMs ? { repoTimeoutMs: opts.repoTimeoutMs } : {}),
    ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
    ...(opts.workerHeapMb ? { workerHeapMb: opts.workerHeapMb } : {}),
    ...(opts.progress?.repoFile ? { onFile: opts.progress.repoFile.bind(opts.progress) } : {}),
  };
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
