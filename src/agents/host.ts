/**
 * The agent host: binds a role's machine, its policy and the bus. It takes work from the role's
 * durable queue (shared by every process of the role), heartbeats while it works, publishes each
 * step on the run's trace subject, and the result on the run's durable results queue, deduplicated
 * by job id so a redelivered job never yields two results.
 */
import type { Logger } from 'pino';
import type { Bus, Consumer, Job, WorkQueue } from '../bus/mod.ts';
import { subjects } from '../bus/mod.ts';
import { silentLogger } from '../log/logger.ts';
import type { PolicySource } from './policy-store.ts';
import { MSG, acceptWork, resultQueue, resultSubject, roleQueue, type Work, type WorkResult } from './protocol.ts';
import type { Refiner } from './refiner.ts';
import { runWork } from './run-work.ts';
import type { SearchEvent } from './executor.ts';
import type { Role } from './types.ts';
import type { Workspaces } from './workspace.ts';

export interface QueueSettings {
  ackWaitMs: number;
  maxDeliver: number;
}

export const DEFAULT_QUEUE: QueueSettings = { ackWaitMs: 60_000, maxDeliver: 3 };

export interface AgentHostOptions {
  role: Role;
  bus: Bus;
  policies: PolicySource;
  workspaces: Workspaces;
  refiner: Refiner;
  /** `role/instance` in every result. */
  instance: string;
  concurrency?: number;
  queue?: QueueSettings;
  log?: Logger;
  /**
   * How long one command may run and still be heartbeaten (30 minutes by default): past it the
   * command is taken for stuck, the heartbeats stop, and the queue delivers the work again after
   * its ack wait. Each command's end starts the time again.
   */
  maxCommandMs?: number;
}

export async function openResultQueue(bus: Bus, run: string, settings: QueueSettings = DEFAULT_QUEUE, as: { produceOnly?: boolean } = {}): Promise<WorkQueue> {
  const q = resultQueue(run);
  return bus.workQueue(q.name, { subjects: q.subjects, ...settings, ...as });
}

export async function openRoleQueue(bus: Bus, role: Role, settings: QueueSettings = DEFAULT_QUEUE): Promise<WorkQueue> {
  const q = roleQueue(role);
  return bus.workQueue(q.name, { subjects: q.subjects, ...settings });
}

export class AgentHost {
  private consumer: Consumer | undefined;
  private readonly resultQueues = new Map<string, Promise<WorkQueue>>();
  private readonly log: Logger;
  private handled = 0;

  constructor(private readonly opts: AgentHostOptions) {
    this.log = (opts.log ?? silentLogger).child({ component: 'agent', role: opts.role, instance: opts.instance });
  }

  get jobsHandled(): number {
    return this.handled;
  }

  async start(): Promise<void> {
    const q = await openRoleQueue(this.opts.bus, this.opts.role, this.opts.queue);
    this.consumer = q.consume<Work>((job) => this.handle(job), { concurrency: this.opts.concurrency ?? 1, accept: acceptWork });
    this.log.info({ concurrency: this.opts.concurrency ?? 1 }, 'agent started');
  }

  /** Takes no more work; resolves when the work in hand is done. */
  async stop(): Promise<void> {
    await this.consumer?.stop();
    this.consumer = undefined;
  }

  /** The run's results queue, as a producer: the driver set it up before it queued any work. */
  private results(run: string): Promise<WorkQueue> {
    let q = this.resultQueues.get(run);
    if (!q) {
      q = openResultQueue(this.opts.bus, run, this.opts.queue, { produceOnly: true });
      q.catch(() => this.resultQueues.delete(run));
      this.resultQueues.set(run, q);
    }
    return q;
  }

  /**
   * Heartbeats on a timer as well as after every command while a piece of work is in hand, result
   * included: one command can outlast the ack wait (a slow model call, a long search on a loaded
   * machine), and so can publishing the result while the cluster elects a leader.
   */
  private async handle(job: Job<Work>): Promise<void> {
    const ackWaitMs = this.opts.queue?.ackWaitMs ?? DEFAULT_QUEUE.ackWaitMs;
    const maxCommandMs = this.opts.maxCommandMs ?? 30 * 60_000;
    let lastCommand = Date.now();
    const beat = setInterval(() => {
      if (Date.now() - lastCommand < maxCommandMs) job.working();
    }, Math.max(50, Math.floor(ackWaitMs / 3)));
    try {
      // Let the event loop turn once per piece of work (the heartbeat already running). On the
      // in-memory bus a whole run is one chain of promise callbacks that never reaches the loop,
      // and node-tree-sitter frees a tree's native memory only in a finalizer that runs when the
      // loop turns: without this, every tree parsed by chunking, checks and search facts stays
      // allocated until the run ends (1.2 GiB for a 360-file repository). It changes when work
      // runs, never what it computes.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.work(job, () => {
        lastCommand = Date.now();
        job.working();
      });
    } finally {
      clearInterval(beat);
    }
  }

  private async work(job: Job<Work>, onCommand: () => void): Promise<void> {
    const work = job.body;
    const by = this.opts.instance;
    if (work.role !== this.opts.role) throw new Error(`work for ${work.role} reached the ${this.opts.role} queue`);
    const { policy, tag } = this.opts.policies.current();
    const log = this.log.child({ run: work.run, job: work.job, policy: tag });
    let result: WorkResult;
    let failed: unknown;
    try {
      const ws = await this.opts.workspaces.get(work.repo);
      // The checks' environment is learned from every file: a few at a time, before the first
      // piece of work that checks or drafts faults (see Workspace.learnEnv).
      if (work.role === 'coder' || work.role === 'tester' || work.role === 'debugger') await ws.learnEnv();
      const onSearch = (e: SearchEvent) => {
        void this.opts.bus
          .publish(subjects.event(work.run, 'search'), { type: MSG.search, body: { job: work.job, ...e }, run: work.run, sender: by, policy: tag, traceparent: job.traceparent })
          .catch(() => {});
      };
      const done = await runWork(work, { ws, policy, refiner: this.opts.refiner, onSearch, log }, { role: this.opts.role, policy: tag }, { onCommand });
      result = { ...done, by };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ err, delivery: job.deliveryCount }, 'work failed');
      const maxDeliver = this.opts.queue?.maxDeliver ?? DEFAULT_QUEUE.maxDeliver;
      if (job.deliveryCount < maxDeliver) throw err;
      // Last delivery: the run hears of the failure now instead of waiting for a result forever,
      // and the job still goes to the dead-letter subject (rethrown below, after the result).
      result = { run: work.run, job: work.job, role: work.role, by, steps: [], error: message };
      failed = err;
    }
    if (work.attempt !== undefined) result.attempt = work.attempt;
    result.steps.forEach((step, index) => {
      void this.opts.bus
        .publish(subjects.trace(work.run), { type: MSG.step, body: { job: work.job, index, step }, run: work.run, sender: by, policy: tag, traceparent: job.traceparent })
        .catch(() => {});
    });
    const rq = await this.results(work.run);
    await rq.enqueue(resultSubject(work.run, work.role), { type: MSG.result, body: result, run: work.run, sender: by, policy: tag, traceparent: job.traceparent }, { msgId: `result:${work.attempt ?? ''}:${work.job}` });
    this.handled++;
    if (failed !== undefined) throw failed;
    log.debug({ steps: result.steps.length }, 'work done');
  }
}
