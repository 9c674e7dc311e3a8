/**
 * Limits shared by every process of a cluster, through the KV bucket `retrace-model-limits`
 * (compare-and-set on each change, so no two processes take the same slot or the same tokens):
 *
 * - `inflight.<endpoint hash>`: the holders of the endpoint's slots, each with a lease expiry. A
 *   slot is taken by adding a holder when fewer than `maxInFlight` live ones are there, and given
 *   back by removing it. A process that dies holding slots loses them when their leases lapse
 *   (a request's timeout plus a margin), so a crash never shrinks the limit for good.
 * - `tokens.<endpoint hash>`: the token bucket, `{ tokens, at }`, refilled from `at` by whoever
 *   takes from it next.
 *
 * A taker that finds no room polls (5 ms, doubling to 100 ms, or sooner when a lease lapses or
 * the bucket refills first).
 * Times are each process's clock: machines of a cluster are assumed to agree within a second.
 */
import { randomBytes } from 'node:crypto';
import type { Bus, KvBucket } from '../bus/mod.ts';
import { KvConflictError } from '../bus/errors.ts';
import { sha256 } from './call-key.ts';
import { bucketShare, realClock, refilled, refillWaitMs, type AcquireOptions, type Clock, type EndpointLimits, type Limiter, type Permit } from './limits.ts';

export const MODEL_LIMITS_BUCKET = 'retrace-model-limits';
/** Added to a request's timeout for its lease. */
const LEASE_MARGIN_MS = 5_000;

interface Slots {
  holders: Record<string, number>;
}
interface Bucket {
  tokens: number;
  at: number;
}
type Value = Slots | Bucket;

const endpointId = (endpoint: string) => sha256(endpoint).slice(0, 24);

export class KvLimiter implements Limiter {
  readonly #id = `${process.pid}-${randomBytes(4).toString('hex')}`;
  #next = 0;

  private constructor(
    private readonly kv: KvBucket<Value>,
    private readonly clock: Clock,
  ) {}

  static async open(bus: Bus, clock: Clock = realClock): Promise<KvLimiter> {
    return new KvLimiter(await bus.kv<Value>(MODEL_LIMITS_BUCKET), clock);
  }

  async acquire(endpoint: string, limits: EndpointLimits, opts: AcquireOptions): Promise<Permit> {
    const id = endpointId(endpoint);
    const perMinute = limits.tokensPerMinute;
    const taken = perMinute ? bucketShare(opts.tokens, perMinute) : 0;
    if (perMinute) await this.takeTokens(`tokens.${id}`, taken, perMinute, opts.signal);
    const holder = `${this.#id}-${this.#next++}`;
    const slots = `inflight.${id}`;
    if (limits.maxInFlight) await this.takeSlot(slots, holder, limits.maxInFlight, opts.leaseMs + LEASE_MARGIN_MS, opts.signal);
    let released = false;
    return {
      release: async (spent) => {
        if (released) return;
        released = true;
        try {
          if (limits.maxInFlight) await this.freeSlot(slots, holder);
          if (perMinute && spent !== taken) await this.adjustTokens(`tokens.${id}`, taken - (spent ?? 0), perMinute);
        } catch {
          // The bus is gone (the process is stopping): the lease lapses by itself, the bucket refills.
        }
      },
    };
  }

  async close(): Promise<void> {}

  /** Runs `change` on the key's value with compare-and-set until it sticks; `change` may say to wait and look again. */
  private async cas<T extends Value>(key: string, change: (value: T | undefined) => { value: T } | { waitMs: number }, signal?: AbortSignal): Promise<void> {
    for (let idle = 0; ; ) {
      signal?.throwIfAborted();
      const entry = await this.kv.get(key);
      const outcome = change(entry?.value as T | undefined);
      if ('waitMs' in outcome) {
        await this.clock.sleep(Math.min(outcome.waitMs, Math.min(100, 5 * 2 ** idle++)), signal);
        continue;
      }
      try {
        if (entry) await this.kv.update(key, outcome.value, entry.revision);
        else await this.kv.create(key, outcome.value);
        return;
      } catch (err) {
        if (!(err instanceof KvConflictError)) throw err;
      }
    }
  }

  private takeSlot(key: string, holder: string, max: number, leaseMs: number, signal?: AbortSignal): Promise<void> {
    return this.cas<Slots>(key, (value) => {
      const now = this.clock.now();
      const live = Object.fromEntries(Object.entries(value?.holders ?? {}).filter(([, until]) => until > now));
      if (Object.keys(live).length >= max) return { waitMs: Math.min(...Object.values(live)) - now };
      return { value: { holders: { ...live, [holder]: now + leaseMs } } };
    }, signal);
  }

  private freeSlot(key: string, holder: string): Promise<void> {
    return this.cas<Slots>(key, (value) => {
      const holders = { ...value?.holders };
      delete holders[holder];
      return { value: { holders } };
    });
  }

  private takeTokens(key: string, wanted: number, perMinute: number, signal?: AbortSignal): Promise<void> {
    return this.cas<Bucket>(key, (value) => {
      const now = this.clock.now();
      const tokens = value ? refilled(value.tokens, now - value.at, perMinute) : perMinute;
      if (tokens < wanted) return { waitMs: refillWaitMs(tokens, wanted, perMinute) };
      return { value: { tokens: tokens - wanted, at: now } };
    }, signal);
  }

  private adjustTokens(key: string, refund: number, perMinute: number): Promise<void> {
    return this.cas<Bucket>(key, (value) => {
      const now = this.clock.now();
      const tokens = value ? refilled(value.tokens, now - value.at, perMinute) : perMinute;
      return { value: { tokens: Math.min(perMinute, tokens + refund), at: now } };
    });
  }
}
