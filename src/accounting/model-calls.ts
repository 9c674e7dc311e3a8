/**
 * A run's model calls, per role and for the scorer: what `retrace run` puts in its summary
 * (`models`), `--json`, the trace and the dataset card. Read off the objects that made the calls —
 * each role's policy and the scorer — so every request counts, whether or not a search kept its
 * result. Policies and scorers that call no model (grounded, embedded) have no entry. With a price
 * table (prices.ts) each entry and the total carry their cost in dollars.
 */
import type { PolicySource } from '../agents/policy-store.ts';
import type { Role } from '../agents/types.ts';
import type { CallStats } from './call-meter.ts';
import type { CacheCounts } from '../models/call-cache.ts';
import { callCost, type PriceTable } from './prices.ts';

/** The message type of a run's model calls in its trace (on `retrace.<run>.event.models`, as the run ends). */
export const RUN_MODELS = 'run.models';

/** A policy or scorer that meters its calls (OpenAIPolicy, OpenAIScorer). */
interface Metered<S extends CallStats = CallStats> {
  readonly model: string;
  calls(): S;
}

export type ModelCallStats<S extends CallStats = CallStats> = S & {
  model: string;
  /** Dollars paid for these calls, with a price table; null when the table has no price for the model. */
  costUsd?: number | null;
};

export interface CallTotal {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  cached: number;
  /** With a price table: dollars over the priced entries, and the models it has no price for. */
  costUsd?: number;
  unpriced?: string[];
}

export interface ModelCalls {
  roles: Partial<Record<Role, ModelCallStats>>;
  scorer: ModelCallStats | null;
  /** Over the roles and the scorer: `requests` were paid for, `cached` were not. */
  total: CallTotal;
  /** The model-call cache the run used (its folder or bucket, and its counts), or null without one. */
  cache: (CacheCounts & { where: string }) | null;
}

function metered(x: unknown): x is Metered {
  return typeof x === 'object' && x !== null && typeof (x as { calls?: unknown }).calls === 'function' && typeof (x as { model?: unknown }).model === 'string';
}

function entry(x: Metered): ModelCallStats {
  return { model: x.model, ...x.calls() };
}

/** True when some role or the scorer called a model. */
export function calledModels(m: ModelCalls | undefined): m is ModelCalls {
  return m !== undefined && (Object.keys(m.roles).length > 0 || m.scorer !== null);
}

/** Each entry of `m` with its cost under `prices`, and the total's. */
export function priced(m: ModelCalls, prices: PriceTable): ModelCalls {
  const cost = (s: ModelCallStats, scorer: boolean): ModelCallStats => ({ ...s, costUsd: callCost(prices, s.model, s, scorer) });
  const roles: ModelCalls['roles'] = {};
  for (const [role, s] of Object.entries(m.roles) as Array<[Role, ModelCallStats]>) roles[role] = cost(s, false);
  const scorer = m.scorer ? cost(m.scorer, true) : null;
  return { ...m, roles, scorer, total: totalOf(roles, scorer) };
}

/** The total of the roles and the scorer; with their cost when they are priced. */
function totalOf(roles: ModelCalls['roles'], scorer: ModelCallStats | null): CallTotal {
  const total: CallTotal = { requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, cached: 0 };
  const entries = [...Object.values(roles), ...(scorer ? [scorer] : [])];
  for (const s of entries) {
    total.requests += s.requests;
    total.errors += s.errors;
    total.promptTokens += s.promptTokens;
    total.completionTokens += s.completionTokens;
    total.cached += s.cached;
  }
  if (entries.some((s) => s.costUsd !== undefined)) {
    total.costUsd = entries.reduce((n, s) => n + (s.costUsd ?? 0), 0);
    total.unpriced = [...new Set(entries.filter((s) => s.costUsd === null).map((s) => s.model))].sort();
  }
  return total;
}

/** The calls of each role's current policy and of the scorer, as plain data; priced when `prices` is given. */
export function modelCalls(sources: {
  policies?: ReadonlyMap<Role, PolicySource> | undefined;
  scorer?: unknown;
  cache?: { readonly store: { readonly where: string }; readonly counts: CacheCounts } | undefined;
  prices?: PriceTable | undefined;
}): ModelCalls {
  const roles: ModelCalls['roles'] = {};
  for (const [role, source] of sources.policies ?? []) {
    const policy = source.current().policy;
    if (metered(policy)) roles[role] = entry(policy);
  }
  const scorer = metered(sources.scorer) ? entry(sources.scorer) : null;
  const cache = sources.cache ? { where: sources.cache.store.where, ...sources.cache.counts } : null;
  const m: ModelCalls = { roles, scorer, total: totalOf(roles, scorer), cache };
  return sources.prices ? priced(m, sources.prices) : m;
}

function addStats(into: ModelCallStats | undefined, s: ModelCallStats): ModelCallStats {
  const base: ModelCallStats = into ?? { model: s.model, requests: 0, errors: 0, errorsByKind: {}, promptTokens: 0, completionTokens: 0, cached: 0, cachedPromptTokens: 0, cachedCompletionTokens: 0, latencyMs: null };
  const errorsByKind = { ...base.errorsByKind };
  for (const [k, n] of Object.entries(s.errorsByKind)) errorsByKind[k] = (errorsByKind[k] ?? 0) + n;
  const models = new Set([...base.model.split(', '), s.model]);
  const sum: ModelCallStats = {
    model: [...models].sort().join(', '),
    requests: base.requests + s.requests,
    errors: base.errors + s.errors,
    errorsByKind: Object.fromEntries(Object.entries(errorsByKind).sort(([a], [b]) => (a < b ? -1 : 1))),
    promptTokens: base.promptTokens + s.promptTokens,
    completionTokens: base.completionTokens + s.completionTokens,
    cached: base.cached + s.cached,
    cachedPromptTokens: base.cachedPromptTokens + s.cachedPromptTokens,
    cachedCompletionTokens: base.cachedCompletionTokens + s.cachedCompletionTokens,
    // Percentiles of separate runs do not add up: a sum has none.
    latencyMs: null,
  };
  if (s.costUsd !== undefined || base.costUsd !== undefined) sum.costUsd = s.costUsd === null || base.costUsd === null ? null : (base.costUsd ?? 0) + (s.costUsd ?? 0);
  return sum;
}

/**
 * The calls of many runs (a corpus's repositories) added up, per role and for the scorer: counts,
 * tokens and cost add; latency percentiles do not (the sum has none). Null when none called a model.
 */
export function sumModelCalls(runs: ReadonlyArray<ModelCalls | undefined>): ModelCalls | null {
  const called = runs.filter(calledModels);
  if (called.length === 0) return null;
  const roles: ModelCalls['roles'] = {};
  let scorer: ModelCallStats | null = null;
  for (const m of called) {
    for (const [role, s] of Object.entries(m.roles) as Array<[Role, ModelCallStats]>) roles[role] = addStats(roles[role], s);
    if (m.scorer) scorer = addStats(scorer ?? undefined, m.scorer);
  }
  return { roles, scorer, total: totalOf(roles, scorer), cache: null };
}
