/**
 * MemoryBus: the in-process transport. Same semantics as NatsBus — messages are encoded to bytes
 * and decoded per receiver, delivery is asynchronous, queue groups pick one member, requests fail
 * fast with NoRespondersError — so code tested here behaves the same on NATS. Nothing is durable
 * beyond the process: that is what NatsBus is for.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { silentLogger } from '../log/logger.ts';
import { encode, type WireMessage } from './envelope.ts';
import { NoRespondersError, PayloadTooLargeError, TimeoutError, ConnectionClosedError } from './errors.ts';
import { Mailbox } from './mailbox.ts';
import { MemoryKv } from './memory-kv.ts';
import { MemoryObjects } from './memory-objects.ts';
import { MemoryWorkQueue } from './memory-queue.ts';
import { decodeReply, errorReply, ErrorCode, malformedSubject, tryDecode, type RawDelivery } from './receive.ts';
import { EndpointCounter } from './service-stats.ts';
import { assertPattern, assertSubject, resourceName, subjectMatches } from './subjects.ts';
import type {
  Bus,
  Handler,
  Incoming,
  KvBucket,
  ObjectBucket,
  KvOptions,
  Outgoing,
  RequestOptions,
  Responder,
  ServiceDefinition,
  ServiceHandle,
  ServiceStats,
  SubscribeOptions,
  Subscription,
  WorkQueue,
  WorkQueueOptions,
} from './types.ts';

export interface MemoryBusOptions {
  /** Largest encoded body accepted; 8 MiB by default (the max_payload of our nats-server configs). */
  maxPayload?: number;
  logger?: Logger;
}

interface MemorySub {
  pattern: string;
  queue: string | undefined;
  deliver(raw: RawDelivery, replyTo: string | undefined): void;
}

/** Internal options: service endpoints count rejected requests. */
export interface ReplyInternals {
  onReject?: (reason: string) => void;
}

const DEFAULT_MAX_PAYLOAD = 8 * 1024 * 1024;

export class MemoryBus implements Bus {
  readonly transport = 'memory' as const;
  readonly maxPayload: number;
  private readonly log: Logger;
  private readonly subs = new Set<MemorySub>();
  private readonly queueCursor = new Map<string, number>();
  private readonly pending = new Map<string, (raw: RawDelivery) => void>();
  private readonly queues = new Map<string, MemoryWorkQueue>();
  private readonly buckets = new Map<string, MemoryKv<unknown>>();
  private readonly objectBuckets = new Map<string, MemoryObjects>();
  private readonly services = new Map<string, { def: ServiceDefinition; id: string; started: string; counters: EndpointCounter[] }>();
  private closed = false;

  constructor(opts: MemoryBusOptions = {}) {
    this.maxPayload = opts.maxPayload ?? DEFAULT_MAX_PAYLOAD;
    this.log = opts.logger ?? silentLogger;
  }

  async publish<T>(subject: string, msg: Outgoing<T>): Promise<void> {
    this.assertOpen();
    assertSubject(subject);
    this.route(subject, this.encodeChecked(msg), undefined);
  }

  /** Publishes bytes as they are: for tests of malformed input, and for replies. */
  publishRaw(subject: string, data: Uint8Array, headers: Record<string, string> = {}, replyTo?: string): number {
    this.assertOpen();
    assertSubject(subject);
    return this.route(subject, { data, headers }, replyTo);
  }

  subscribe<T>(subject: string, handler: Handler<T>, opts: SubscribeOptions = {}): Subscription {
    return this.addSub<T>(subject, opts, async (msg) => {
      await handler(msg);
    });
  }

  reply<T = unknown, R = unknown>(
    subject: string,
    responder: Responder<T, R>,
    opts: SubscribeOptions & ReplyInternals = {},
  ): Subscription {
    return this.addSub<T>(
      subject,
      opts,
      async (msg, replyTo) => {
        if (!replyTo) return;
        let out: WireMessage;
        try {
          const answer = await responder(msg);
          out = encode({ ...answer, traceparent: answer.traceparent ?? msg.traceparent });
        } catch (err) {
          out = errorReply(ErrorCode.handlerFailed, err instanceof Error ? err.message : String(err), msg.traceparent);
        }
        this.respond(replyTo, out);
      },
      opts.onReject,
    );
  }

