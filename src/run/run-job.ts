/**
 * The main job: a repository in, a dataset out. Indexes the repository, starts (or finds) the
 * team, conducts the reconstruction, streams the dataset and the checkpoint as results arrive,
 * then verifies the dataset against the repository. The CLI (`retrace run`) is a thin shell on
 * this.
 */
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { buckets, MemoryBus, subjects, token, type Bus, type DeadLetter, type KvBucket, type Subscription } from '../bus/mod.ts';
import { decodeBody } from '../bus/envelope.ts';
import { connectWithEnv } from '../bus/env.ts';
import type { PolicySpec } from '../agents/policy.ts';
import { policyBucket } from '../agents/policy-store.ts';
import { ROLES, type RepoRef, type Role } from '../agents/types.ts';
import type { QueueSettings } from '../agents/host.ts';
import { Workspaces, type Workspace } from '../agents/workspace.ts';
import { LocalRefiner } from '../agents/refiner.ts';
import { OpenAIScorer, type Scorer } from '../search/score/mod.ts';
import { checkOutputSettings, DatasetOutput, DEFAULT_CONTEXT_TOKENS, OutputSettingsError, repoProvenance, untrainedFiles, type OutputSettings } from '../dataset/output.ts';
import type { TrainOptions } from '../dataset/trainable.ts';
import type { RepoProvenance } from '../dataset/record.ts';
import { computeStats } from '../stats/mod.ts';
import { verifyDataset, type RunVerification } from '../dataset/verify.ts';
import { silentLogger } from '../log/logger.ts';
import { startOtlpExport, otlpEndpointFromEnv, startRecorder, type OtlpExport, type Recorder } from '../trace/mod.ts';
import { Checkpoint } from './checkpoint.ts';
import { conduct } from './conductor.ts';
import { startTeam, type Team } from './embedded.ts';
import { repoName, type IndexOptions } from '../graph/mod.ts';

type IndexProgress = Parameters<NonNullable<IndexOptions['onProgress']>>[0];

export class InputError extends Error {
  override name = 'InputError';
}

export class MissingAgentsError extends Error {
  override name = 'MissingAgentsError';
}

export interface RunProgress {
  phase(name: 'index' | 'plan' | 'files' | 'verify', detail?: { total?: number }): void;
  file(done: number, total: number, path: string): void;
  /**
   * Indexing a local repository: source files settled (parsed or from the cache) of those found,
   * and the step it is at (indexRepo's `onProgress`; `walk`, `resolve` and `graph` come as 0 of 0).
   * Not called for a repository taken from a graph service.
   */
  index?(done: number, total: number, step: IndexProgress['phase']): void;
  /** Verifying: files replayed from the dataset, of the files it lists. */
  verify?(done: number, total: number): void;
}

export interface RunJobOptions {
  /** The repository on disk; may be left out with `graph` (the graph service has it). */
  repoPath?: string;
  /** Its name in the records and the run id; its folder's name by default. */
  name?: string;
  /** Where it came from, when git does not say (a copy without `.git`). */
  origin?: string;
  /** The commit it must be at: a checkout at another one is refused; a copy without git is taken as at it. */
  commit?: string;
  out: string;
  seed: number;
  budget: number;
  faultRate: number;
  /** No dataset record has more tokens than this (65,536 by default, the paper's context). */
  contextTokens?: number;
  /** `llama-3` (default), a Hugging Face tokenizer.json, or a directory holding one. */
  tokenizer?: string;
  /** Keep every record's token ids (`tokens.ids`). */
  tokenIds?: boolean;
  /** `jsonl` (default; `out` ends in .jsonl, .jsonl.gz or .jsonl.zst) or `parquet` (`out` is a directory of shards). */
  format?: 'jsonl' | 'parquet';
  /** Parquet: tokens per shard. */
  shardTokens?: number;
  /** Which files are trained on (lock files, generated, minified and large data files are not, by default). */
  train?: TrainOptions;
  /** Write the dataset card beside the output (`retrace run` does unless --no-card; here, only when asked). */
  card?: boolean;
  resume: boolean;
  runId?: string;
  policies?: Partial<Record<Role, PolicySpec>>;
  /** The scorer the search uses: embedded (default), or an OpenAI-compatible server. */
  scorer?: { kind: 'embedded' } | { kind: 'openai'; baseURL: string; model: string; apiKey?: string };
  /** NATS servers: run over them with the agents found there (or spawned, with `spawn`). */
  nats?: string[];
  /**
   * With `nats`: the graph service serving the repository (`retrace graph-service --name`). The
   * run and its agents take the index and the texts from it (agents need no copy of the repo);
   * the run pins the version it saw, so an agent reaching another version fails loudly.
   */
  graph?: string;
  spawn?: boolean;
  /**
   * Ack wait and deliveries of the roles' queues. Opening a queue sets them on the server, so they
   * must match the agents' (`retrace agent --ack-wait`); 60 s and 3 by default.
   */
  queue?: QueueSettings;
  verify?: boolean;
  /** Record every message of the run to this file (for `retrace trace`); none when absent. */
  traceFile?: string;
  log?: Logger;
  progress?: RunProgress;
}

