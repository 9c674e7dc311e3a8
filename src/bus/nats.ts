/**
 * NatsBus: the NATS transport. Core NATS for publish/subscribe, queue groups and request/reply;
 * JetStream work-queue streams for durable work; NATS KV for buckets; the micro-services protocol
 * for services. Envelope handling is shared with MemoryBus (receive.ts); this file moves bytes.
 */
import { randomUUID } from 'node:crypto';
import * as nats from '@nats-io/transport-node';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import { headersToRecord, recordToHeaders } from './nats-headers.ts';
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { Svcm, type ServiceMsg } from '@nats-io/services';
import type { Logger } from 'pino';
import { silentLogger } from '../log/logger.ts';
import { encode, type WireMessage } from './envelope.ts';
import { BusError, ConnectionClosedError, NoRespondersError, PayloadTooLargeError, TimeoutError } from './errors.ts';
import { Mailbox } from './mailbox.ts';
import { connectNats, type NatsConnectOptions } from './nats-connect.ts';
import { NatsKv } from './nats-kv.ts';
import { NatsObjects } from './nats-objects.ts';
import { NatsWorkQueue } from './nats-queue.ts';
import { RequestMux } from './nats-requests.ts';
import { decodeReply, errorReply, ErrorCode, malformedSubject, tryDecode, type RawDelivery } from './receive.ts';
import { EndpointCounter } from './service-stats.ts';
import { assertPattern, assertSubject, resourceName } from './subjects.ts';
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

export interface NatsBusOptions extends NatsConnectOptions {
  /**
   * Replicas of the JetStream streams and KV buckets this bus creates: 1 by default (one server),
   * 3 on a 3-node cluster so they survive a node down. Existing streams are scaled to it.
   */
  replicas?: number;
  /**
   * API timeout of one try at creating a stream, consumer or bucket (tries are repeated): 1 s by
   * default. On a fresh cluster, processes creating the same replicated stream at once get no
   * answer until this timeout (nats-server 2.9).
   */
  setupTimeoutMs?: number;
}

/** API timeout of JetStream setup calls (each is tried again; see NatsBus.setup). */
const SETUP_TIMEOUT_MS = 1000;

