/** The public surface of the bus: every name other modules may import. */
export type * from './types.ts';
export {
  BusError,
  ConnectionClosedError,
  InvalidSubjectError,
  KvConflictError,
  MalformedMessageError,
  NoRespondersError,
  PayloadTooLargeError,
  RemoteError,
  TimeoutError,
} from './errors.ts';
export { MemoryBus, type MemoryBusOptions } from './memory.ts';
export { NatsBus, type NatsBusOptions } from './nats.ts';
export { ConnectFailedError, type NatsConnectOptions } from './nats-connect.ts';
export { subjects, buckets, subjectMatches, token } from './subjects.ts';
export { DEAD_LETTER_TYPE, ERROR_TYPE } from './envelope.ts';
export { childSpan, parseTraceparent, newTrace, formatTraceparent, parseSent, SENT_HEADER } from './tracing.ts';
export { DEFAULT_OUTAGE_MS, backoffMs, outageBoundMs, requestThroughOutage } from './outage.ts';
