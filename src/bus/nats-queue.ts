/**
 * A durable work queue on JetStream: a work-queue-retention stream with file storage and a dedupe
 * window, and one shared durable pull consumer (`workers`) with explicit acks, an explicit AckWait
 * and a bounded MaxDeliver. Every process that consumes shares that consumer, so each job goes to
 * one of them.
 *
 * Dead letters: the consumer's server-side MaxDeliver is `maxDeliver + 1`. A handler that throws
 * on delivery `maxDeliver` dead-letters the job at once; a job whose last delivery expired comes
 * back once more, and that extra delivery is dead-lettered without running the handler. The dead
 * letter is published through JetStream (stored by the RETRACE_DLQ stream for `retrace-dlq.>`)
 * before the job is acked, so a crash in between duplicates, never loses.
 *
 * Jobs are pulled one at a time per free slot (`next()`), never buffered: a buffered job's ack
 * wait would run out while it waits, and count as a failed delivery.
 */
import {
  AckPolicy,
  DeliverPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { encode, type WireMessage } from './envelope.ts';
import { headersToRecord, recordToHeaders } from './nats-headers.ts';
import { BusError, InvalidSubjectError, PayloadTooLargeError } from './errors.ts';
import { validateQueueOptions } from './memory-queue.ts';
import { deadLetter, tryDecode, type RawDelivery } from './receive.ts';
import { assertSubject, subjectMatches } from './subjects.ts';
import type {
  Consumer,
  ConsumeOptions,
  DeadLetter,
  EnqueueOptions,
  EnqueueResult,
  Job,
  Outgoing,
  WorkQueue,
  WorkQueueInfo,
  WorkQueueOptions,
} from './types.ts';

export const DLQ_STREAM = 'RETRACE_DLQ';
const CONSUMER = 'workers';
const PULL_EXPIRES_MS = 2000;

interface Deps {
  js: JetStreamClient;
  jsm: JetStreamManager;
  /** For creating streams and consumers: a short API timeout (tries are repeated). */
  setupJsm?: JetStreamManager;
  bus: { readonly maxPayload: number; publishWire(subject: string, wire: WireMessage): void };
  log: Logger;
  /** Replicas of the streams (3 on a 3-node cluster). */
  replicas?: number;
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    const info = await jsm.streams.info(config.name);
    const same =
      JSON.stringify([...(info.config.subjects ?? [])].sort()) === JSON.stringify([...(config.subjects ?? [])].sort()) &&
      (config.duplicate_window === undefined || info.config.duplicate_window === config.duplicate_window) &&
      (config.num_replicas === undefined || info.config.num_replicas === config.num_replicas);
    if (!same) await jsm.streams.update(config.name, { ...info.config, ...config });
  } catch (err) {
    if ((err as Error).name !== 'StreamNotFoundError' && !/stream not found/i.test((err as Error).message)) throw err;
    await jsm.streams.add(config);
  }
}

/** The server refused a subject to this user (services/nats/permissions.conf): trying again cannot help. */
export function isPermissionError(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (/permissions violation/i.test(e.message) || e.name === 'PermissionViolationError') return true;
  }
  return false;
}

/** How long a producer-only enqueue waits for a stream to capture its subject. */
export const PRODUCER_WAIT_MS = 60_000;

/** Tries at setting up a queue's stream and consumer (see `open`). */
export const SETUP_ATTEMPTS = 10;

/** How long past its expiry a pull may stay unanswered before it is given up for a new one. */
const PULL_STALL_MS = 5000;

/**
 * One pull, guarded: when the server the pull went to dies, the client may never answer it (it
 * neither expires nor fails). After its expiry and a grace period it is abandoned for a new pull;
 * a job it still delivers later is handed back at once (nak), so nothing waits on a dead pull.
 */
async function pullGuarded(consumer: { next(o: { expires: number }): Promise<JsMsg | null> }, log: Logger, queue: string): Promise<JsMsg | null> {
  const pull = consumer.next({ expires: PULL_EXPIRES_MS });
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<'stalled'>((resolve) => {
    timer = setTimeout(() => resolve('stalled'), PULL_EXPIRES_MS + PULL_STALL_MS);
  });
  try {
    const first = await Promise.race([pull, stalled]);
    if (first !== 'stalled') return first;
    log.warn({ queue }, 'a pull went unanswered past its expiry; pulling again');
    pull.then((late) => late?.nak()).catch(() => {});
    return null;
  } finally {
    clearTimeout(timer);
  }
}

export class NatsWorkQueue implements WorkQueue {
  private readonly stoppers = new Set<() => Promise<void>>();

  private constructor(
    readonly name: string,
    private readonly opts: ReturnType<typeof validateQueueOptions>,
    private readonly stream: string,
    private readonly deps: Deps,
    private readonly produceOnly = false,
  ) {}

