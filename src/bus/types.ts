/**
 * The bus contract. Everything in Retrace talks through a `Bus`; two transports implement it
 * (`MemoryBus` in-process, `NatsBus` on NATS) and one conformance suite (test/bus) holds both to
 * the same semantics. Nothing outside src/bus imports a NATS package.
 *
 * Messages are envelopes: a typed body (encoded with msgpackr on the wire, by both transports)
 * plus headers for tracing and provenance. Handlers receive decoded envelopes; a message that does
 * not decode, or whose type/body the receiver does not accept, never reaches a handler: it is
 * answered with an error (for requests) and recorded on a dead-letter subject.
 */
import type { ZodType } from 'zod';

/** What a sender supplies. Only `type` and `body` are required. */
export interface Outgoing<T = unknown> {
  /** Message type, dotted, e.g. `graph.deps.request`. */
  type: string;
  /** Schema version of `type`; defaults to 1. */
  version?: number;
  body: T;
  /** W3C traceparent; a fresh trace is started when absent. */
  traceparent?: string;
  /** Run id this message belongs to. */
  run?: string;
  /** Sender, `role/instance` or a service name. */
  sender?: string;
  /** Policy id@revision that produced the message, when a policy did. */
  policy?: string;
}

/** What a receiver gets. */
export interface Incoming<T = unknown> {
  subject: string;
  type: string;
  version: number;
  body: T;
  traceparent: string;
  run?: string;
  sender?: string;
  policy?: string;
  /** Every header as sent, for tracing and debugging. */
  headers: Readonly<Record<string, string>>;
}

/**
 * Accepted message types for a handler: type -> zod schema of the body. When given, a message of
 * another type, or whose body fails the schema, is rejected before the handler runs.
 */
export type Accept = Readonly<Record<string, ZodType>>;

export type Handler<T = unknown> = (msg: Incoming<T>) => void | Promise<void>;
export type Responder<T = unknown, R = unknown> = (msg: Incoming<T>) => Outgoing<R> | Promise<Outgoing<R>>;

export interface SubscribeOptions {
  /** Queue group: each message goes to one member of the group. */
  queue?: string;
  accept?: Accept;
  /** Handler invocations in flight at once for this subscription; 1 (in order) by default. */
  concurrency?: number;
}

export interface Subscription {
  readonly subject: string;
  /** Stops delivery; resolves when handlers in flight have finished. */
  unsubscribe(): Promise<void>;
}

export interface RequestOptions {
  /** Milliseconds to wait for the reply; 5000 by default. */
  timeoutMs?: number;
  accept?: Accept;
}

export interface WorkQueueOptions {
  /** Subjects captured by the queue; `<name>.>` style patterns. Defaults to [`retrace.work.<name>.>`]. */
  subjects?: string[];
  /** How long a delivered job may go without ack or heartbeat before it is redelivered. */
  ackWaitMs: number;
  /** Deliveries before a job is dead-lettered (>= 1). Never unlimited. */
  maxDeliver: number;
  /** Where dead jobs go; `retrace-dlq.<name>` by default. */
  deadLetterSubject?: string;
  /** Producer dedupe window for message ids; 2 minutes by default. */
  duplicateWindowMs?: number;
  /** Delay before a job whose handler threw is delivered again; 0 by default. */
  retryDelayMs?: number;
  /**
   * Only enqueues: sets up nothing and changes no settings (whoever consumes the queue set it up;
   * on NATS, a user that may only publish into the stream opens it so). On NATS an enqueue waits
   * up to a minute for a stream to capture the subject, then fails.
   */
  produceOnly?: boolean;
}

export interface EnqueueOptions {
  /** Producer message id: a second enqueue with the same id inside the window is dropped. */
  msgId?: string;
}

export interface EnqueueResult {
  seq: number;
  duplicate: boolean;
}

export interface Job<T = unknown> extends Incoming<T> {
  /** 1 on first delivery. */
  readonly deliveryCount: number;
  /** Heartbeat: resets the ack wait so long work is not redelivered. */
  working(): void;
}

export interface ConsumeOptions {
  /** Jobs handled at once by this consumer; 1 by default. */
  concurrency?: number;
  accept?: Accept;
}

export interface Consumer {
  /** Stops taking jobs; resolves when jobs in flight have finished (acked or naked). */
  stop(): Promise<void>;
}

export interface WorkQueueInfo {
  name: string;
  /** Jobs stored and not yet acknowledged (pending or in flight). */
  messages: number;
}

export interface WorkQueue {
  readonly name: string;
  readonly deadLetterSubject: string;
  enqueue<T>(subject: string, msg: Outgoing<T>, opts?: EnqueueOptions): Promise<EnqueueResult>;
  /**
   * Handles jobs at least once: the job is acked when the handler resolves; when it throws, or
   * neither acks nor heartbeats within the ack wait, it is delivered again; after `maxDeliver`
   * deliveries it is published to the dead-letter subject (a `retrace.deadletter` envelope) and
   * removed from the queue.
   */
  consume<T>(handler: (job: Job<T>) => Promise<void>, opts?: ConsumeOptions): Consumer;
  info(): Promise<WorkQueueInfo>;
}

