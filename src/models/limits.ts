/**
 * Limits on what one endpoint is sent: requests in flight and tokens per minute. A permit is
 * taken before each request (each HTTP attempt) and given back when it is answered or fails.
 *
 * Tokens are a token bucket holding at most one minute's worth, refilled continuously. A request
 * takes its estimate (prompt characters / 4 plus its completion limit) before it is sent; when it
 * is answered, the bucket is corrected by what the response's `usage` says it cost (a failed
 * request gives its estimate back). A request larger than the whole budget waits for a full
 * bucket, so it is slowed, never refused.
 *
 * Two implementations behind `Limiter`: this file's (one process, in memory) and kv-limiter.ts
 * (every process of a cluster, through a KV bucket). Both are held to one suite (test/models).
 */

export interface EndpointLimits {
  /** Requests in flight at once, per endpoint; none when absent. */
  maxInFlight?: number | undefined;
  /** Tokens (prompt + completion) per minute, per endpoint; none when absent. */
  tokensPerMinute?: number | undefined;
}

export interface Permit {
  /** Gives the slot back; `spentTokens` (from the response's usage) corrects the estimate. Idempotent. */
  release(spentTokens?: number): Promise<void>;
}

export interface AcquireOptions {
  /** The request's token estimate. */
  tokens: number;
  /** Longest the request may take (its timeout): a cluster lease lapses after it. */
  leaseMs: number;
  signal?: AbortSignal | undefined;
}

export interface Limiter {
  acquire(endpoint: string, limits: EndpointLimits, opts: AcquireOptions): Promise<Permit>;
  close(): Promise<void>;
}

export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason as Error);
      const timer = setTimeout(resolve, Math.max(0, ms));
      signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        reject(signal.reason as Error);
      }, { once: true });
    }),
};

/** A request's token estimate: its prompt's characters / 4, plus the completion it may ask for. */
export function estimateTokens(promptChars: number, completionLimit: number): number {
  return Math.ceil(promptChars / 4) + completionLimit;
}

/** Tokens a request may take from a bucket of `perMinute`: never more than the bucket holds. */
export function bucketShare(tokens: number, perMinute: number): number {
  return Math.min(Math.max(0, tokens), perMinute);
}

/** A bucket's tokens after `elapsedMs` of refilling at `perMinute`, capped at `perMinute`. */
export function refilled(tokens: number, elapsedMs: number, perMinute: number): number {
  return Math.min(perMinute, tokens + (Math.max(0, elapsedMs) * perMinute) / 60_000);
}

/** Milliseconds until a bucket holding `tokens` holds `wanted`. */
export function refillWaitMs(tokens: number, wanted: number, perMinute: number): number {
  return Math.ceil(((wanted - tokens) * 60_000) / perMinute);
}

interface EndpointState {
  inFlight: number;
  waiting: Array<() => void>;
  tokens: number;
  at: number;
  /** Token takers in turn (first come, first served). */
  turn: Promise<void>;
}

/** Limits within one process. */
export class MemoryLimiter implements Limiter {
  readonly #endpoints = new Map<string, EndpointState>();

  constructor(private readonly clock: Clock = realClock) {}

  async acquire(endpoint: string, limits: EndpointLimits, opts: AcquireOptions): Promise<Permit> {
    const state = this.state(endpoint, limits);
    const perMinute = limits.tokensPerMinute;
    const taken = perMinute ? bucketShare(opts.tokens, perMinute) : 0;
    if (perMinute) await this.takeTokens(state, taken, perMinute, opts.signal);
    if (limits.maxInFlight) await this.takeSlot(state, limits.maxInFlight, opts.signal);
    else state.inFlight++;
    let released = false;
    return {
      release: async (spent) => {
        if (released) return;
        released = true;
        if (perMinute) state.tokens -= (spent ?? 0) - taken;
        state.inFlight--;
        state.waiting.shift()?.();
      },
    };
  }

  async close(): Promise<void> {
    this.#endpoints.clear();
  }

  private state(endpoint: string, limits: EndpointLimits): EndpointState {
    let s = this.#endpoints.get(endpoint);
    if (!s) {
      s = { inFlight: 0, waiting: [], tokens: limits.tokensPerMinute ?? 0, at: this.clock.now(), turn: Promise.resolve() };
      this.#endpoints.set(endpoint, s);
    }
    return s;
  }

  private takeTokens(s: EndpointState, wanted: number, perMinute: number, signal?: AbortSignal): Promise<void> {
    const mine = s.turn.then(async () => {
      for (;;) {
        const now = this.clock.now();
        s.tokens = refilled(s.tokens, now - s.at, perMinute);
        s.at = now;
        if (s.tokens >= wanted) {
          s.tokens -= wanted;
          return;
        }
        await this.clock.sleep(refillWaitMs(s.tokens, wanted, perMinute), signal);
      }
    });
    s.turn = mine.catch(() => {});
    return mine;
  }

  private async takeSlot(s: EndpointState, max: number, signal?: AbortSignal): Promise<void> {
    while (s.inFlight >= max) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve) => s.waiting.push(resolve));
    }
    s.inFlight++;
  }
}
