/**
 * What both transports do with a message once it arrives: decode it, and when it is malformed,
 * record it on the dead-letter subject (raw bytes included, so nothing is lost) and, for a request,
 * answer with an error. Transport files only move bytes.
 */
import { decode, encode, DEAD_LETTER_TYPE, ERROR_TYPE, type WireMessage } from './envelope.ts';
import { MalformedMessageError, RemoteError } from './errors.ts';
import { subjects } from './subjects.ts';
import type { Accept, DeadLetter, Incoming, Outgoing } from './types.ts';

export interface RawDelivery {
  subject: string;
  data: Uint8Array;
  headers: Record<string, string>;
}

/** Error codes carried in error replies (HTTP-like, as NATS micro services use). */
export const ErrorCode = {
  badRequest: 400,
  handlerFailed: 500,
} as const;

export function deadLetter(
  raw: RawDelivery,
  reason: DeadLetter['reason'],
  error: string,
  deliveryCount: number,
  queue?: string,
): Outgoing<DeadLetter> {
  const body: DeadLetter = {
    subject: raw.subject,
    reason,
    error,
    deliveryCount,
    headers: raw.headers,
    data: raw.data,
    at: new Date().toISOString(),
  };
  if (queue !== undefined) body.queue = queue;
  const out: Outgoing<DeadLetter> = { type: DEAD_LETTER_TYPE, body, sender: 'bus' };
  if (raw.headers.traceparent) out.traceparent = raw.headers.traceparent;
  if (raw.headers['retrace-run']) out.run = raw.headers['retrace-run'];
  return out;
}

export function errorReply(code: number, message: string, traceparent?: string): WireMessage {
  const out: Outgoing = { type: ERROR_TYPE, body: { code, message }, sender: 'bus' };
  if (traceparent) out.traceparent = traceparent;
  return encode(out);
}

/**
 * Decodes a delivery; on failure calls `reject` with the error and the dead letter to record,
 * and returns undefined.
 */
export function tryDecode<T>(
  raw: RawDelivery,
  accept: Accept | undefined,
  reject: (err: MalformedMessageError, letter: Outgoing<DeadLetter>) => void,
): Incoming<T> | undefined {
  try {
    return decode<T>(raw.subject, raw.data, raw.headers, accept);
  } catch (err) {
    const e =
      err instanceof MalformedMessageError
        ? err
        : new MalformedMessageError('malformed', String((err as Error)?.message ?? err), { cause: err });
    reject(e, deadLetter(raw, e.reason, e.message, 1));
    return undefined;
  }
}

/** Turns a reply into an Incoming, or throws RemoteError / MalformedMessageError. */
export function decodeReply<R>(subject: string, raw: RawDelivery, accept?: Accept): Incoming<R> {
  const serviceCode = raw.headers['Nats-Service-Error-Code'];
  if (serviceCode !== undefined) {
    throw new RemoteError(subject, Number(serviceCode), raw.headers['Nats-Service-Error'] ?? 'error');
  }
  const msg = decode<unknown>(raw.subject, raw.data, raw.headers);
  if (msg.type === ERROR_TYPE) {
    const body = (msg.body ?? {}) as { code?: number; message?: string };
    throw new RemoteError(subject, Number(body.code ?? ErrorCode.handlerFailed), String(body.message ?? 'error'));
  }
  return accept ? decode<R>(raw.subject, raw.data, raw.headers, accept) : (msg as Incoming<R>);
}

export const malformedSubject = subjects.malformed();