/** Body of a `retrace.deadletter` envelope. Nothing is lost: the raw message travels with it. */
export interface DeadLetter {
  subject: string;
  reason: 'max-deliveries' | 'malformed' | 'unknown-type' | 'invalid-body';
  error: string;
  deliveryCount: number;
  headers: Record<string, string>;
  data: Uint8Array;
  queue?: string;
  at: string;
}

export interface KvEntry<T = unknown> {
  bucket: string;
  key: string;
  value: T | undefined;
  revision: number;
  operation: 'PUT' | 'DEL';
}

export interface KvOptions {
  /** Values kept per key (history); 1 by default. */
  history?: number;
}

export interface KvWatch<T = unknown> extends AsyncIterable<KvEntry<T>> {
  stop(): void;
}

export interface KvBucket<T = unknown> {
  readonly bucket: string;
  get(key: string): Promise<KvEntry<T> | undefined>;
  /** Unconditional write; returns the new revision. */
  put(key: string, value: T): Promise<number>;
  /** Write only if the key does not exist; KvConflictError otherwise. */
  create(key: string, value: T): Promise<number>;
  /** Compare-and-set: write only if the key's revision is `revision`; KvConflictError otherwise. */
  update(key: string, value: T, revision: number): Promise<number>;
  delete(key: string): Promise<void>;
  keys(): Promise<string[]>;
  /**
   * The key's kept revisions, oldest first, deletes included (as many as the bucket's `history`
   * keeps; empty for a key never written).
   */
  history(key: string): Promise<KvEntry<T>[]>;
  /** Current values (in revision order), then every update as it happens. */
  watch(opts?: { key?: string }): Promise<KvWatch<T>>;
}

/**
 * Named blobs too large for a KV value (a repository's records, a checkpoint), streamed in chunks.
 * A `put` replaces the object whole: readers see the old bytes or the new, never a mix.
 */
export interface ObjectBucket {
  readonly bucket: string;
  /** Stores `data` under `name`; returns its size in bytes. */
  put(name: string, data: AsyncIterable<Uint8Array>): Promise<number>;
  /** The object's bytes, chunk by chunk; undefined when there is none. */
  get(name: string): Promise<AsyncIterable<Uint8Array> | undefined>;
  delete(name: string): Promise<void>;
  /** Names of the objects held, sorted. */
  list(): Promise<string[]>;
}

export interface ServiceEndpoint {
  name: string;
  subject: string;
  handler: Responder;
  accept?: Accept;
  concurrency?: number;
}

export interface ServiceDefinition {
  name: string;
  version: string;
  description?: string;
  /** Queue group of every endpoint; `q` (the micro-services default) when absent. */
  queue?: string;
  endpoints: ServiceEndpoint[];
  metadata?: Record<string, string>;
}

export interface EndpointStats {
  name: string;
  subject: string;
  numRequests: number;
  numErrors: number;
  lastError: string;
  processingTimeMs: number;
  averageProcessingTimeMs: number;
}

export interface ServiceStats {
  name: string;
  id: string;
  version: string;
  started: string;
  endpoints: EndpointStats[];
}

export interface ServiceHandle {
  readonly name: string;
  readonly id: string;
  stats(): Promise<ServiceStats>;
  stop(): Promise<void>;
}

export interface Bus {
  readonly transport: 'memory' | 'nats';
  publish<T>(subject: string, msg: Outgoing<T>): Promise<void>;
  subscribe<T>(subject: string, handler: Handler<T>, opts?: SubscribeOptions): Subscription;
  /** One reply, or TimeoutError / NoRespondersError / RemoteError. */
  request<R = unknown, T = unknown>(subject: string, msg: Outgoing<T>, opts?: RequestOptions): Promise<Incoming<R>>;
  /** Answers requests on `subject`; a thrown error is sent back as a RemoteError. */
  reply<T = unknown, R = unknown>(subject: string, responder: Responder<T, R>, opts?: SubscribeOptions): Subscription;
  workQueue(name: string, opts: WorkQueueOptions): Promise<WorkQueue>;
  kv<T = unknown>(bucket: string, opts?: KvOptions): Promise<KvBucket<T>>;
  /** An object bucket (NATS object store on NATS), created on first use. */
  objects(bucket: string): Promise<ObjectBucket>;
  /** Registers a group of endpoints as a service (NATS micro protocol on NATS). */
  service(def: ServiceDefinition): Promise<ServiceHandle>;
  /** Stats of every running instance of the named service (or of all services). */
  discover(name?: string, opts?: { timeoutMs?: number }): Promise<ServiceStats[]>;
  /** Resolves when everything published so far has reached the transport. */
  flush(): Promise<void>;
  close(): Promise<void>;
}
