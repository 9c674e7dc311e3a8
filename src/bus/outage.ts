/**
 * Riding out a service's absence. A service restarted by its supervisor (a graph service
 * re-indexing, a scoring node reloading) has no responders for a few seconds; work that needs it
 * waits, with backoff, up to an outage bound, instead of failing at once and spending its
 * deliveries. Only "nobody answers" is waited out: a service that answers with an error, or
 * times out, is not absent.
 *
 * The bound is `RETRACE_OUTAGE_MS` (milliseconds) from the environment, 60 s by default, so every
 * process a supervisor starts shares it.
 */
import { NoRespondersError } from './errors.ts';
import type { Bus, Incoming, Outgoing, RequestOptions } from './types.ts';

export const DEFAULT_OUTAGE_MS = 60_000;

export function outageBoundMs(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.RETRACE_OUTAGE_MS;
  if (raw === undefined || raw === '') return DEFAULT_OUTAGE_MS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`RETRACE_OUTAGE_MS must be a number of milliseconds >= 0, got "${raw}"`);
  return n;
}

/** Waits between tries: 250 ms, doubling, at most 4 s. */
export function backoffMs(attempt: number): number {
  return Math.min(4000, 250 * 2 ** Math.min(attempt, 4));
}

/**
 * `bus.request`, tried again while nobody answers on `subject`, until `boundMs` has passed since
 * the first try; then the last NoRespondersError.
 */
export async function requestThroughOutage<R = unknown, T = unknown>(bus: Bus, subject: string, msg: Outgoing<T>, opts: RequestOptions = {}, boundMs = outageBoundMs()): Promise<Incoming<R>> {
  const started = Date.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await bus.request<R, T>(subject, msg, opts);
    } catch (err) {
      if (!(err instanceof NoRespondersError)) throw err;
      const waited = Date.now() - started;
      if (waited >= boundMs) throw err;
      await new Promise((r) => setTimeout(r, Math.min(backoffMs(attempt), Math.max(0, boundMs - waited))));
    }
  }
}
