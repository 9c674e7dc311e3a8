/**
 * Bus errors. Callers branch on the class, never on the message text. Each transport maps its
 * own failures onto these.
 */

export class BusError extends Error {
  override name = 'BusError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** A request got no reply within its timeout (someone was listening). */
export class TimeoutError extends BusError {
  override name = 'TimeoutError';
  constructor(
    readonly subject: string,
    readonly timeoutMs: number,
    options?: ErrorOptions,
  ) {
    super(`request on ${subject} timed out after ${timeoutMs} ms`, options);
  }
}

/** A request went to a subject nobody is listening on. */
export class NoRespondersError extends BusError {
  override name = 'NoRespondersError';
  constructor(
    readonly subject: string,
    options?: ErrorOptions,
  ) {
    super(`no responders on ${subject}`, options);
  }
}

/** The responder received the request and answered with an error. */
export class RemoteError extends BusError {
  override name = 'RemoteError';
  constructor(
    readonly subject: string,
    readonly code: number,
    readonly remoteMessage: string,
    options?: ErrorOptions,
  ) {
    super(`${subject} answered ${code}: ${remoteMessage}`, options);
  }
}

/** A message that does not decode, has an unknown type, or a body that fails its schema. */
export class MalformedMessageError extends BusError {
  override name = 'MalformedMessageError';
  constructor(
    readonly reason: 'malformed' | 'unknown-type' | 'invalid-body',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A compare-and-set on a key-value bucket lost: the key's revision was not the one expected. */
export class KvConflictError extends BusError {
  override name = 'KvConflictError';
  constructor(
    readonly bucket: string,
    readonly key: string,
    readonly expectedRevision: number | undefined,
    options?: ErrorOptions,
  ) {
    super(
      expectedRevision === undefined
        ? `kv ${bucket}/${key} already exists`
        : `kv ${bucket}/${key} is not at revision ${expectedRevision}`,
      options,
    );
  }
}

/** A message larger than the transport's maximum payload. */
export class PayloadTooLargeError extends BusError {
  override name = 'PayloadTooLargeError';
  constructor(
    readonly size: number,
    readonly maxPayload: number,
    options?: ErrorOptions,
  ) {
    super(`message of ${size} bytes exceeds the maximum payload of ${maxPayload} bytes`, options);
  }
}

/** The connection is closed, or was lost while the operation was in flight. */
export class ConnectionClosedError extends BusError {
  override name = 'ConnectionClosedError';
}

/** Subject or name that the bus cannot use. */
export class InvalidSubjectError extends BusError {
  override name = 'InvalidSubjectError';
}
