/**
 * Live policies. The policy of each role is a `PolicySpec` in the `retrace-policies` bucket (key =
 * role). A running agent watches its key and swaps at the next piece of work; work in flight keeps
 * the policy it started with; every step records `id@revision`.
 */
import type { Logger } from 'pino';
import { buckets, type Bus, type KvBucket, type KvEntry, type KvWatch } from '../bus/mod.ts';
import { silentLogger } from '../log/logger.ts';
import { policySpecSchema, policyTag, type Policy, type PolicyRegistry, type PolicySpec } from './policy.ts';
import type { Role } from './types.ts';

export interface CurrentPolicy {
  policy: Policy;
  spec: PolicySpec;
  revision: number;
  tag: string;
}

export interface PolicySource {
  current(): CurrentPolicy;
  close(): Promise<void>;
}

/** One policy for the whole life of the process (revision 0). */
export class FixedPolicy implements PolicySource {
  private readonly cur: CurrentPolicy;
  constructor(registry: PolicyRegistry, spec: PolicySpec) {
    this.cur = { policy: registry.create(spec), spec, revision: 0, tag: policyTag(spec, 0) };
  }
  current(): CurrentPolicy {
    return this.cur;
  }
  async close(): Promise<void> {
    await this.cur.policy.close();
  }
}

export async function policyBucket(bus: Bus): Promise<KvBucket<PolicySpec>> {
  return bus.kv<PolicySpec>(buckets.policies, { history: 5 });
}

/**
 * Validates and stores a role's policy; returns the new revision. With `registry`, the id must be
 * one it knows and the params ones the policy takes (UnknownPolicyError, PolicyParamsError).
 */
export async function setPolicy(bus: Bus, role: Role, spec: unknown, registry?: PolicyRegistry): Promise<number> {
  const parsed = registry ? registry.check(spec) : policySpecSchema.parse(spec);
  return (await policyBucket(bus)).put(role, parsed);
}

/** Deletes a role's policy: its agents go back to the policy they were started with. */
export async function resetPolicy(bus: Bus, role: Role): Promise<void> {
  await (await policyBucket(bus)).delete(role);
}

/** One kept revision of a role's policy: a spec set, or a reset (`spec` undefined). */
export interface PolicyRevision {
  revision: number;
  spec: PolicySpec | undefined;
}

/** The revisions of a role's policy the bucket keeps (its `history`), oldest first. */
export async function policyHistory(bus: Bus, role: Role): Promise<PolicyRevision[]> {
  const entries: KvEntry<PolicySpec>[] = await (await policyBucket(bus)).history(role);
  return entries.map((e) => ({ revision: e.revision, spec: e.operation === 'PUT' ? e.value : undefined }));
}

export class LivePolicy implements PolicySource {
  private cur: CurrentPolicy;
  private watcher: KvWatch<PolicySpec> | undefined;
  private readonly retired: Policy[] = [];

  private constructor(
    private readonly role: Role,
    private readonly registry: PolicyRegistry,
    private readonly fallback: PolicySpec,
    private readonly log: Logger,
  ) {
    this.cur = { policy: registry.create(fallback), spec: fallback, revision: 0, tag: policyTag(fallback, 0) };
  }

  /** Follows the role's key; until one is set, `fallback` at revision 0. */
  static async watch(bus: Bus, role: Role, registry: PolicyRegistry, fallback: PolicySpec, log: Logger = silentLogger): Promise<LivePolicy> {
    const live = new LivePolicy(role, registry, fallback, log);
    const kv = await policyBucket(bus);
    const first = await kv.get(role);
    if (first) live.apply(first.value, first.revision);
    live.watcher = await kv.watch({ key: role });
    void (async () => {
      for await (const e of live.watcher!) {
        if (e.revision <= live.cur.revision) continue;
        if (e.operation === 'DEL') live.apply(fallback, e.revision);
        else live.apply(e.value, e.revision);
      }
    })().catch((err) => log.error({ err, role }, 'policy watch ended'));
    return live;
  }

  current(): CurrentPolicy {
    return this.cur;
  }

  private apply(value: unknown, revision: number): void {
    const parsed = policySpecSchema.safeParse(value);
    if (!parsed.success) {
      this.log.error({ role: this.role, revision, error: parsed.error.message }, 'invalid policy spec ignored');
      return;
    }
    let policy: Policy;
    try {
      policy = this.registry.create(parsed.data);
    } catch (err) {
      this.log.error({ role: this.role, revision, err }, 'policy could not be created; keeping the current one');
      return;
    }
    // The old policy may still serve work in flight: it is closed with the source, not now.
    this.retired.push(this.cur.policy);
    this.cur = { policy, spec: parsed.data, revision, tag: policyTag(parsed.data, revision) };
    this.log.info({ role: this.role, policy: this.cur.tag }, 'policy swapped');
  }

  async close(): Promise<void> {
    this.watcher?.stop();
    await Promise.all([...this.retired, this.cur.policy].map((p) => p.close().catch(() => {})));
  }
}
