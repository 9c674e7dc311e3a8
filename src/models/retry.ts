/**
 * When to try a failed model call again, shared by the chat endpoint and the scorer.
 *
 * - Rate limited (429): always again, after the server's Retry-After when it gives one (used as
 *   given, as the openai client does), else an exponential backoff; a run is slowed, never failed, by a server that sheds load. Only a call
 *   that has waited `patienceMs` in all on 429s (30 minutes by default) gives up. (Waited time, not
 *   wall time: the same on a loaded machine, and testable without a clock.)
 * - Transient (5xx, 408, connection errors, timeouts, a body cut short): `maxRetries` times, with
 *   backoff.
 * - Anything else (401, 400, a model the server does not serve): never.
 *
 * Backoff before retry k (of either kind, 0-based): min(maxMs, baseMs * 2^k), half of it jittered.
 */
export type Failure =
  | { kind: 'rate-limited'; retryAfterMs?: number | undefined }
  | { kind: 'transient'; retryAfterMs?: number | undefined }
  | { kind: 'fatal' };

export interface RetrySettings {
  maxRetries: number;
  baseMs: number;
  maxMs: number;
  patienceMs: number;
  random: () => number;
}

export const DEFAULT_RETRY: RetrySettings = { maxRetries: 3, baseMs: 250, maxMs: 8_000, patienceMs: 30 * 60_000, random: Math.random };

/** One call's retries so far. */
export class RetryState {
  transient = 0;
  rateLimited = 0;
  /** Milliseconds waited on 429s so far. */
  waitedOnLimits = 0;

  constructor(private readonly settings: RetrySettings) {}

  /** Milliseconds to wait before trying again, or undefined: give up. */
  next(failure: Failure): number | undefined {
    const s = this.settings;
    if (failure.kind === 'fatal') return undefined;
    const limited = failure.kind === 'rate-limited';
    if (limited && this.waitedOnLimits >= s.patienceMs) return undefined;
    if (!limited && this.transient >= s.maxRetries) return undefined;
    // The backoff grows with every retry of the call, of either kind.
    const k = this.rateLimited + this.transient;
    if (limited) this.rateLimited++;
    else this.transient++;
    const ceiling = Math.min(s.maxMs, s.baseMs * 2 ** Math.min(k, 30));
    // The server's Retry-After when it gives one (as the openai client does), else the backoff.
    const delay = failure.retryAfterMs ?? ceiling / 2 + (s.random() * ceiling) / 2;
    // Each 429 counts at least 100 ms toward the patience, so `Retry-After: 0` forever still ends.
    if (limited) this.waitedOnLimits += Math.max(delay, 100);
    return delay;
  }
}

/** Retry-After as milliseconds: `retry-after-ms`, or `retry-after` in seconds or as an HTTP date. */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms') ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const after = headers?.get('retry-after');
  if (!after) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(after);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