  static async open(name: string, options: WorkQueueOptions, deps: Deps): Promise<NatsWorkQueue> {
    const opts = validateQueueOptions(name, options);
    const stream = `RETRACE_WQ_${name}`;
    if (options.produceOnly) return new NatsWorkQueue(name, opts, stream, deps, true);
    // On a cluster, processes that set up the same replicated stream or consumer at once can see
    // the server's answer time out while it is being created: look again, it is idempotent.
    for (let attempt = 1; ; attempt++) {
      try {
        await NatsWorkQueue.setUp(name, stream, opts, deps);
        break;
      } catch (err) {
        if (isPermissionError(err)) {
          throw new BusError(`cannot set up work queue ${name}: the server refused this user (${(err as Error).message}); queues are created and changed by the driver (retrace setup), other users may only look up their own`, { cause: err });
        }
        // A leader election after a server loss takes seconds: JetStream answers "not enabled"
        // or times out meanwhile. About 15 s of tries in all.
        if (attempt >= SETUP_ATTEMPTS) throw new BusError(`cannot set up work queue ${name}: ${(err as Error).message}`, { cause: err });
        deps.log.warn({ err, queue: name, attempt }, 'setting up the work queue failed; trying again');
        await new Promise((r) => setTimeout(r, Math.min(2000, 250 * attempt)));
      }
    }
    return new NatsWorkQueue(name, opts, stream, deps);
  }

  private static async setUp(name: string, stream: string, opts: ReturnType<typeof validateQueueOptions>, deps: Deps): Promise<void> {
    const jsm = deps.setupJsm ?? deps.jsm;
    await ensureStream(jsm, {
      name: DLQ_STREAM,
      subjects: ['retrace-dlq.>'],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      max_age: nanos(14 * 24 * 3600 * 1000),
      num_replicas: deps.replicas ?? 1,
    });
    await ensureStream(jsm, {
      name: stream,
      subjects: opts.subjects,
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      duplicate_window: nanos(opts.duplicateWindowMs),
      num_replicas: deps.replicas ?? 1,
    });
    const consumer = {
      durable_name: CONSUMER,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(opts.ackWaitMs),
      max_deliver: opts.maxDeliver + 1,
    };
    // Looked up first and changed only where it differs: a process whose user may only look its
    // queue up (services/nats/permissions.conf) opens it as long as the driver set it up alike.
    let info;
    try {
      info = await jsm.consumers.info(stream, CONSUMER);
    } catch (err) {
      if (!/consumer not found/i.test((err as Error).message) && (err as Error).name !== 'ConsumerNotFoundError') throw err;
      await jsm.consumers.add(stream, consumer);
      return;
    }
    if (info.config.ack_wait !== consumer.ack_wait || info.config.max_deliver !== consumer.max_deliver) {
      await jsm.consumers.update(stream, CONSUMER, { ack_wait: consumer.ack_wait, max_deliver: consumer.max_deliver });
    }
  }

  get deadLetterSubject(): string {
    return this.opts.deadLetterSubject;
  }

  async enqueue<T>(subject: string, msg: Outgoing<T>, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    assertSubject(subject);
    if (!this.opts.subjects.some((p) => subjectMatches(p, subject))) {
      throw new InvalidSubjectError(`subject ${subject} is not captured by work queue ${this.name} (${this.opts.subjects.join(', ')})`);
    }
    const wire = encode(msg);
    if (wire.data.length > this.deps.bus.maxPayload) throw new PayloadTooLargeError(wire.data.length, this.deps.bus.maxPayload);
    const pubOpts: Parameters<JetStreamClient['publish']>[2] = { headers: recordToHeaders(wire.headers) };
    if (opts.msgId !== undefined) pubOpts.msgID = opts.msgId;
    // While a cluster elects a stream leader, JetStream answers "not enabled" or nobody answers:
    // the message was not stored, so it is sent again. A timeout is ambiguous (it may have been
    // stored): sent again only with a msgId, which the stream deduplicates. A producer that set
    // nothing up gets no answer too while the queue's owner has yet to create the stream (a run's
    // driver starting after its work was queued): it waits up to PRODUCER_WAIT_MS for it.
    const waitUntil = this.produceOnly ? Date.now() + PRODUCER_WAIT_MS : 0;
    for (let attempt = 1; ; attempt++) {
      try {
        const ack = await this.deps.js.publish(subject, wire.data, pubOpts);
        return { seq: ack.seq, duplicate: ack.duplicate };
      } catch (err) {
        const text = (err as Error).message;
        const retry = /not enabled|no responders|not available|503/i.test(text) || (opts.msgId !== undefined && /timeout/i.test(text));
        // No stream captures the subject: nats.js says "jetstream is not enabled" (a 503).
        const more = attempt < SETUP_ATTEMPTS || (/not enabled|no responders|503/i.test(text) && Date.now() < waitUntil);
        if (!retry || !more) throw err;
        this.deps.log.warn({ err, queue: this.name, attempt }, 'enqueue not stored; trying again');
        await new Promise((r) => setTimeout(r, Math.min(2000, 250 * attempt)));
      }
    }
  }