  async request<R = unknown, T = unknown>(subject: string, msg: Outgoing<T>, opts: RequestOptions = {}): Promise<Incoming<R>> {
    this.assertOpen();
    assertSubject(subject);
    const timeoutMs = opts.timeoutMs ?? 5000;
    const wire = this.encodeChecked(msg);
    const inbox = `_INBOX.${randomUUID()}`;
    return new Promise<Incoming<R>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(inbox);
        reject(new TimeoutError(subject, timeoutMs));
      }, timeoutMs);
      this.pending.set(inbox, (raw) => {
        clearTimeout(timer);
        this.pending.delete(inbox);
        try {
          resolve(decodeReply<R>(subject, { ...raw, subject }, opts.accept));
        } catch (err) {
          reject(err);
        }
      });
      const receivers = this.route(subject, wire, inbox);
      if (receivers === 0) {
        clearTimeout(timer);
        this.pending.delete(inbox);
        reject(new NoRespondersError(subject));
      }
    });
  }

  async workQueue(name: string, opts: WorkQueueOptions): Promise<WorkQueue> {
    this.assertOpen();
    resourceName(name);
    const existing = this.queues.get(name);
    if (existing) {
      // A producer's settings are not the queue's (as on NATS, where it sets up nothing).
      if (!opts.produceOnly) existing.reconfigure(opts);
      return existing;
    }
    const q = new MemoryWorkQueue(name, opts, this, this.log);
    for (const other of this.queues.values()) q.assertNoOverlap(other);
    this.queues.set(name, q);
    return q;
  }

  async kv<T = unknown>(bucket: string, opts: KvOptions = {}): Promise<KvBucket<T>> {
    this.assertOpen();
    resourceName(bucket);
    let b = this.buckets.get(bucket);
    if (!b) {
      b = new MemoryKv<unknown>(bucket, opts.history);
      this.buckets.set(bucket, b);
    }
    return b as KvBucket<T>;
  }

  async objects(bucket: string): Promise<ObjectBucket> {
    this.assertOpen();
    resourceName(bucket);
    let b = this.objectBuckets.get(bucket);
    if (!b) {
      b = new MemoryObjects(bucket);
      this.objectBuckets.set(bucket, b);
    }
    return b;
  }

  async service(def: ServiceDefinition): Promise<ServiceHandle> {
    this.assertOpen();
    resourceName(def.name);
    const id = randomUUID().replace(/-/g, '').slice(0, 22);
    const started = new Date().toISOString();
    const counters: EndpointCounter[] = [];
    const subs: Subscription[] = [];
    for (const ep of def.endpoints) {
      const counter = new EndpointCounter(ep.name, ep.subject);
      counters.push(counter);
      const replyOpts: SubscribeOptions & ReplyInternals = {
        queue: def.queue ?? 'q',
        onReject: (reason) => counter.reject(reason),
      };
      if (ep.accept) replyOpts.accept = ep.accept;
      if (ep.concurrency) replyOpts.concurrency = ep.concurrency;
      subs.push(this.reply(ep.subject, counter.wrap(ep.handler), replyOpts));
    }
    this.services.set(id, { def, id, started, counters });
    const stats = (): ServiceStats => ({
      name: def.name,
      id,
      version: def.version,
      started,
      endpoints: counters.map((c) => c.snapshot()),
    });
    return {
      name: def.name,
      id,
      stats: async () => stats(),
      stop: async () => {
        this.services.delete(id);
        await Promise.all(subs.map((s) => s.unsubscribe()));
      },
    };
  }

  async discover(name?: string): Promise<ServiceStats[]> {
    return [...this.services.values()]
      .filter((s) => name === undefined || s.def.name === name)
      .map((s) => ({
        name: s.def.name,
        id: s.id,
        version: s.def.version,
        started: s.started,
        endpoints: s.counters.map((c) => c.snapshot()),
      }));
  }

  async flush(): Promise<void> {
    await new Promise((r) => setImmediate(r));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.queues.values()].map((q) => q.stopAll()));
    for (const b of this.buckets.values()) b.stopWatches();
    this.subs.clear();
  }

  // ---- internals ----

  private assertOpen(): void {
    if (this.closed) throw new ConnectionClosedError('the bus is closed');
  }

  private encodeChecked(msg: Outgoing): WireMessage {
    const wire = encode(msg);
    if (wire.data.length > this.maxPayload) throw new PayloadTooLargeError(wire.data.length, this.maxPayload);
    return wire;
  }

  private respond(replyTo: string, wire: WireMessage): void {
    const waiter = this.pending.get(replyTo);
    if (waiter) setImmediate(() => waiter({ subject: replyTo, data: wire.data, headers: wire.headers }));
  }

  /** Delivers to every plain subscriber and one member of each queue group; returns receivers. */
  private route(subject: string, wire: WireMessage, replyTo: string | undefined): number {
    if (subject.startsWith('_INBOX.') && this.pending.has(subject)) {
      this.respond(subject, wire);
      return 1;
    }
    const raw: RawDelivery = { subject, data: wire.data, headers: wire.headers };
    const groups = new Map<string, MemorySub[]>();
    let receivers = 0;
    for (const sub of this.subs) {
      if (!subjectMatches(sub.pattern, subject)) continue;
      if (sub.queue === undefined) {
        sub.deliver(raw, replyTo);
        receivers++;
      } else {
        const g = groups.get(sub.queue);
        if (g) g.push(sub);
        else groups.set(sub.queue, [sub]);
      }
    }
    for (const [queue, members] of groups) {
      const cursor = this.queueCursor.get(queue) ?? 0;
      this.queueCursor.set(queue, cursor + 1);
      members[cursor % members.length]!.deliver(raw, replyTo);
      receivers++;
    }
    return receivers;
  }

  private addSub<T>(
    pattern: string,
    opts: SubscribeOptions,
    run: (msg: Incoming<T>, replyTo: string | undefined) => Promise<void>,
    onReject?: (reason: string) => void,
  ): Subscription {
    this.assertOpen();
    assertPattern(pattern);
    const mailbox = new Mailbox(opts.concurrency ?? 1, (err) =>
      this.log.error({ err, subject: pattern }, 'subscription handler failed'),
    );
    const sub: MemorySub = {
      pattern,
      queue: opts.queue,
      deliver: (raw, replyTo) =>
        mailbox.push(async () => {
          const msg = tryDecode<T>(raw, opts.accept, (err, letter) => {
            onReject?.(err.message);
            this.log.warn({ subject: raw.subject, reason: err.reason, error: err.message }, 'rejected message');
            if (replyTo) this.respond(replyTo, errorReply(ErrorCode.badRequest, err.message));
            if (raw.subject !== malformedSubject) this.route(malformedSubject, encode(letter), undefined);
          });
          if (msg) await run(msg, replyTo);
        }),
    };
    this.subs.add(sub);
    return {
      subject: pattern,
      unsubscribe: async () => {
        this.subs.delete(sub);
        await mailbox.drain();
      },
    };
  }
}
