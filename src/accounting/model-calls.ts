/**
 * A run's model calls, per role and for the scorer: what `retrace run` puts in its summary
 * (`models`) and `--json`. Read off the objects that made the calls — each role's policy and the
 * scorer — so every request counts, whether or not a search kept its result. Policies and scorers
 * that call no model (grounded, embedded) have no entry.
 */
import type { PolicySource } from '../agents/policy-store.ts';
import type { Role } from '../agents/types.ts';
import type { CallStats } from './call-meter.ts';
import type { CacheCounts } from '../models/call-cache.ts';

/** A policy or scorer that meters its calls (OpenAIPolicy, OpenAIScorer). */
interface Metered<S extends CallStats = CallStats> {
  readonly model: string;
  calls(): S;
}

export type ModelCallStats<S extends CallStats = CallStats> = S & { model: string };

export interface ModelCalls {
  roles: Partial<Record<Role, ModelCallStats>>;
  scorer: ModelCallStats | null;
  /** Over the roles and the scorer: `requests` were paid for, `cached` were not. */
  total: { requests: number; errors: number; promptTokens: number; completionTokens: number; cached: number };
  /** The model-call cache the run used (its folder or bucket, and its counts), or null without one. */
  cache: (CacheCounts & { where: string }) | null;
}

function metered(x: unknown): x is Metered {
  return typeof x === 'object' && x !== null && typeof (x as { calls?: unknown }).calls === 'function' && typeof (x as { model?: unknown }).model === 'string';
}

function entry(x: Metered): ModelCallStats {
  return { model: x.model, ...x.calls() };
}

/** The calls of each role's current policy and of the scorer, as plain data. */
export function modelCalls(sources: {
  policies?: ReadonlyMap<Role, PolicySource> | undefined;
  scorer?: unknown;
  cache?: { readonly store: { readonly where: string }; readonly counts: CacheCounts } | undefined;
}): ModelCalls {
  const roles: ModelCalls['roles'] = {};
  for (const [role, source] of sources.policies ?? []) {
    const policy = source.current().policy;
    if (metered(policy)) roles[role] = entry(policy);
  }
  const scorer = metered(sources.scorer) ? entry(sources.scorer) : null;
  const total = { requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, cached: 0 };
  for (const s of [...Object.values(roles), ...(scorer ? [scorer] : [])]) {
    total.requests += s.requests;
    total.errors += s.errors;
    total.promptTokens += s.promptTokens;
    total.completionTokens += s.completionTokens;
    total.cached += s.cached;
  }
  const cache = sources.cache ? { where: sources.cache.store.where, ...sources.cache.counts } : null;
  return { roles, scorer, total, cache };
}
