/**
 * One suite for every Limiter (Hono-style): in memory (one process) and through KV (a cluster),
 * the latter on MemoryBus and on a real nats-server with one connection per "process".
 * `limiters(n, clock)` gives n limiters that share their limits (n processes of one cluster, or
 * n callers of one in-memory limiter).
 */
import { describe, expect, it } from 'vitest';
import type { Clock, Limiter } from '../../src/models/mod.ts';
import { unique } from '../support/wait.ts';

/** Virtual time: `sleep` moves the clock on and resolves at once, so waits are measured, never slept. */
export function virtualClock(): Clock & { slept: number[] } {
  let now = 1_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += Math.max(1, ms);
      await new Promise((r) => setImmediate(r));
    },
  };
}

export function runLimiterSuite(name: string, limiters: (n: number, clock?: Clock) => Promise<Limiter[]>): void {
  describe(`Limiter conformance: ${name}`, () => {
    it('never lets more than maxInFlight requests of an endpoint be in flight, across its sharers', async () => {
      const ls = await limiters(3);
      const endpoint = unique('http://gpu/v1');
      let inFlight = 0;
      let most = 0;
      await Promise.all(
        Array.from({ length: 24 }, async (_, k) => {
          const permit = await ls[k % ls.length]!.acquire(endpoint, { maxInFlight: 2 }, { tokens: 10, leaseMs: 60_000 });
          inFlight++;
          most = Math.max(most, inFlight);
          await new Promise((r) => setTimeout(r, 5));
          inFlight--;
          await permit.release(10);
        }),
      );
      expect(most).toBe(2);
      await Promise.all(ls.map((l) => l.close()));
    });

    it('keeps endpoints apart: a full endpoint does not hold back another', async () => {
      const [l] = await limiters(1);
      const a = unique('http://a/v1');
      const b = unique('http://b/v1');
      const held = await l!.acquire(a, { maxInFlight: 1 }, { tokens: 1, leaseMs: 60_000 });
      const other = await l!.acquire(b, { maxInFlight: 1 }, { tokens: 1, leaseMs: 60_000 });
      await other.release(1);
      await held.release(1);
      await l!.close();
    });

    it('spends at most tokensPerMinute per minute, and waits for the bucket to refill', async () => {
      const clock = virtualClock();
      const [l] = await limiters(1, clock);
      const endpoint = unique('http://tpm/v1');
      const starts: number[] = [];
      for (let k = 0; k < 6; k++) {
        const permit = await l!.acquire(endpoint, { tokensPerMinute: 300 }, { tokens: 100, leaseMs: 60_000 });
        starts.push(clock.now());
        await permit.release(100);
      }
      const t0 = starts[0]!;
      // A full bucket pays for three; each further 100 tokens take 20 s to refill (300 per minute).
      expect(starts.slice(0, 3).map((t) => t - t0)).toEqual([0, 0, 0]);
      for (let k = 3; k < 6; k++) expect(starts[k]! - t0).toBeGreaterThanOrEqual((k - 2) * 20_000);
      expect(starts[5]! - t0).toBeLessThan(4 * 20_000);
      await l!.close();
    });

    it('charges what the usage says, not the estimate, and gives a failed request its tokens back', async () => {
      const clock = virtualClock();
      const [l] = await limiters(1, clock);
      const endpoint = unique('http://usage/v1');
      const limits = { tokensPerMinute: 600 };
      const t0 = clock.now();
      // Estimated 100, cost 600: the bucket is empty after it.
      await (await l!.acquire(endpoint, limits, { tokens: 100, leaseMs: 60_000 })).release(600);
      // A failure costs nothing.
      await (await l!.acquire(endpoint, limits, { tokens: 300, leaseMs: 60_000 })).release();
      expect(clock.now() - t0).toBeGreaterThanOrEqual(30_000);
      const before = clock.now();
      await (await l!.acquire(endpoint, limits, { tokens: 300, leaseMs: 60_000 })).release(300);
      // The refund left 300 in the bucket: no wait.
      expect(clock.now() - before).toBe(0);
      await l!.close();
    });

    it('lets a request larger than the whole budget through once the bucket is full', async () => {
      const clock = virtualClock();
      const [l] = await limiters(1, clock);
      const permit = await l!.acquire(unique('http://big/v1'), { tokensPerMinute: 100 }, { tokens: 5_000, leaseMs: 60_000 });
      await permit.release(5_000);
      await l!.close();
    });
  });
}
