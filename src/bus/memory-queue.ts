/**
 * A durable-work-queue with JetStream work-queue semantics, in process: at-least-once delivery to
 * consumers sharing the queue; a job not acked (handler resolved) within the ack wait, and not
 * heartbeaten, goes back to the queue; a throwing handler's job is redelivered after the retry
 * delay; after `maxDeliver` deliveries the job is published to the dead-letter subject and removed.
 *
 * Invariant: a job is in exactly one of `ready` (waiting, in seq order) or `inFlight` until it is
 * acked or dead-lettered, and a consumer never holds more jobs than its concurrency.
 */
import type { Logger } from 'pino';
import { encode, type WireMessage } from './envelope.ts';
import { BusError, InvalidSubjectError, PayloadTooLargeError } from './errors.ts';
import { Mailbox } from './mailbox.ts';
import { deadLetter, tryDecode, type RawDelivery } from './receive.ts';
import { assertSubject, patternsOverlap, subjectMatches, subjects as subjectMap } from './subjects.ts';
import type {
  Consumer,
  ConsumeOptions,
  EnqueueOptions,
  EnqueueResult,
  Job,
  Outgoing,
  WorkQueue,
  WorkQueueInfo,
  WorkQueueOptions,
} from './types.ts';

interface Publisher {
  readonly maxPayload: number;
  publish<T>(subject: string, msg: Outgoing<T>): Promise<void>;
  /** Delivers bytes to plain subscribers, as a JetStream publish reaches core subscribers too. */
  publishRaw(subject: string, data: Uint8Array, headers?: Record<string, string>): number;
}

interface StoredJob {
  seq: number;
  raw: RawDelivery;
  deliveries: number;
  timer?: NodeJS.Timeout;
  lastError?: string;
}

interface MemoryConsumer {
  capacity: number;
  held: number;
  stopped: boolean;
  take(job: StoredJob): void;
}

export function validateQueueOptions(name: string, opts: WorkQueueOptions): Required<Omit<WorkQueueOptions, 'subjects' | 'produceOnly'>> & { subjects: string[] } {
  if (!(opts.ackWaitMs > 0)) throw new RangeError(`work queue ${name}: ackWaitMs must be > 0`);
  if (!Number.isInteger(opts.maxDeliver) || opts.maxDeliver < 1) {
    throw new RangeError(`work queue ${name}: maxDeliver must be an integer >= 1 (never unlimited)`);
  }
  return {
    subjects: opts.subjects ?? [`retrace.work.${name}.>`],
    ackWaitMs: opts.ackWaitMs,
    maxDeliver: opts.maxDeliver,
    deadLetterSubject: opts.deadLetterSubject ?? subjectMap.deadLetter(name),
    duplicateWindowMs: opts.duplicateWindowMs ?? 120_000,
    retryDelayMs: opts.retryDelayMs ?? 0,
  };
}

export class MemoryWorkQueue implements WorkQueue {
  private opts: ReturnType<typeof validateQueueOptions>;
  private seq = 0;
  private readonly ready: StoredJob[] = [];
  private readonly inFlight = new Map<number, StoredJob>();
  private readonly seen = new Map<string, { seq: number; at: number }>();
  private readonly consumers: MemoryConsumer[] = [];
  private readonly stoppers = new Set<() => Promise<void>>();
  private cursor = 0;

  constructor(
    readonly name: string,
    opts: WorkQueueOptions,
    private readonly bus: Publisher,
    private readonly log: Logger,
  ) {
    this.opts = validateQueueOptions(name, opts);
  }

  get deadLetterSubject(): string {
    return this.opts.deadLetterSubject;
  }

  get subjects(): string[] {
    return this.opts.subjects;
  }

  reconfigure(opts: WorkQueueOptions): void {
    this.opts = validateQueueOptions(this.name, opts);
  }

  assertNoOverlap(other: MemoryWorkQueue): void {
    for (const a of this.subjects) {
      for (const b of other.subjects) {
        if (patternsOverlap(a, b)) {
          throw new BusError(`work queue ${this.name} subjects overlap with queue ${other.name} (${a} / ${b})`);
        }
      }
    }
  }

  async enqueue<T>(subject: string, msg: Outgoing<T>, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    assertSubject(subject);
    if (!this.subjects.some((p) => subjectMatches(p, subject))) {
      throw new InvalidSubjectError(`subject ${subject} is not captured by work queue ${this.name} (${this.subjects.join(', ')})`);
    }
    const now = Date.now();
    if (opts.msgId !== undefined) {
      const prior = this.seen.get(opts.msgId);
      if (prior && now - prior.at < this.opts.duplicateWindowMs) return { seq: prior.seq, duplicate: true };
    }
    const wire: WireMessage = encode(msg);
    if (wire.data.length > this.bus.maxPayload) {
      throw new PayloadTooLargeError(wire.data.length, this.bus.maxPayload);
    }
    if (opts.msgId !== undefined) wire.headers['Nats-Msg-Id'] = opts.msgId;
    const seq = ++this.seq;
    if (opts.msgId !== undefined) {
      // Deleted first, so the map's order stays the order of `at` (an expired id comes back at the end).
      this.seen.delete(opts.msgId);
      this.seen.set(opts.msgId, { seq, at: now });
      this.pruneSeen(now);
    }
    this.ready.push({ seq, raw: { subject, data: wire.data, headers: wire.headers }, deliveries: 0 });
    this.bus.publishRaw(subject, wire.data, wire.headers);
    this.dispatch();
    return { seq, duplicate: false };
  }

