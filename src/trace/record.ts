/**
 * The trace file format: JSON Lines. The first line is a header (`{ "trace": 1, run, ... }`),
 * then one line per message of the run, in the order the recorder received them. A resumed run
 * appends to its trace: another header line (`start: 2`, ...) marks where each start begins.
 * docs/tracing.md describes every field.
 */
import { parseSent, SENT_HEADER, type Incoming } from '../bus/mod.ts';

export const TRACE_FORMAT = 1;

/** Header name of the span id of the message a message was sent from (see src/bus/tracing.ts). */
export const PARENT_SPAN_HEADER = 'retrace-parent-span';

/** Strings in bodies longer than this are cut in the record (file contents, observations). */
export const DEFAULT_MAX_STRING = 2000;

export interface TraceHeader {
  trace: typeof TRACE_FORMAT;
  run: string;
  /** ISO time the recorder started. */
  started: string;
  /** The longest string kept whole in a body; 0: nothing is cut. */
  maxString: number;
  /** Which start of the run the lines below belong to: 1 (absent) for the first, 2 after a resume, ... */
  start?: number;
  /** The spec of each policy revision the run's roles started with (`id@revision` -> spec), secrets left out. */
  policies?: Record<string, unknown>;
}

/** Params whose names say they hold a secret: never written to a trace. */
const SECRET_PARAM = /key|token|secret|password|credential/i;

/** A policy spec as a trace keeps it: every param that may be a secret replaced by `[redacted]`. */
export function redactSpec(spec: unknown): unknown {
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return spec;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) {
    if (SECRET_PARAM.test(k)) out[k] = '[redacted]';
    else out[k] = v && typeof v === 'object' && !Array.isArray(v) ? redactSpec(v) : v;
  }
  return out;
}

export interface TraceRecord {
  /** Arrival order, from 0 (continued across the starts of a resumed run). */
  seq: number;
  /**
   * When the message was sent (its `retrace-sent` header, the sender's clock), else when it
   * arrived; milliseconds since the epoch, sub-millisecond resolution.
   */
  time: number;
  /** When the recorder received it (its own clock). */
  arrived?: number;
  subject: string;
  type: string;
  sender?: string;
  policy?: string;
  traceparent: string;
  /** Span id of the message this one was sent from (`retrace-parent-span`). */
  parentSpan?: string;
  /** The producer's message id of a queued message (`Nats-Msg-Id`): what the queue deduplicates on. */
  msgId?: string;
  /**
   * `queue`: not heard on the bus but taken by the run from its durable results queue (sent while
   * no recorder listened: between the starts of a resumed run).
   */
  via?: 'queue';
  /** The agents' job id, when the body names one. */
  job?: string;
  /** Bytes of the body as JSON, before any cut. */
  size: number;
  body: unknown;
  /** How many strings of the body were cut. */
  cut?: number;
}

const MSG_ID_HEADER = 'Nats-Msg-Id';

/** The record of one message that arrived at `arrived`; long strings of the body are cut to `maxString` characters. */
export function toRecord(msg: Incoming, seq: number, arrived: number, maxString: number): TraceRecord {
  const json = JSON.stringify(msg.body ?? null);
  const rec: TraceRecord = {
    seq,
    time: parseSent(msg.headers[SENT_HEADER]) ?? arrived,
    arrived,
    subject: msg.subject,
    type: msg.type,
    traceparent: msg.traceparent,
    size: Buffer.byteLength(json),
    body: null,
  };
  if (msg.sender !== undefined) rec.sender = msg.sender;
  if (msg.policy !== undefined) rec.policy = msg.policy;
  const parent = msg.headers[PARENT_SPAN_HEADER];
  if (parent) rec.parentSpan = parent;
  const msgId = msg.headers[MSG_ID_HEADER];
  if (msgId) rec.msgId = msgId;
  const job = jobOf(msg.body);
  if (job !== undefined) rec.job = job;
  const counter = { cut: 0 };
  rec.body = maxString > 0 ? cutStrings(msg.body ?? null, maxString, counter) : (msg.body ?? null);
  if (counter.cut > 0) rec.cut = counter.cut;
  return rec;
}

function jobOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && 'job' in body) {
    const job = (body as { job: unknown }).job;
    if (typeof job === 'string') return job;
  }
  return undefined;
}

function cutStrings(value: unknown, max: number, counter: { cut: number }): unknown {
  if (typeof value === 'string') {
    if (value.length <= max) return value;
    counter.cut++;
    return `${value.slice(0, max)}… [${value.length - max} more characters cut by the recorder]`;
  }
  if (Array.isArray(value)) return value.map((v) => cutStrings(v, max, counter));
  if (value instanceof Uint8Array) return `<${value.length} bytes>`;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = cutStrings(v, max, counter);
    return out;
  }
  return value;
}
