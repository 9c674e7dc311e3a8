/**
 * Per-endpoint request counting shared by both transports, so `discover()` reports the same
 * numbers everywhere. (The NATS micro library times handlers synchronously, which says nothing of
 * async handlers; our counts ride along in the stats' `data` field there.)
 */
import type { EndpointStats, Responder } from './types.ts';

export class EndpointCounter {
  numRequests = 0;
  numErrors = 0;
  lastError = '';
  processingTimeMs = 0;

  constructor(
    readonly name: string,
    readonly subject: string,
  ) {}

  /** Wraps a responder so every call is counted and timed; errors are counted and rethrown. */
  wrap<T, R>(responder: Responder<T, R>): Responder<T, R> {
    return async (msg) => {
      const start = performance.now();
      try {
        return await responder(msg);
      } catch (err) {
        this.numErrors++;
        this.lastError = err instanceof Error ? err.message : String(err);
        throw err;
      } finally {
        this.numRequests++;
        this.processingTimeMs += performance.now() - start;
      }
    };
  }

  /** Counts a request rejected before the responder ran (malformed, unknown type). */
  reject(reason: string): void {
    this.numRequests++;
    this.numErrors++;
    this.lastError = reason;
  }

  snapshot(): EndpointStats {
    return {
      name: this.name,
      subject: this.subject,
      numRequests: this.numRequests,
      numErrors: this.numErrors,
      lastError: this.lastError,
      processingTimeMs: this.processingTimeMs,
      averageProcessingTimeMs: this.numRequests === 0 ? 0 : this.processingTimeMs / this.numRequests,
    };
  }
}