  consume<T>(handler: (job: Job<T>) => Promise<void>, opts: ConsumeOptions = {}): Consumer {
    const mailbox = new Mailbox(opts.concurrency ?? 1, (err) => this.log.error({ err, queue: this.name }, 'job failed'));
    const consumer: MemoryConsumer = {
      capacity: opts.concurrency ?? 1,
      held: 0,
      stopped: false,
      take: (job) => mailbox.push(() => this.run(consumer, job, handler, opts)),
    };
    this.consumers.push(consumer);
    const stop = async () => {
      consumer.stopped = true;
      const i = this.consumers.indexOf(consumer);
      if (i >= 0) this.consumers.splice(i, 1);
      await mailbox.drain();
      this.stoppers.delete(stop);
    };
    this.stoppers.add(stop);
    queueMicrotask(() => this.dispatch());
    return { stop };
  }

  async info(): Promise<WorkQueueInfo> {
    return { name: this.name, messages: this.ready.length + this.inFlight.size };
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.stoppers].map((s) => s()));
    for (const job of this.inFlight.values()) clearTimeout(job.timer);
  }

  // ---- internals ----

  /** Drops ids whose window has passed: the oldest first, stopping at the first still inside it (amortised O(1) an enqueue). */
  private pruneSeen(now: number): void {
    if (this.seen.size < 1024) return;
    for (const [id, v] of this.seen) {
      if (now - v.at < this.opts.duplicateWindowMs) return;
      this.seen.delete(id);
    }
  }

  private dispatch(): void {
    while (this.ready.length > 0) {
      const consumer = this.nextFreeConsumer();
      if (!consumer) return;
      const job = this.ready.shift()!;
      job.deliveries++;
      consumer.held++;
      this.inFlight.set(job.seq, job);
      this.armAckTimer(job);
      consumer.take(job);
    }
  }

  private nextFreeConsumer(): MemoryConsumer | undefined {
    const n = this.consumers.length;
    for (let i = 0; i < n; i++) {
      const c = this.consumers[(this.cursor + i) % n]!;
      if (!c.stopped && c.held < c.capacity) {
        this.cursor = (this.cursor + i + 1) % n;
        return c;
      }
    }
    return undefined;
  }

  private armAckTimer(job: StoredJob): void {
    clearTimeout(job.timer);
    job.timer = setTimeout(() => this.expire(job), this.opts.ackWaitMs);
  }

  /** The ack wait ran out: the job goes back to the queue (or to the dead letters). */
  private expire(job: StoredJob): void {
    if (this.inFlight.get(job.seq) !== job) return;
    this.inFlight.delete(job.seq);
    const error = `not acknowledged within the ack wait of ${this.opts.ackWaitMs} ms`;
    if (job.deliveries >= this.opts.maxDeliver) {
      void this.toDeadLetter(job, error);
      return;
    }
    job.lastError = error;
    this.requeue(job, 0);
  }

  private requeue(job: StoredJob, delayMs: number): void {
    const put = () => {
      // Keep seq order so redelivery is fair and predictable.
      const at = this.ready.findIndex((j) => j.seq > job.seq);
      if (at < 0) this.ready.push(job);
      else this.ready.splice(at, 0, job);
      this.dispatch();
    };
    if (delayMs > 0) setTimeout(put, delayMs);
    else put();
  }

  private async toDeadLetter(job: StoredJob, error: string): Promise<void> {
    clearTimeout(job.timer);
    this.inFlight.delete(job.seq);
    const letter = deadLetter(job.raw, 'max-deliveries', error, job.deliveries, this.name);
    try {
      await this.bus.publish(this.opts.deadLetterSubject, letter);
    } catch (err) {
      this.log.error({ err, queue: this.name, seq: job.seq }, 'could not publish dead letter');
    }
  }

  private async run<T>(
    consumer: MemoryConsumer,
    job: StoredJob,
    handler: (job: Job<T>) => Promise<void>,
    opts: ConsumeOptions,
  ): Promise<void> {
    const delivery = job.deliveries;
    const current = () => this.inFlight.get(job.seq) === job && job.deliveries === delivery;
    try {
      const msg = tryDecode<T>(job.raw, opts.accept, (err) => {
        this.log.warn({ queue: this.name, seq: job.seq, error: err.message }, 'malformed job dead-lettered');
        clearTimeout(job.timer);
        this.inFlight.delete(job.seq);
        const letter = deadLetter(job.raw, err.reason, err.message, delivery, this.name);
        void this.bus.publish(this.opts.deadLetterSubject, letter);
      });
      if (!msg) return;
      const asJob: Job<T> = Object.assign(msg, {
        deliveryCount: delivery,
        working: () => {
          if (current()) this.armAckTimer(job);
        },
      });
      try {
        await handler(asJob);
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        // A handler that outlived its ack wait no longer owns the job: its failure changes nothing.
        if (!current()) return;
        clearTimeout(job.timer);
        if (delivery >= this.opts.maxDeliver) {
          await this.toDeadLetter(job, error);
        } else {
          this.inFlight.delete(job.seq);
          job.lastError = error;
          this.requeue(job, this.opts.retryDelayMs);
        }
        return;
      }
      // Ack. A late ack (after the ack wait gave the job to someone else) still completes the job,
      // as on JetStream: at-least-once means the other delivery may run too.
      clearTimeout(job.timer);
      if (this.inFlight.get(job.seq) === job) this.inFlight.delete(job.seq);
      else {
        const i = this.ready.indexOf(job);
        if (i >= 0) this.ready.splice(i, 1);
      }
      job.deliveries = Number.POSITIVE_INFINITY; // marks it done for any other delivery in flight
    } finally {
      consumer.held--;
      this.dispatch();
    }
  }
}
