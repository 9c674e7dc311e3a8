/**
 * `retrace corpus --nats URL`: one corpus shared by any number of drivers on any machines.
 *
 * The corpus is named by what decides its bytes (settings and repositories) unless `--corpus`
 * names it, so drivers given the same command join the same corpus. On NATS:
 *
 *   KV `retrace-corpora`, key <id>          what the corpus is (settings, repositories)
 *   work queue `retrace-corpus-<id>`       one job per repository still to rebuild
 *   KV `retrace-corpus-<id>`, key <repo>   each repository's outcome (finished or failed)
 *   objects `retrace-corpus-<id>`          <repo>/records.jsonl.gz, <repo>/checkpoint
 *
 * A driver takes repositories from the queue (`--jobs` at once), rebuilds each in a worker
 * process exactly as on one machine, heartbeats while it runs and uploads its checkpoint; a
 * driver that dies leaves its repository unacknowledged, so it is delivered again after the ack
 * wait and resumed from the last checkpoint uploaded. Records are uploaded before the outcome
 * says finished. When every repository has an outcome, each driver downloads the records and
 * packs them as a single machine would: every driver's shards are the single-machine shards.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { KvConflictError, type Bus, type Job, type KvBucket, type ObjectBucket, type WorkQueue } from '../bus/mod.ts';
import { connectWithEnv } from '../bus/env.ts';
import { silentLogger } from '../log/logger.ts';
import { InputError } from '../run/run-job.ts';
import type { CorpusEntry } from './inputs.ts';
import type { CorpusFolder, RepoOutcome } from './state.ts';

export const CORPORA_BUCKET = 'retrace-corpora';
export const REPO_JOB = 'corpus.repo';

/** A corpus as KV `retrace-corpora` holds it: every driver of it must agree. */
export interface CorpusRecord {
  id: string;
  fingerprint: object;
  entries: Array<Pick<CorpusEntry, 'key' | 'path'>>;
  created: string;
}

export interface ClusterSettings {
  nats: string[];
  /** The corpus's name on the cluster; derived from its settings and repositories when absent. */
  corpus?: string;
  /** A repository's job goes back to the queue this long after its driver last heartbeat. */
  ackWaitMs?: number;
  log?: Logger;
}

/** What a corpus run needs from the cluster: its jobs, its outcomes, its objects. */
export class ClusterCorpus {
  private constructor(
    readonly id: string,
    private readonly bus: Bus,
    readonly queue: WorkQueue,
    readonly outcomes: KvBucket<RepoOutcome>,
    readonly objects: ObjectBucket,
  ) {}

  static async join(settings: ClusterSettings, fingerprint: object, entries: readonly CorpusEntry[]): Promise<ClusterCorpus> {
    const id = settings.corpus ?? corpusId(fingerprint, entries);
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new InputError(`--corpus: "${id}" is not a name (letters, digits, - and _; 64 at most)`);
    const bus = await connectWithEnv(settings.nats, settings.log ?? silentLogger, `retrace-corpus-${id}`);
    try {
      await register(bus, { id, fingerprint, entries: entries.map((e) => ({ key: e.key, path: e.path })), created: new Date().toISOString() });
      const ackWaitMs = settings.ackWaitMs ?? 60_000;
      const name = `retrace-corpus-${id}`;
      const queue = await bus.workQueue(name, { subjects: [`retrace.corpus.${id}.repo`], ackWaitMs, maxDeliver: 10 });
      return new ClusterCorpus(id, bus, queue, await bus.kv<RepoOutcome>(name), await bus.objects(name));
    } catch (err) {
      await bus.close().catch(() => {});
      throw err;
    }
  }

  /** Queues every repository without a finished outcome (a failed one is tried again). */
  async enqueueUnfinished(entries: readonly CorpusEntry[]): Promise<number> {
    let queued = 0;
    for (const entry of entries) {
      const held = await this.outcomes.get(entry.key);
      if (held?.value?.status === 'finished') continue;
      if (held) await this.outcomes.delete(entry.key);
      // Drivers starting together queue each repository once; a retry of a failure is a new job.
      const msgId = `${this.id}.${entry.key}${held ? `.retry-${held.revision}` : ''}`;
      const r = await this.queue.enqueue(`retrace.corpus.${this.id}.repo`, { type: REPO_JOB, body: entry, sender: 'corpus' }, { msgId });
      if (!r.duplicate) queued++;
    }
    return queued;
  }

  /** Resolves when every repository has an outcome, with them in entry order. */
  async allOutcomes(entries: readonly CorpusEntry[], onOutcome?: (o: RepoOutcome) => void): Promise<RepoOutcome[]> {
    const found = new Map<string, RepoOutcome>();
    const watch = await this.outcomes.watch();
    try {
      for await (const e of watch) {
        if (e.operation === 'DEL' || !e.value) found.delete(e.key);
        else if (!found.has(e.key)) {
          found.set(e.key, e.value);
          onOutcome?.(e.value);
        }
        if (entries.every((x) => found.has(x.key))) break;
      }
    } finally {
      watch.stop();
    }
    return entries.map((e) => found.get(e.key)!);
  }