export interface RunSummary {
  run: string;
  repo: string;
  out: string;
  files: number;
  steps: number;
  records: number;
  /** Exact tokens of all records under the run's tokenizer; trained and masked. */
  tokens: number;
  trainTokens: number;
  maskedTokens: number;
  trainChars: number;
  maskedChars: number;
  /**
   * Records with no trained token: parts of an observation longer than a record (a context
   * smaller than the largest file read); 0 unless `contextTokens` is small.
   */
  zeroTrainRecords: number;
  /** The files written: the dataset (one, or Parquet shards) and the card. */
  outputs: string[];
  card: string[];
  searches: number;
  scorerCalls: number;
  meanSearchReward: number | null;
  episodes: { total: number; repaired: number };
  failures: Array<{ job: string; error: string }>;
  /**
   * Messages of this run that went to a dead-letter subject while it ran (poison work, malformed
   * messages): what happened to them, and the job they named when they decode.
   */
  deadLetters: RunDeadLetter[];
  skipped: Array<{ path: string; reason: string }>;
  resumedResults: number;
  ms: { index: number; plan: number; files: number; verify: number; total: number; search: number; io: number };
  peakRssBytes: number;
  verify: RunVerification[] | null;
}

/** `run.status` on `retrace.<run>.event.run`: the run started, or ended (finished or failed). */
export const RUN_STATUS = 'run.status';
export interface RunStatus {
  run: string;
  status: 'started' | 'finished' | 'failed';
  repo: string;
  /** Files the run rebuilds. */
  files: number;
  attempt?: string;
  /** Pieces of work that failed (finished runs). */
  failures?: number;
  /** Why the run failed. */
  error?: string;
}

/** A run's entry in KV `retrace-runs` (key: the run id as a subject token). */
export interface RunManifest extends RunStatus {
  /** Files written so far. */
  done: number;
  /** ISO times: when the run started, when this entry was written. */
  started: string;
  updated: string;
  /** The file recording the run's messages, on the driver's machine (`retrace trace --nats --run` shows it). */
  trace?: string;
}

export interface RunDeadLetter {
  subject: string;
  queue?: string;
  reason: DeadLetter['reason'];
  error: string;
  deliveries: number;
  job?: string;
}

const now = () => performance.now();

/**
 * Provenance with what the caller states about the repository (a corpus manifest): its origin
 * and commit fill in what git does not know; a checkout at another commit than stated is refused.
 */
function withStatedOrigin(p: RepoProvenance, opts: Pick<RunJobOptions, 'origin' | 'commit' | 'repoPath'>): RepoProvenance {
  if (opts.commit !== undefined && p.commit !== null && !p.commit.startsWith(opts.commit)) {
    throw new InputError(`${opts.repoPath ?? 'the repository'} is at commit ${p.commit}, not ${opts.commit}: check it out at ${opts.commit} first`);
  }
  return { ...p, origin: p.origin ?? opts.origin ?? null, commit: p.commit ?? opts.commit ?? null };
}