/** Maps a nats.js failure onto our error classes. */
export function mapNatsError(err: unknown, subject: string, timeoutMs: number): Error {
  if (err instanceof BusError) return err;
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof nats.NoRespondersError) return new NoRespondersError(subject, { cause: err });
    if (e instanceof nats.TimeoutError) return new TimeoutError(subject, timeoutMs, { cause: err });
    if (e instanceof nats.ClosedConnectionError || e instanceof nats.DrainingConnectionError) {
      return new ConnectionClosedError(`connection closed during request on ${subject}`, { cause: err });
    }
    if (e instanceof nats.RequestError && /disconnect|connection|closed/i.test(e.message)) {
      return new ConnectionClosedError(`connection lost during request on ${subject}`, { cause: err });
    }
  }
  return new BusError(`request on ${subject} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

export class NatsBus implements Bus {
  readonly transport = 'nats' as const;
  private readonly log: Logger;
  private jsc: JetStreamClient | undefined;
  private jsmc: JetStreamManager | undefined;
  private setupCtx: { js: JetStreamClient; jsm: JetStreamManager } | undefined;
  private readonly svcm: Svcm;
  private readonly requests: RequestMux;
  private readonly queues = new Map<string, NatsWorkQueue>();
  private readonly watches = new Set<{ stop(): void }>();
  private readonly subs = new Set<Subscription>();

  private constructor(
    readonly nc: NatsConnection,
    log: Logger,
    readonly replicas = 1,
    private readonly setupTimeoutMs = SETUP_TIMEOUT_MS,
  ) {
    this.log = log;
    this.svcm = new Svcm(nc);
    this.requests = new RequestMux(nc);
  }

  static async connect(opts: NatsBusOptions): Promise<NatsBus> {
    const log = opts.logger ?? silentLogger;
    const replicas = opts.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 1 || replicas > 5) throw new RangeError(`replicas must be an integer from 1 to 5, not ${opts.replicas}`);
    const nc = await connectNats({ ...opts, logger: log });
    return new NatsBus(nc, log, replicas, opts.setupTimeoutMs ?? SETUP_TIMEOUT_MS);
  }

  get maxPayload(): number {
    return this.nc.info?.max_payload ?? 1024 * 1024;
  }

  async js(): Promise<{ js: JetStreamClient; jsm: JetStreamManager }> {
    if (!this.jsmc) {
      try {
        this.jsmc = await jetstreamManager(this.nc);
      } catch (err) {
        const why = (err as Error).message;
        // In operator mode JetStream is on, but an account without JetStream limits in its JWT has none.
        const hint = /not enabled for account/i.test(why)
          ? 'JetStream is not enabled for this account: its account JWT needs JetStream limits'
          : 'JetStream is not available on this NATS server (start it with -js)';
        throw new BusError(`${hint}: ${why}`, { cause: err });
      }
      this.jsc = jetstream(this.nc);
    }
    return { js: this.jsc!, jsm: this.jsmc };
  }

  /**
   * JetStream contexts for creating streams, consumers and buckets, with a short API timeout: on
   * a cluster, processes creating the same replicated stream at once can get no answer until the
   * timeout (nats-server 2.9), and the setup is idempotent and tried again, so a short wait per try
   * saves seconds at every start on a fresh cluster.
   */
  private async setup(): Promise<{ js: JetStreamClient; jsm: JetStreamManager }> {
    await this.js();
    const timeout = this.setupTimeoutMs;
    this.setupCtx ??= { js: jetstream(this.nc, { timeout }), jsm: await jetstreamManager(this.nc, { timeout, checkAPI: false }) };
    return this.setupCtx;
  }

  publish<T>(subject: string, msg: Outgoing<T>): Promise<void> {
    // Not `async`: the message is handed to the client synchronously, so publishes issued
    // back to back share one socket write.
    try {
      assertSubject(subject);
      this.publishWire(subject, this.encodeChecked(msg));
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Publishes bytes as they are: for tests of malformed input. */
  publishRaw(subject: string, data: Uint8Array, headers: Record<string, string> = {}): void {
    assertSubject(subject);
    this.nc.publish(subject, data, { headers: recordToHeaders(headers) });
  }

  subscribe<T>(subject: string, handler: Handler<T>, opts: SubscribeOptions = {}): Subscription {
    return this.addSub<T>(subject, opts, async (msg) => {
      await handler(msg);
    });
  }

  reply<T = unknown, R = unknown>(subject: string, responder: Responder<T, R>, opts: SubscribeOptions = {}): Subscription {
    return this.addSub<T>(subject, opts, async (msg, m) => {
      if (!m.reply) return;
      let out: WireMessage;
      try {
        const answer = await responder(msg);
        out = encode({ ...answer, traceparent: answer.traceparent ?? msg.traceparent });
        if (out.data.length > this.maxPayload) throw new PayloadTooLargeError(out.data.length, this.maxPayload);
      } catch (err) {
        out = errorReply(ErrorCode.handlerFailed, err instanceof Error ? err.message : String(err), msg.traceparent);
      }
      m.respond(out.data, { headers: recordToHeaders(out.headers) });
    });
  }

  async request<R = unknown, T = unknown>(subject: string, msg: Outgoing<T>, opts: RequestOptions = {}): Promise<Incoming<R>> {
    assertSubject(subject);
    const timeoutMs = opts.timeoutMs ?? 5000;
    const wire = this.encodeChecked(msg);
    let m: Msg;
    try {
      m = await this.requests.request(subject, wire.data, recordToHeaders(wire.headers), timeoutMs);
    } catch (err) {
      throw mapNatsError(err, subject, timeoutMs);
    }
    return decodeReply<R>(subject, { subject: m.subject, data: m.data, headers: headersToRecord(m.headers) }, opts.accept);
  }

  async workQueue(name: string, opts: WorkQueueOptions): Promise<WorkQueue> {
    resourceName(name);
    const { js, jsm } = await this.js();
    const q = await NatsWorkQueue.open(name, opts, { js, jsm, setupJsm: (await this.setup()).jsm, bus: this, log: this.log, replicas: this.replicas });
    this.queues.set(name, q);
    return q;
  }

  async kv<T = unknown>(bucket: string, opts: KvOptions = {}): Promise<KvBucket<T>> {
    resourceName(bucket);
    const { js } = await this.js();
    return NatsKv.open<T>(js, (await this.setup()).js, bucket, { replicas: this.replicas, ...opts }, this.watches);
  }

  async objects(bucket: string): Promise<ObjectBucket> {
    resourceName(bucket);
    return NatsObjects.open((await this.setup()).js, bucket, this.replicas);
  }

  async service(def: ServiceDefinition): Promise<ServiceHandle> {
    resourceName(def.name);
    const counters = def.endpoints.map((ep) => new EndpointCounter(ep.name, ep.subject));
    const config: Parameters<Svcm['add']>[0] = {
      name: def.name,
      version: def.version,
      queue: def.queue ?? 'q',
      // Our own counts (async handlers timed to completion) ride along in each endpoint's data.
      statsHandler: async (ep) => {
        const c = counters.find((x) => x.subject === ep.subject);
        return c ? c.snapshot() : null;
      },
    };
    if (def.description !== undefined) config.description = def.description;
    if (def.metadata !== undefined) config.metadata = def.metadata;
    const srv = await this.svcm.add(config);
    def.endpoints.forEach((ep, i) => {
      const counter = counters[i]!;
      const responder = counter.wrap(ep.handler);
      const mailbox = new Mailbox(ep.concurrency ?? 1, (err) => this.log.error({ err, endpoint: ep.name }, 'endpoint failed'));
      srv.addEndpoint(ep.name, {
        subject: ep.subject,
        handler: (err: Error | null, m: ServiceMsg) => {
          if (err) {
            this.log.error({ err, endpoint: ep.name }, 'service endpoint closed');
            return;
          }
          mailbox.push(async () => {
            const raw: RawDelivery = { subject: m.subject, data: m.data, headers: headersToRecord(m.headers) };
            const msg = tryDecode(raw, ep.accept, (e, letter) => {
              counter.reject(e.message);
              m.respondError(ErrorCode.badRequest, e.message);
              this.publishWire(malformedSubject, encode(letter));
            });
            if (!msg) return;
            try {
              const answer = await responder(msg);
              const out = encode({ ...answer, traceparent: answer.traceparent ?? msg.traceparent });
              m.respond(out.data, { headers: recordToHeaders(out.headers) });
            } catch (e) {
              const text = e instanceof Error ? e.message : String(e);
              const out = errorReply(ErrorCode.handlerFailed, text, msg.traceparent);
              m.respondError(ErrorCode.handlerFailed, text, out.data);
            }
          });
        },
      });
    });
    // Subscriptions reach the server before service() resolves: a request sent right after, from
    // any connection, finds the endpoints.
    await this.nc.flush();
    return {
      name: def.name,
      id: srv.info().id,
      stats: async () => toServiceStats(await srv.stats()),
      stop: async () => {
        await srv.stop();
      },
    };
  }

  async discover(name?: string, opts: { timeoutMs?: number } = {}): Promise<ServiceStats[]> {
    const client = this.svcm.client({ strategy: 'timer', maxWait: opts.timeoutMs ?? 500 });
    const out: ServiceStats[] = [];
    try {
      for await (const s of await client.stats(name)) out.push(toServiceStats(s));
    } catch (err) {
      // Nobody registered under that name (yet): an empty answer, not an error.
      if (!(mapNatsError(err, name ? `$SRV.STATS.${name}` : '$SRV.STATS', 0) instanceof NoRespondersError)) throw err;
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  async flush(): Promise<void> {
    await this.nc.flush();
  }

  async close(): Promise<void> {
    if (this.nc.isClosed()) return;
    for (const w of this.watches) w.stop();
    await Promise.all([...this.queues.values()].map((q) => q.stopAll()));
    await Promise.all([...this.subs].map((s) => s.unsubscribe()));
    // Draining waits on the server; a server that is gone (or electing) must not hold the process.
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), 5000)));
    const drained = await Promise.race([this.nc.drain().then(() => 'drained' as const, () => 'failed' as const), gaveUp]);
    clearTimeout(timer);
    if (drained !== 'drained') await this.nc.close().catch(() => {});
  }

  // ---- internals ----

  publishWire(subject: string, wire: WireMessage): void {
    this.nc.publish(subject, wire.data, { headers: recordToHeaders(wire.headers) });
  }

  private encodeChecked(msg: Outgoing): WireMessage {
    const wire = encode(msg);
    if (wire.data.length > this.maxPayload) throw new PayloadTooLargeError(wire.data.length, this.maxPayload);
    return wire;
  }

  private addSub<T>(pattern: string, opts: SubscribeOptions, run: (msg: Incoming<T>, m: Msg) => Promise<void>): Subscription {
    assertPattern(pattern);
    const mailbox = new Mailbox(opts.concurrency ?? 1, (err) =>
      this.log.error({ err, subject: pattern }, 'subscription handler failed'),
    );
    const subOpts: { queue?: string; callback: (err: Error | null, m: Msg) => void } = {
      callback: (err, m) => {
        if (err) {
          this.log.error({ err, subject: pattern }, 'subscription error');
          return;
        }
        mailbox.push(async () => {
          const raw: RawDelivery = { subject: m.subject, data: m.data, headers: headersToRecord(m.headers) };
          const msg = tryDecode<T>(raw, opts.accept, (e, letter) => {
            this.log.warn({ subject: m.subject, reason: e.reason, error: e.message }, 'rejected message');
            if (m.reply) {
              const out = errorReply(ErrorCode.badRequest, e.message);
              m.respond(out.data, { headers: recordToHeaders(out.headers) });
            }
            if (m.subject !== malformedSubject) this.publishWire(malformedSubject, encode(letter));
          });
          if (msg) await run(msg, m);
        });
      },
    };
    if (opts.queue !== undefined) subOpts.queue = opts.queue;
    const sub = this.nc.subscribe(pattern, subOpts);
    const handle: Subscription = {
      subject: pattern,
      unsubscribe: async () => {
        this.subs.delete(handle);
        if (!sub.isClosed()) sub.unsubscribe();
        await mailbox.drain();
      },
    };
    this.subs.add(handle);
    return handle;
  }
}

function toServiceStats(s: {
  name: string;
  id: string;
  version: string;
  started: string;
  endpoints?: Array<{ name: string; subject: string; num_requests: number; num_errors: number; last_error?: string; processing_time: number; average_processing_time: number; data?: unknown }>;
}): ServiceStats {
  return {
    name: s.name,
    id: s.id,
    version: s.version,
    started: s.started,
    endpoints: (s.endpoints ?? []).map((e) => {
      const ours = e.data as Partial<ReturnType<EndpointCounter['snapshot']>> | null | undefined;
      if (ours && typeof ours.numRequests === 'number') {
        return { ...(ours as ReturnType<EndpointCounter['snapshot']>), name: e.name, subject: e.subject };
      }
      return {
        name: e.name,
        subject: e.subject,
        numRequests: e.num_requests,
        numErrors: e.num_errors,
        lastError: e.last_error ?? '',
        processingTimeMs: e.processing_time / 1e6,
        averageProcessingTimeMs: e.average_processing_time / 1e6,
      };
    }),
  };
}

export const newInstanceId = (): string => randomUUID();
