/**
 * What the driver (as the ops user) sets up before agents and services start, since their users
 * may only look these up (services/nats/permissions.conf): the dead-letter stream, each role's
 * work queue, the search queue, the policies bucket, and the model-call cache and limits buckets
 * (src/models) of agents with a model behind them. Idempotent: anything already set up alike is
 * left alone, and settings that differ are set to these.
 */
import { openRoleQueue, DEFAULT_QUEUE, type QueueSettings } from '../agents/host.ts';
import { policyBucket } from '../agents/policy-store.ts';
import { ROLES } from '../agents/types.ts';
import type { Bus } from '../bus/mod.ts';
import { MODEL_CALLS_BUCKET } from '../models/bus-store.ts';
import { MODEL_LIMITS_BUCKET } from '../models/kv-limiter.ts';
import { SEARCH_QUEUE, refineSubject } from '../search/protocol.ts';

export interface SharedSettings {
  /** The role queues' settings: the agents' `--ack-wait` and `--max-deliver`. */
  roles?: QueueSettings;
  /** The search queue's settings: the search services' `--ack-wait` and `--max-deliver`. */
  search?: QueueSettings;
}

export const DEFAULT_SEARCH_QUEUE: QueueSettings = { ackWaitMs: 30_000, maxDeliver: 3 };

/** Sets up the shared streams, consumers and buckets; returns their names, in order. */
export async function setUpShared(bus: Bus, settings: SharedSettings = {}): Promise<string[]> {
  const made: string[] = [];
  for (const role of ROLES) made.push((await openRoleQueue(bus, role, settings.roles ?? DEFAULT_QUEUE)).name);
  const search = settings.search ?? DEFAULT_SEARCH_QUEUE;
  made.push((await bus.workQueue(SEARCH_QUEUE, { subjects: [refineSubject()], ...search })).name);
  made.push((await policyBucket(bus)).bucket);
  made.push((await bus.kv(MODEL_CALLS_BUCKET)).bucket, `${(await bus.objects(MODEL_CALLS_BUCKET)).bucket} (objects)`, (await bus.kv(MODEL_LIMITS_BUCKET)).bucket);
  return made;
}