/** Files left out of the rebuild and why: skipped by the graph, or not in the git repository. */
function skippedPaths(data: Workspace['graph']['data']): RunSummary['skipped'] {
  const all = [...data.skipped, ...(data.excluded ?? [])].map((s) => ({ path: s.path, reason: s.reason }));
  return all.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Collects the dead letters of `run` (by its run header, or a subject of the run) while it runs. */
function watchDeadLetters(bus: Bus, run: string): { letters: RunDeadLetter[]; sub: Subscription } {
  const letters: RunDeadLetter[] = [];
  const prefix = `retrace.${token(run)}.`;
  const sub = bus.subscribe<DeadLetter>('retrace-dlq.>', (m) => {
    const d = m.body;
    if (m.run !== run && !d.subject.startsWith(prefix)) return;
    const letter: RunDeadLetter = { subject: d.subject, reason: d.reason, error: d.error, deliveries: d.deliveryCount };
    if (d.queue) letter.queue = d.queue;
    try {
      const job = (decodeBody(d.data) as { job?: unknown } | undefined)?.job;
      if (typeof job === 'string') letter.job = job;
    } catch {
      // Undecodable: the letter says so in its reason.
    }
    letters.push(letter);
  });
  return { letters, sub };
}

function spawnAgents(urls: string[], log: Logger, queue?: QueueSettings): ChildProcess[] {
  const bin = resolve(import.meta.dirname, '../../bin/retrace.js');
  return ROLES.map((role) => {
    const q = queue ? ['--ack-wait', String(queue.ackWaitMs), '--max-deliver', String(queue.maxDeliver)] : [];
    const child = spawn(process.execPath, [bin, 'agent', role, '--nats', urls.join(','), ...q, '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code, signal) => log.debug({ role, code, signal }, 'spawned agent exited'));
    return child;
  });
}

async function waitForAgents(bus: Bus, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let missing: Role[] = [...ROLES];
  while (Date.now() < deadline) {
    const found = await bus.discover('retrace-agent', { timeoutMs: 300 });
    const roles = new Set(found.map((s) => s.endpoints[0]?.name.replace(/^status-/, '')));
    missing = ROLES.filter((r) => !roles.has(r));
    if (missing.length === 0) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new MissingAgentsError(`no ${missing.join(', ')} agent answers on the bus: start them with \`retrace agent <role> --nats URL\`, or pass --spawn`);
}

function openaiScorer(s: { baseURL: string; model: string; apiKey?: string }): Scorer {
  const o: ConstructorParameters<typeof OpenAIScorer>[0] = { model: s.model, endpoints: [s.baseURL] };
  const key = s.apiKey ?? process.env.OPENAI_API_KEY;
  if (key) o.apiKey = key;
  return new OpenAIScorer(o);
}

/**
 * Steps and search events are published without waiting, so they may trail the last result:
 * wait until the recorder has seen no new message for a moment (at most two seconds).
 */
async function settle(bus: Bus, count: () => number): Promise<void> {
  await bus.flush();
  let last = -1;
  for (let i = 0; i < 40 && count() !== last; i++) {
    last = count();
    await new Promise((r) => setTimeout(r, 50));
  }
}

function outputSettings(opts: RunJobOptions): OutputSettings {
  return {
    out: outPath(opts),
    format: opts.format ?? 'jsonl',
    ...(opts.shardTokens !== undefined ? { shardTokens: opts.shardTokens } : {}),
    tokenizer: opts.tokenizer ?? 'llama-3',
    contextTokens: opts.contextTokens ?? DEFAULT_CONTEXT_TOKENS,
    tokenIds: opts.tokenIds === true,
    train: opts.train ?? {},
    card: opts.card === true,
  };
}

/** The output path without a trailing slash (a Parquet directory may be given as `out/`). */
const outPath = (opts: Pick<RunJobOptions, 'out'>): string => opts.out.replace(/(.)\/+$/, '$1');

export async function runJob(opts: RunJobOptions): Promise<RunSummary> {
  const log = opts.log ?? silentLogger;
  const t0 = now();
  if (opts.graph && !(opts.nats && opts.nats.length > 0)) throw new InputError('--graph names a graph service on NATS: it needs --nats');
  if (opts.repoPath === undefined && !opts.graph) throw new InputError("give the repository's path, or --graph NAME (a graph service serving it) with --nats");
  // Without a path the repository is only on the graph service's machine: it is named after the
  // service, and its root there is filled in from the service's snapshot.
  const root = opts.repoPath === undefined ? undefined : resolve(opts.repoPath);
  if (root !== undefined && !existsSync(root)) throw new InputError(`no such repository: ${opts.repoPath}`);
  if (root !== undefined && !statSync(root).isDirectory()) throw new InputError(`not a directory: ${opts.repoPath}`);
  const name = opts.name ?? (root !== undefined ? repoName(root) : opts.graph!);
  const where = root ?? `graph:${opts.graph}`;
  const run = opts.runId ?? `${name}-s${opts.seed}`;
  const repo: RepoRef = { name, root: where };
  const output = outputSettings(opts);
  let tokenizer: Awaited<ReturnType<typeof checkOutputSettings>>;
  try {
    tokenizer = await checkOutputSettings(output);
  } catch (err) {
    if (err instanceof OutputSettingsError) throw new InputError(err.message);
    throw err;
  }

  opts.progress?.phase('index');
  // Indexing progress goes to the display only while the run indexes (the team's workspaces are
  // these, and never index this repository again while it holds them).
  let onIndex = opts.progress?.index?.bind(opts.progress);
  let workspaces = new Workspaces(onIndex ? { onIndexProgress: (p) => onIndex?.(p.done, p.total, p.phase) } : {});
  let ws: Workspace | undefined;
  const emptyRepo = (w: Workspace) =>
    new InputError(`${opts.repoPath ?? opts.graph} has no files to rebuild${w.graph.data.skipped.length ? ` (${w.graph.data.skipped.length} skipped)` : ''}`);
  if (!opts.graph) {
    ws = await workspaces.get(repo);
    if (ws.order.length === 0) throw emptyRepo(ws);
    // The version the run works on: agents whose copy differs refuse the work.
    repo.digest = ws.digest();
  }
  onIndex = undefined;
  const tIndex = now();

  let bus: Bus | undefined;
  let team: Team | undefined;
  const refiner = new LocalRefiner(opts.scorer?.kind === 'openai' ? { scorer: openaiScorer(opts.scorer), batchSize: 8 } : {});
  let ioMs = 0;
  let children: ChildProcess[] = [];
  let recorder: Recorder | undefined;
  let otlp: OtlpExport | undefined;
  // Whatever was started is stopped on every way out, so a failed run never leaves the process
  // hanging on an open connection or orphaned agent processes.
  let dead: ReturnType<typeof watchDeadLetters> | undefined;
  const release = async (): Promise<void> => {
    await team?.stop().catch(() => {});
    if (recorder && bus) await settle(bus, () => recorder!.count);
    else if (dead && bus) await bus.flush().catch(() => {});
    await dead?.sub.unsubscribe().catch(() => {});
    await recorder?.stop().catch(() => {});
    await otlp?.stop().catch(() => {});
    for (const c of children) c.kill('SIGTERM');
    await bus?.close().catch(() => {});
  };
  const policies: Record<string, string> = {};
  try {
    if (opts.nats && opts.nats.length > 0) {
      if (opts.scorer?.kind === 'openai') throw new InputError('--scorer openai with --nats: the agent processes search with their own scorer; start them with it');
      bus = await connectWithEnv(opts.nats, log, `retrace-run-${run}`);
      if (opts.graph) {
        repo.graph = opts.graph;
        workspaces = new Workspaces({ bus });
        ws = await workspaces.get(repo);
        if (ws.order.length === 0) throw emptyRepo(ws);
        repo.digest = ws.repo.digest!;
        if (root === undefined) repo.root = ws.graph.root;
      }
      if (opts.spawn) children = spawnAgents(opts.nats, log, opts.queue);
      await waitForAgents(bus, opts.spawn ? 60_000 : 3_000);
    } else {
      bus = new MemoryBus();
      const teamOpts: Parameters<typeof startTeam>[0] = { bus, workspaces, log, refiner };
      if (opts.policies) teamOpts.policies = opts.policies;
      team = await startTeam(teamOpts);
    }
    if (team) for (const [role, src] of team.policies) policies[role] = src.current().tag;
    else {
      const kv = await policyBucket(bus);
      for (const role of ROLES) {
        const e = await kv.get(role);
        policies[role] = e ? `${e.value?.id}@${e.revision}` : 'grounded@0';
      }
    }
    dead = watchDeadLetters(bus, run);
    if (opts.traceFile) recorder = await startRecorder(bus, run, opts.traceFile);
    if (otlpEndpointFromEnv()) otlp = startOtlpExport(bus, run);
  } catch (err) {
    await release();
    throw err;
  }
  const runBus: Bus = bus;
  if (!ws) throw new Error('unreachable: no workspace');

  const languages: Record<string, number> = {};
  for (const f of ws.graph.data.files) if (f.language) languages[f.language] = (languages[f.language] ?? 0) + 1;
  const checkpointPath = `${output.out}.checkpoint`;
  let checkpoint: Checkpoint;
  try {
    checkpoint = Checkpoint.open(
      checkpointPath,
      { checkpoint: 1, run, repo: where, seed: opts.seed, budget: opts.budget, faultRate: opts.faultRate, policies, attempt: randomBytes(6).toString('hex') },
      opts.resume,
    );
  } catch (err) {
    await release();
    throw err;
  }
  const served = ws;
  const facts = { name, languages, order: ws.order, read: (p: string) => served.read(p), ...(root !== undefined ? { root } : {}), ...(ws.servedGit ? { git: ws.servedGit } : {}) };
  let provenance: RepoProvenance;
  try {
    provenance = withStatedOrigin(await repoProvenance(facts), opts);
  } catch (err) {
    checkpoint.close();
    await release();
    throw err;
  }
  const writer = new DatasetOutput(output, tokenizer, {
    repo: provenance,
    run: {
      id: run,
      seed: opts.seed,
      budget: opts.budget,
      fault_rate: opts.faultRate,
      scorer: opts.scorer?.kind === 'openai' ? { kind: 'openai', model: opts.scorer.model } : { kind: 'embedded', model: null },
      search: opts.budget > 0 ? { method: 'mcts', batch: 8 } : null,
    },
    untrained: untrainedFiles(facts, output.train),
  });

  let searches = 0;
  let scorerCalls = 0;
  let rewardSum = 0;
  let filesDone = 0;
  let tPlanned = 0;
  const total = ws.order.length;
  opts.progress?.phase('plan');
  // The run's own events: who follows it (`retrace trace --nats --run`) sees it start and end.
  // Over NATS the run also keeps its manifest in KV `retrace-runs` (what `retrace runs` lists):
  // its last status, and files done, updated at most once a second while it runs.
  let manifests: KvBucket<RunManifest> | undefined;
  if (opts.nats && opts.nats.length > 0) {
    manifests = await runBus.kv<RunManifest>(buckets.runs).catch((err: unknown) => {
      log.warn({ err }, 'no run manifest: the retrace-runs bucket cannot be opened');
      return undefined;
    });
  }
  const started = new Date().toISOString();
  let lastStatus: RunStatus | undefined;
  let lastPut = 0;
  let puts: Promise<unknown> = Promise.resolve();
  const putManifest = (s: RunStatus): void => {
    if (!manifests) return;
    const m: RunManifest = { ...s, done: filesDone, started, updated: new Date().toISOString(), ...(opts.traceFile ? { trace: resolve(opts.traceFile) } : {}) };
    const kv = manifests;
    lastPut = Date.now();
    // One after the other, so the last written is the newest.
    puts = puts.then(() => kv.put(token(run), m)).catch((err: unknown) => log.warn({ err }, 'run manifest not written'));
  };
  const status = async (body: RunStatus) => {
    lastStatus = body;
    putManifest(body);
    await runBus.publish(subjects.event(run, 'run'), { type: RUN_STATUS, body, run, sender: 'run' }).catch(() => {});
  };
  const about = { run, repo: name, files: total, ...(checkpoint.attempt ? { attempt: checkpoint.attempt } : {}) };
  await status({ ...about, status: 'started' });
  let ended: RunStatus = { ...about, status: 'failed' };
  let record: Awaited<ReturnType<typeof conduct>>;
  let finished: Awaited<ReturnType<DatasetOutput['finish']>>;
  try {
    record = await conduct({
      bus: runBus,
      workspaces,
      run,
      repo,
      seed: opts.seed,
      budget: opts.budget,
      faultRate: opts.faultRate,
      log,
      keepSteps: false,
      ...(opts.queue ? { queue: opts.queue } : {}),
      replayed: (job) => checkpoint.take(job),
      ...(checkpoint.attempt ? { attempt: checkpoint.attempt } : {}),
      onResult: (r, how) => {
        const tIo = now();
        if (!how.replayed) checkpoint.record(r);
        writer.add(r.steps);
        ioMs += now() - tIo;
        for (const s of r.steps) {
          if (!s.search) continue;
          searches++;
          scorerCalls += s.search.scorerCalls;
          rewardSum += s.search.reward;
        }
        if (r.role === 'architect' || r.role === 'planner') return;
        if (tPlanned === 0) {
          tPlanned = now();
          opts.progress?.phase('files', { total });
        }
        if ((r.role === 'coder' || (r.role === 'tester' && r.job.startsWith('tester:write:'))) && r.steps[0]?.path) {
          filesDone++;
          opts.progress?.file(filesDone, total, r.steps[0].path);
          if (lastStatus && Date.now() - lastPut >= 1000) putManifest(lastStatus);
        }
      },
    });
    const tOut = now();
    finished = await writer.finish(async (files) => {
      // The card's fidelity figures; a card without them beats no dataset.
      try {
        return (await computeStats(files)).total;
      } catch (err) {
        log.warn({ err }, 'dataset card without fidelity figures: retrace stats failed on the output');
        return undefined;
      }
    });
    ioMs += now() - tOut;
    ended = { ...about, status: 'finished', failures: record.failures.length };
  } catch (err) {
    ended.error = err instanceof Error ? err.message : String(err);
    writer.abandon();
    throw err;
  } finally {
    await status(ended);
    await puts;
    checkpoint.close();
    await release();
  }
  const tFiles = now();
  // The run is complete: its checkpoint has served its purpose.
  rmSync(checkpointPath, { force: true });

  let verification: RunVerification[] | null = null;
  if (opts.verify !== false) {
    opts.progress?.phase('verify');
    const onVerify = opts.progress?.verify?.bind(opts.progress);
    // With a graph service, against what it serves (the repository the run rebuilt); else the disk.
    const against = opts.graph ? { files: served.graph.data.files.map((f) => f.path), read: (p: string) => Buffer.from(served.read(p), 'utf8') } : root!;
    verification = await verifyDataset(output.out, against, onVerify ? { onProgress: onVerify } : {});
  }
  const tEnd = now();
  return {
    run,
    repo: where,
    out: output.out,
    files: record.files.length,
    steps: finished.steps,
    records: finished.records,
    tokens: finished.tokens,
    trainTokens: finished.trainTokens,
    maskedTokens: finished.maskedTokens,
    trainChars: finished.trainChars,
    maskedChars: finished.maskedChars,
    zeroTrainRecords: finished.zeroTrainRecords,
    outputs: finished.files,
    card: finished.card,
    searches,
    scorerCalls,
    meanSearchReward: searches > 0 ? rewardSum / searches : null,
    episodes: { total: record.episodes.length, repaired: record.episodes.filter((e) => e.repaired).length },
    failures: record.failures,
    deadLetters: dead?.letters ?? [],
    skipped: skippedPaths(ws.graph.data),
    resumedResults: checkpoint.resumed,
    ms: {
      index: tIndex - t0,
      plan: (tPlanned || tFiles) - tIndex,
      files: tFiles - (tPlanned || tFiles),
      verify: tEnd - tFiles,
      total: tEnd - t0,
      search: refiner.stats.ms,
      io: ioMs,
    },
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    verify: verification,
  };
}
