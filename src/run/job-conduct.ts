/**
 * The run's fourth phase: the conductor drives the team through the repository while each result
 * goes to the checkpoint and the dataset, the run announces itself (`run.status` events; over
 * NATS its manifest in KV `retrace-runs`), and the dataset is finished. Whatever happens, the
 * run's end is announced, the checkpoint closed and the session released.
 */
import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { buckets, subjects, token, type Bus, type KvBucket } from '../bus/mod.ts';
import type { DatasetOutput, FinishedOutput } from '../dataset/output.ts';
import { computeStats } from '../stats/mod.ts';
import type { Checkpoint } from './checkpoint.ts';
import { conduct } from './conductor.ts';
import type { JobInput } from './job-input.ts';
import type { JobSession } from './job-session.ts';
import { RUN_STATUS, type RunJobOptions, type RunManifest, type RunStatus } from './job-types.ts';
import { JobCallMeter, type RecordCalls } from '../accounting/record-calls.ts';

const now = () => performance.now();

export interface ConductedJob {
  conducted: Awaited<ReturnType<typeof conduct>>;
  finished: FinishedOutput;
  searches: number;
  scorerCalls: number;
  rewardSum: number;
  /** Time spent writing the checkpoint and the dataset. */
  ioMs: number;
  /** When the first file's work came back (0: never). */
  tPlanned: number;
}

/** `run.status` events, and over NATS the run's manifest, at most once a second while it runs. */
class RunAnnouncer {
  private lastStatus: RunStatus | undefined;
  private lastPut = 0;
  private puts: Promise<unknown> = Promise.resolve();
  private readonly started = new Date().toISOString();
  filesDone = 0;

  constructor(
    private readonly bus: Bus,
    private readonly run: string,
    private readonly manifests: KvBucket<RunManifest> | undefined,
    private readonly traceFile: string | undefined,
    private readonly log: Logger,
  ) {}

  static async open(bus: Bus, run: string, opts: RunJobOptions, log: Logger): Promise<RunAnnouncer> {
    let manifests: KvBucket<RunManifest> | undefined;
    if (opts.nats && opts.nats.length > 0) {
      manifests = await bus.kv<RunManifest>(buckets.runs).catch((err: unknown) => {
        log.warn({ err }, 'no run manifest: the retrace-runs bucket cannot be opened');
        return undefined;
      });
    }
    return new RunAnnouncer(bus, run, manifests, opts.traceFile, log);
  }

  async status(body: RunStatus): Promise<void> {
    this.lastStatus = body;
    this.put(body);
    await this.bus.publish(subjects.event(this.run, 'run'), { type: RUN_STATUS, body, run: this.run, sender: 'run' }).catch(() => {});
  }

  /** A file was written: the manifest's count, if a second has passed since the last write. */
  fileWritten(): void {
    this.filesDone++;
    if (this.lastStatus && Date.now() - this.lastPut >= 1000) this.put(this.lastStatus);
  }

  /** Resolves when every manifest write has been made. */
  settled(): Promise<unknown> {
    return this.puts;
  }

  private put(s: RunStatus): void {
    if (!this.manifests) return;
    const m: RunManifest = { ...s, done: this.filesDone, started: this.started, updated: new Date().toISOString(), ...(this.traceFile ? { trace: resolve(this.traceFile) } : {}) };
    const kv = this.manifests;
    this.lastPut = Date.now();
    // One after the other, so the last written is the newest.
    this.puts = this.puts.then(() => kv.put(token(this.run), m)).catch((err: unknown) => this.log.warn({ err }, 'run manifest not written'));
  }
}

export async function conductJob(
  opts: RunJobOptions,
  input: JobInput,
  session: JobSession & { bus: Bus },
  checkpoint: Checkpoint,
  writer: DatasetOutput,
  log: Logger,
): Promise<ConductedJob> {
  const total = session.ws!.order.length;
  const tally = { searches: 0, scorerCalls: 0, rewardSum: 0, ioMs: 0, tPlanned: 0 };
  opts.progress?.phase('plan');
  const announcer = await RunAnnouncer.open(session.bus, input.run, opts, log);
  // Each job's model calls go into its records, and with its result into the checkpoint, so a resumed run writes them too.
  const meter = new JobCallMeter(() => session.policyCalls);
  const about = { run: input.run, repo: input.name, files: total, ...(checkpoint.attempt ? { attempt: checkpoint.attempt } : {}) };
  await announcer.status({ ...about, status: 'started' });
  let ended: RunStatus = { ...about, status: 'failed' };
  try {
    const conducted = await conduct({
      bus: session.bus,
      workspaces: session.workspaces,
      run: input.run,
      repo: input.repo,
      seed: opts.seed,
      budget: opts.budget,
      faultRate: opts.faultRate,
      log,
      keepSteps: false,
      ...(opts.queue ? { queue: opts.queue } : {}),
      replayed: (job) => checkpoint.take(job),
      onResultMessage: (msg) => session.witness(msg),
      ...(checkpoint.attempt ? { attempt: checkpoint.attempt } : {}),
      onResult: (r, how) => {
        const tIo = now();
        const calls = how.replayed ? (r as { calls?: RecordCalls }).calls : meter.take();
        if (!how.replayed) checkpoint.record(calls ? { ...r, calls } as typeof r : r);
        writer.add(r.steps, calls);
        tally.ioMs += now() - tIo;
        for (const s of r.steps) {
          if (!s.search) continue;
          tally.searches++;
          tally.scorerCalls += s.search.scorerCalls;
          tally.rewardSum += s.search.reward;
        }
        if (r.role === 'architect' || r.role === 'planner') return;
        if (tally.tPlanned === 0) {
          tally.tPlanned = now();
          opts.progress?.phase('files', { total });
        }
        if ((r.role === 'coder' || (r.role === 'tester' && r.job.startsWith('tester:write:'))) && r.steps[0]?.path) {
          announcer.fileWritten();
          opts.progress?.file(announcer.filesDone, total, r.steps[0].path);
        }
      },
    });
    const tOut = now();
    const finished = await writer.finish((files) => fidelityFigures(files, log), session.models);
    tally.ioMs += now() - tOut;
    ended = { ...about, status: 'finished', failures: conducted.failures.length };
    return { conducted, finished, ...tally };
  } catch (err) {
    ended.error = err instanceof Error ? err.message : String(err);
    writer.abandon();
    throw err;
  } finally {
    await announcer.status(ended);
    await announcer.settled();
    checkpoint.close();
    await session.release();
  }
}

/** The card's fidelity figures; a card without them beats no dataset. */
async function fidelityFigures(files: string[], log: Logger): Promise<object | undefined> {
  try {
    return (await computeStats(files)).total;
  } catch (err) {
    log.warn({ err }, 'dataset card without fidelity figures: retrace stats failed on the output');
    return undefined;
  }
}
