/**
 * W3C trace context (`traceparent: 00-<trace-id>-<span-id>-<flags>`). Every message is its own
 * span: a message sent in the course of handling another carries the same trace id, a new span
 * id, and its parent's span id in `retrace-parent-span`, so a run's messages form a tree that can
 * be followed across processes and exported to OpenTelemetry.
 */
import { randomFillSync } from 'node:crypto';

const TRACEPARENT_RE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceContext {
  traceId: string;
  spanId: string;
  flags: string;
}

export function parseTraceparent(value: string | undefined): TraceContext | undefined {
  if (!value) return undefined;
  const m = TRACEPARENT_RE.exec(value.trim());
  if (!m || /^0+$/.test(m[1]!) || /^0+$/.test(m[2]!)) return undefined;
  return { traceId: m[1]!, spanId: m[2]!, flags: m[3]! };
}

export function formatTraceparent(ctx: TraceContext): string {
  return `00-${ctx.traceId}-${ctx.spanId}-${ctx.flags}`;
}

// Ids come from a pool of random bytes refilled 4 KiB at a time: one randomFillSync call per
// message costs more than the rest of encoding it.
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function randomHex(bytes: number): string {
  if (poolAt + bytes > pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const hex = pool.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return hex;
}

export function newSpanId(): string {
  return randomHex(8);
}

/** A new root span in a new trace. */
export function newTrace(): TraceContext {
  return { traceId: randomHex(16), spanId: newSpanId(), flags: '01' };
}

/** A child span of `parent` (a traceparent string), or a new trace when it is absent or invalid. */
export function childSpan(parent: string | undefined): { ctx: TraceContext; parentSpanId?: string } {
  const p = parseTraceparent(parent);
  if (!p) return { ctx: newTrace() };
  return { ctx: { traceId: p.traceId, spanId: newSpanId(), flags: p.flags }, parentSpanId: p.spanId };
}

/**
 * Header with the time a message was sent: milliseconds since the epoch, sub-millisecond, by the
 * sender's clock. Set when the envelope is encoded, so a message waiting in a receiver's mailbox
 * (or in a durable queue, redelivered) keeps the moment it was sent; the recorder stamps each
 * record with it, not with the moment it got round to the message.
 */
export const SENT_HEADER = 'retrace-sent';

export function sentStamp(now: number = performance.timeOrigin + performance.now()): string {
  return now.toFixed(3);
}

/** The send time a `retrace-sent` header holds, or undefined when absent or not a time. */
export function parseSent(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const t = Number(value);
  return Number.isFinite(t) && t > 0 ? t : undefined;
}
