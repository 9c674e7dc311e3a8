/**
 * The embedded preset: everything in one process — MemoryBus, the five roles with grounded
 * policies, the local refiner with the embedded scorer. No server, no model, no network.
 */
import type { Logger } from 'pino';
import { MemoryBus, type Bus } from '../bus/mod.ts';
import { AgentHost, type QueueSettings } from '../agents/host.ts';
import type { PolicyRegistry, PolicySpec } from '../agents/policy.ts';
import { FixedPolicy, LivePolicy, type PolicySource } from '../agents/policy-store.ts';
import { defaultRegistry } from '../agents/registry.ts';
import { LocalRefiner, type Refiner } from '../agents/refiner.ts';
import { ROLES, type RepoRef, type Role } from '../agents/types.ts';
import { Workspaces } from '../agents/workspace.ts';
import { conduct, type ConductOptions, type RunRecord } from './conductor.ts';

export interface TeamOptions {
  bus: Bus;
  roles?: readonly Role[];
  registry?: PolicyRegistry;
  /** Per-role policy; grounded by default. */
  policies?: Partial<Record<Role, PolicySpec>>;
  /** Follow the `retrace-policies` bucket (live swap) instead of fixed policies. */
  live?: boolean;
  workspaces?: Workspaces;
  /** The refiner every host shares; a new LocalRefiner when absent. */
  refiner?: Refiner;
  queue?: QueueSettings;
  /** See AgentHostOptions.maxCommandMs. */
  maxCommandMs?: number;
  instance?: string;
  log?: Logger;
}

export interface Team {
  hosts: AgentHost[];
  policies: Map<Role, PolicySource>;
  stop(): Promise<void>;
}

/** Starts one agent host per role on `bus`. */
export async function startTeam(opts: TeamOptions): Promise<Team> {
  const registry = opts.registry ?? defaultRegistry(opts.log);
  const workspaces = opts.workspaces ?? new Workspaces();
  const refiner = opts.refiner ?? new LocalRefiner();
  const hosts: AgentHost[] = [];
  const sources: PolicySource[] = [];
  const byRole = new Map<Role, PolicySource>();
  for (const role of opts.roles ?? ROLES) {
    const spec = opts.policies?.[role] ?? { id: 'grounded', params: {} };
    const source = opts.live ? await LivePolicy.watch(opts.bus, role, registry, spec, opts.log) : new FixedPolicy(registry, spec);
    sources.push(source);
    byRole.set(role, source);
    const hostOpts: ConstructorParameters<typeof AgentHost>[0] = {
      role,
      bus: opts.bus,
      policies: source,
      workspaces,
      refiner,
      instance: `${role}/${opts.instance ?? 'local'}`,
    };
    if (opts.queue) hostOpts.queue = opts.queue;
    if (opts.maxCommandMs !== undefined) hostOpts.maxCommandMs = opts.maxCommandMs;
    if (opts.log) hostOpts.log = opts.log;
    const host = new AgentHost(hostOpts);
    await host.start();
    hosts.push(host);
  }
  return {
    hosts,
    policies: byRole,
    stop: async () => {
      await Promise.all(hosts.map((h) => h.stop()));
      await Promise.all(sources.map((s) => s.close()));
    },
  };
}

export interface EmbeddedRunOptions extends Omit<ConductOptions, 'bus' | 'workspaces'> {
  policies?: Partial<Record<Role, PolicySpec>>;
}

/** One reconstruction, entirely in this process. */
export async function runEmbedded(opts: EmbeddedRunOptions): Promise<RunRecord> {
  const bus = new MemoryBus();
  const workspaces = new Workspaces();
  const teamOpts: TeamOptions = { bus, workspaces };
  if (opts.policies) teamOpts.policies = opts.policies;
  if (opts.log) teamOpts.log = opts.log;
  const team = await startTeam(teamOpts);
  try {
    return await conduct({ ...opts, bus, workspaces });
  } finally {
    await team.stop();
    await bus.close();
  }
}

export type { RepoRef };
