/**
 * A run's model-call settings, as plain data (they cross to corpus workers), and the gateway they
 * make: the cache's place, and the limits per endpoint.
 *
 * Where the cache lives:
 * - `retrace run` / `retrace corpus` (one machine): a folder beside the run's output,
 *   `<out>.model-calls/` (so a repeated run or a `--resume` of that output pays nothing twice, and
 *   deleting the output's folder deletes what it cost), or the folder `--model-cache DIR` names
 *   (one folder may serve many runs: every process that opens it shares it);
 * - `retrace agent --nats` (a cluster): NATS KV `retrace-model-calls` (object store beyond 256 KiB),
 *   shared by every agent process; limits through KV `retrace-model-limits`;
 * - `--no-model-cache` / `models.cache = false`: none.
 */
import type { Logger } from 'pino';
import type { Bus } from '../bus/mod.ts';
import { BusCallStore } from './bus-store.ts';
import { CallCache } from './call-cache.ts';
import { DiskCallStore } from './disk-store.ts';
import { ModelGateway } from './gateway.ts';
import { KvLimiter } from './kv-limiter.ts';
import type { EndpointLimits } from './limits.ts';

export interface ModelCallSettings {
  /** The cache's folder; `false`: no cache; null: the default (beside the output, or the cluster's KV). */
  cache: string | false | null;
  /** Requests in flight per endpoint; null: no limit. */
  maxInFlight: number | null;
  /** Tokens per minute per endpoint; null: no limit. */
  tokensPerMinute: number | null;
}

export const DEFAULT_MODEL_CALLS: ModelCallSettings = { cache: null, maxInFlight: null, tokensPerMinute: null };

/** The cache folder beside a run's output. */
export function cacheDirBeside(out: string): string {
  return `${out.replace(/\/+$/, '')}.model-calls`;
}

function limitsOf(s: ModelCallSettings): EndpointLimits {
  return {
    ...(s.maxInFlight !== null ? { maxInFlight: s.maxInFlight } : {}),
    ...(s.tokensPerMinute !== null ? { tokensPerMinute: s.tokensPerMinute } : {}),
  };
}

/** One process's gateway for a run writing `out`: the cache on disk, limits in memory. */
export function localGateway(s: ModelCallSettings, out: string, log?: Logger): ModelGateway {
  const dir = s.cache === false ? undefined : (s.cache ?? cacheDirBeside(out));
  return new ModelGateway({
    cache: dir === undefined ? undefined : new CallCache(new DiskCallStore(dir), log),
    limits: limitsOf(s),
    ...(log ? { log } : {}),
  });
}

/** A cluster process's gateway: the cache in the bus's KV (or the folder named), limits shared through KV. */
export async function clusterGateway(s: ModelCallSettings, bus: Bus, log?: Logger): Promise<ModelGateway> {
  const store = s.cache === false ? undefined : s.cache === null ? await BusCallStore.open(bus) : new DiskCallStore(s.cache);
  return new ModelGateway({
    cache: store ? new CallCache(store, log) : undefined,
    limiter: await KvLimiter.open(bus),
    limits: limitsOf(s),
    ...(log ? { log } : {}),
  });
}