  consume<T>(handler: (job: Job<T>) => Promise<void>, opts: ConsumeOptions = {}): Consumer {
    const slots = opts.concurrency ?? 1;
    let stopped = false;
    const loops: Promise<void>[] = [];
    const inFlight = new Set<Promise<void>>();
    // Looking the consumer up can fail while a cluster elects a new leader: keep trying, or the
    // loop would end and the queue would silently stop being consumed.
    const lookUp = async (): Promise<Awaited<ReturnType<JetStreamClient['consumers']['get']>> | undefined> => {
      for (let attempt = 1; !stopped; attempt++) {
        try {
          return await this.deps.js.consumers.get(this.stream, CONSUMER);
        } catch (err) {
          this.deps.log.warn({ err, queue: this.name, attempt }, 'looking up the consumer failed; retrying');
          await new Promise((r) => setTimeout(r, Math.min(2000, 250 * attempt)));
        }
      }
      return undefined;
    };
    const loop = async () => {
      const consumer = await lookUp();
      if (!consumer) return;
      while (!stopped) {
        let m: JsMsg | null;
        try {
          m = await pullGuarded(consumer, this.deps.log, this.name);
        } catch (err) {
          if (stopped) return;
          this.deps.log.warn({ err, queue: this.name }, 'pulling a job failed; retrying');
          await new Promise((r) => setTimeout(r, 250));
          continue;
        }
        if (!m) continue;
        if (stopped) {
          m.nak();
          return;
        }
        const p = this.handle(m, handler, opts);
        inFlight.add(p);
        await p;
        inFlight.delete(p);
      }
    };
    for (let i = 0; i < slots; i++) {
      loops.push(
        loop().catch((err) => {
          this.deps.log.error({ err, queue: this.name }, 'consumer stopped on an error');
        }),
      );
    }
    const stop = async () => {
      stopped = true;
      // Handlers in flight finish (and ack); a pull still waiting is abandoned: a job it receives
      // after this is naked, or redelivered after its ack wait if the connection is gone.
      await Promise.all([...inFlight]);
      this.stoppers.delete(stop);
    };
    this.stoppers.add(stop);
    return { stop };
  }

  async info(): Promise<WorkQueueInfo> {
    const info = await this.deps.jsm.streams.info(this.stream);
    return { name: this.name, messages: info.state.messages };
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.stoppers].map((s) => s()));
  }

  private async handle<T>(m: JsMsg, handler: (job: Job<T>) => Promise<void>, opts: ConsumeOptions): Promise<void> {
    const raw: RawDelivery = { subject: m.subject, data: m.data, headers: headersToRecord(m.headers) };
    const delivery = m.info.deliveryCount;
    if (delivery > this.opts.maxDeliver) {
      await this.deadLetterAndAck(
        m,
        deadLetter(raw, 'max-deliveries', `not acknowledged within the ack wait of ${this.opts.ackWaitMs} ms`, this.opts.maxDeliver, this.name),
      );
      return;
    }
    let rejected: Outgoing<DeadLetter> | undefined;
    const msg = tryDecode<T>(raw, opts.accept, (err, letter) => {
      this.deps.log.warn({ queue: this.name, error: err.message }, 'malformed job dead-lettered');
      rejected = { ...letter, body: { ...letter.body, deliveryCount: delivery, queue: this.name } };
    });
    if (!msg) {
      await this.deadLetterAndAck(m, rejected!);
      return;
    }
    const job: Job<T> = Object.assign(msg, { deliveryCount: delivery, working: () => m.working() });
    try {
      await handler(job);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      if (delivery >= this.opts.maxDeliver) {
        await this.deadLetterAndAck(m, deadLetter(raw, 'max-deliveries', error, delivery, this.name));
      } else {
        m.nak(this.opts.retryDelayMs);
      }
      return;
    }
    try {
      await m.ackAck();
    } catch (err) {
      // The job will come back after its ack wait; at-least-once, so the handler may run again.
      this.deps.log.warn({ err, queue: this.name }, 'ack not confirmed');
    }
  }

  private async deadLetterAndAck(m: JsMsg, letter: Outgoing<DeadLetter>): Promise<void> {
    const wire = encode(letter);
    try {
      await this.deps.js.publish(this.opts.deadLetterSubject, wire.data, { headers: recordToHeaders(wire.headers) });
    } catch (err) {
      // No stream captures this dead-letter subject: publish it on core NATS for whoever listens.
      this.deps.log.warn({ err, subject: this.opts.deadLetterSubject }, 'dead letter not stored by JetStream');
      this.deps.bus.publishWire(this.opts.deadLetterSubject, wire);
    }
    try {
      await m.ackAck();
    } catch (err) {
      this.deps.log.warn({ err, queue: this.name }, 'ack of a dead-lettered job not confirmed');
    }
  }
}