  /** Uploads a local file (records, a checkpoint) as `<repo>/<what>`. */
  async upload(key: string, what: string, file: string): Promise<void> {
    await this.objects.put(`${key}/${what}`, createReadStream(file));
  }

  /** Downloads `<repo>/<what>` to `file`; false when there is no such object. */
  async download(key: string, what: string, file: string): Promise<boolean> {
    const data = await this.objects.get(`${key}/${what}`);
    if (!data) return false;
    mkdirSync(dirname(file), { recursive: true });
    await pipeline(Readable.from(data), createWriteStream(file));
    return true;
  }

  async close(): Promise<void> {
    await this.bus.close();
  }
}

/** Records the corpus, or checks that the corpus of that name is this one. */
async function register(bus: Bus, record: CorpusRecord): Promise<void> {
  const corpora = await bus.kv<CorpusRecord>(CORPORA_BUCKET);
  try {
    await corpora.create(record.id, record);
    return;
  } catch (err) {
    if (!(err instanceof KvConflictError)) throw err;
  }
  const held = (await corpora.get(record.id))?.value;
  const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
  if (held && (!same(held.fingerprint, record.fingerprint) || !same(held.entries, record.entries))) {
    throw new InputError(`corpus "${record.id}" on the cluster was started with other ${same(held.fingerprint, record.fingerprint) ? 'repositories' : 'settings'}; give the same command, or another --corpus`);
  }
}

export function corpusId(fingerprint: object, entries: readonly CorpusEntry[]): string {
  const h = createHash('sha256').update(JSON.stringify({ fingerprint, entries: entries.map((e) => [e.key, e.path]) }));
  return `c-${h.digest('hex').slice(0, 16)}`;
}

/**
 * Keeps a repository's job alive while its worker runs: a heartbeat at a third of the ack wait,
 * and the checkpoint uploaded whenever it has grown, so a driver that dies loses little.
 */
export function keepAlive(job: Job<unknown>, corpus: ClusterCorpus, key: string, checkpoint: string, ackWaitMs: number): () => Promise<void> {
  let uploaded = -1;
  let uploading: Promise<void> = Promise.resolve();
  const beat = () => {
    job.working();
    const size = existsSync(checkpoint) ? statSync(checkpoint).size : -1;
    if (size > uploaded) {
      uploaded = size;
      uploading = uploading.then(() => corpus.upload(key, 'checkpoint', checkpoint)).catch(() => {});
    }
  };
  const timer = setInterval(beat, Math.max(200, Math.floor(ackWaitMs / 3)));
  return async () => {
    clearInterval(timer);
    await uploading;
  };
}

export type { CorpusFolder };

/** A corpus on the cluster as `retrace runs` shows it. */
export interface CorpusStatus {
  id: string;
  created: string;
  repositories: number;
  finished: number;
  failed: number;
  /** Repositories with no outcome yet: queued or being rebuilt. */
  pending: number;
}

/** Every corpus KV `retrace-corpora` knows, with its outcomes counted. */
export async function listCorpora(bus: Bus): Promise<CorpusStatus[]> {
  const corpora = await bus.kv<CorpusRecord>(CORPORA_BUCKET);
  const out: CorpusStatus[] = [];
  for (const id of await corpora.keys()) {
    const record = (await corpora.get(id))?.value;
    if (!record) continue;
    const outcomes = await corpusOutcomes(bus, record);
    const count = (s: RepoOutcome['status']) => outcomes.filter((o) => o?.status === s).length;
    out.push({ id, created: record.created, repositories: record.entries.length, finished: count('finished'), failed: count('failed'), pending: outcomes.filter((o) => !o).length });
  }
  return out.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
}

/** A corpus's repositories in input order, each with its outcome (undefined: not yet). */
export async function corpusRepositories(bus: Bus, id: string): Promise<Array<{ key: string; path: string; outcome?: RepoOutcome }>> {
  const record = (await (await bus.kv<CorpusRecord>(CORPORA_BUCKET)).get(id))?.value;
  if (!record) throw new InputError(`no corpus "${id}" on the cluster (\`retrace runs --corpora\` lists them)`);
  const outcomes = await corpusOutcomes(bus, record);
  return record.entries.map((e, i) => ({ ...e, ...(outcomes[i] ? { outcome: outcomes[i] } : {}) }));
}

async function corpusOutcomes(bus: Bus, record: CorpusRecord): Promise<Array<RepoOutcome | undefined>> {
  const kv = await bus.kv<RepoOutcome>(`retrace-corpus-${record.id}`);
  return Promise.all(record.entries.map(async (e) => (await kv.get(e.key))?.value));
}
