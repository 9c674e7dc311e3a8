/**
 * The envelope codec shared by both transports: a body encoded with msgpackr, and headers for
 * type, schema version, tracing and provenance. Decoding never throws anything but
 * MalformedMessageError, so a receiver can always answer and go on.
 */
import { Packr } from 'msgpackr';
import { MalformedMessageError } from './errors.ts';
import { childSpan, formatTraceparent, parseTraceparent, SENT_HEADER, sentStamp } from './tracing.ts';
import type { Accept, Incoming, Outgoing } from './types.ts';

export const H = {
  type: 'retrace-type',
  version: 'retrace-version',
  run: 'retrace-run',
  sender: 'retrace-sender',
  policy: 'retrace-policy',
  parentSpan: 'retrace-parent-span',
  traceparent: 'traceparent',
  sent: SENT_HEADER,
  msgId: 'Nats-Msg-Id',
} as const;

/** Type of error replies; the body is `{ code, message }`. */
export const ERROR_TYPE = 'retrace.error';
/** Type of dead letters; the body is a `DeadLetter`. */
export const DEAD_LETTER_TYPE = 'retrace.deadletter';

// Plain maps on the wire (no msgpackr record extension), so any msgpack reader can decode bodies.
const packr = new Packr({ useRecords: false, mapsAsObjects: true });

export interface WireMessage {
  data: Uint8Array;
  headers: Record<string, string>;
}

export function encodeBody(body: unknown): Uint8Array {
  return packr.pack(body);
}

export function decodeBody(data: Uint8Array): unknown {
  return packr.unpack(data);
}

export function encode(msg: Outgoing): WireMessage {
  if (typeof msg.type !== 'string' || msg.type.length === 0) {
    throw new TypeError('a message needs a non-empty type');
  }
  const { ctx, parentSpanId } = childSpan(msg.traceparent);
  const headers: Record<string, string> = {
    [H.type]: msg.type,
    [H.version]: String(msg.version ?? 1),
    [H.traceparent]: formatTraceparent(ctx),
    [H.sent]: sentStamp(),
  };
  if (parentSpanId) headers[H.parentSpan] = parentSpanId;
  if (msg.run !== undefined) headers[H.run] = msg.run;
  if (msg.sender !== undefined) headers[H.sender] = msg.sender;
  if (msg.policy !== undefined) headers[H.policy] = msg.policy;
  return { data: encodeBody(msg.body), headers };
}

export function decode<T = unknown>(
  subject: string,
  data: Uint8Array,
  headers: Record<string, string>,
  accept?: Accept,
): Incoming<T> {
  const type = headers[H.type];
  if (!type) throw new MalformedMessageError('malformed', `message on ${subject} has no ${H.type} header`);
  const version = Number(headers[H.version] ?? '1');
  if (!Number.isInteger(version) || version < 1) {
    throw new MalformedMessageError('malformed', `message on ${subject} has a bad ${H.version} header`);
  }
  let body: unknown;
  try {
    body = data.length === 0 ? undefined : decodeBody(data);
  } catch (err) {
    throw new MalformedMessageError('malformed', `message on ${subject} does not decode: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (accept) {
    const schema = accept[type];
    if (!schema) {
      throw new MalformedMessageError(
        'unknown-type',
        `message type "${type}" is not accepted on ${subject} (accepted: ${Object.keys(accept).join(', ')})`,
      );
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
      throw new MalformedMessageError('invalid-body', `message type "${type}" on ${subject} fails its schema: ${issues}`);
    }
    body = parsed.data;
  }
  const traceparent = parseTraceparent(headers[H.traceparent]) ? headers[H.traceparent]! : '';
  const msg: Incoming<T> = { subject, type, version, body: body as T, traceparent, headers };
  if (headers[H.run] !== undefined) msg.run = headers[H.run];
  if (headers[H.sender] !== undefined) msg.sender = headers[H.sender];
  if (headers[H.policy] !== undefined) msg.policy = headers[H.policy];
  return msg;
}
