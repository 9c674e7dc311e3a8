/**
 * Which records of a trace are copies of one message, so the views show each message once.
 *
 * Two kinds of copy. The same envelope heard twice (a publish sent again after a lost ack, a
 * result heard on the bus and taken from the queue) has the same span id: a copy wherever it
 * appears. The same message sent again because its work was done again (the work redelivered
 * after a node was killed) has a new span but the same producer id (work and results: what the
 * queue deduplicates on), or the same job and place (a step's index; a search's chunk and target):
 * a copy within one start of the run. Across starts it is not: a resumed run really sends again
 * the work its first start left unanswered.
 */
import type { TraceRecord } from './record.ts';

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** 32-bit FNV-1a: a short stand-in for a search's target text in its key. */
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16);
}

const kindOf = (subject: string) => subject.split('.')[2];

/** The identity a message keeps when its work is done again; undefined when it has none. */
export function logicalId(r: TraceRecord): string | undefined {
  if (r.msgId) return `m\u0000${r.msgId}`;
  const b = obj(r.body);
  const job = typeof b.job === 'string' ? b.job : undefined;
  if (job === undefined) return undefined;
  const kind = kindOf(r.subject);
  if (kind === 'trace' && typeof b.index === 'number') return `s\u0000${job}\u0000${b.index}`;
  if (kind === 'event' && r.subject.endsWith('.event.search')) {
    const target = typeof b.target === 'string' ? b.target : '';
    return `q\u0000${job}\u0000${String(b.path)}\u0000${String(b.chunk)}\u0000${target.length}:${fnv1a(target)}`;
  }
  return undefined;
}

/** Span id of the envelope (from its traceparent), or undefined when it has none. */
function spanOf(r: TraceRecord): string | undefined {
  const parts = r.traceparent ? r.traceparent.split('-') : [];
  return parts.length === 4 ? parts[2] : undefined;
}

/** Tells copies from first sightings; `newStart()` at each start boundary of a resumed run. */
export class CopyFilter {
  private readonly spans = new Set<string>();
  private logical = new Set<string>();
  dropped = 0;

  newStart(): void {
    this.logical = new Set();
  }

  /** True when `r` is the first sighting of its message (and remembers it). */
  admit(r: TraceRecord): boolean {
    const span = spanOf(r);
    const id = logicalId(r);
    if ((span !== undefined && this.spans.has(span)) || (id !== undefined && this.logical.has(id))) {
      this.dropped++;
      return false;
    }
    if (span !== undefined) this.spans.add(span);
    if (id !== undefined) this.logical.add(id);
    return true;
  }
}
