/**
 * The model calls a record's work used, per role: a record's `run.model_calls`. A piece of work
 * (a job) is charged with the calls its role's policy made between the result before it and its
 * own; the conductor hands out one job at a time, so in one process (the embedded team) that is
 * exactly the job's calls. A record adds up the jobs whose first step it holds.
 *
 * What a job used does not depend on who paid: an answer from the model-call cache counts as the
 * call it was, with the tokens it cost then, and failed requests (a 429, a timeout) are not
 * counted (their retry is). So a repeated run, or one resumed from its checkpoint (which keeps
 * each job's figures), writes the same records as the run that paid.
 */
import { ROLES, type Role } from '../agents/types.ts';
import type { ModelCalls, ModelCallStats } from './model-calls.ts';

export interface RoleCallsUsed {
  /** Answers used: requests answered, and answers from the cache. */
  calls: number;
  prompt_tokens: number;
  completion_tokens: number;
}

export type RecordCalls = Partial<Record<Role, RoleCallsUsed>>;

const used = (s: ModelCallStats): RoleCallsUsed => ({
  calls: s.requests - s.errors + s.cached,
  prompt_tokens: s.promptTokens + s.cachedPromptTokens,
  completion_tokens: s.completionTokens + s.cachedCompletionTokens,
});

const isEmpty = (c: RoleCallsUsed) => c.calls === 0 && c.prompt_tokens === 0 && c.completion_tokens === 0;

/** `a` and `b` added, roles in their run order; undefined when neither holds a call. */
export function addRecordCalls(a: RecordCalls | undefined, b: RecordCalls | undefined): RecordCalls | undefined {
  if (!a || !b) return a ?? b;
  const out: RecordCalls = {};
  for (const role of ROLES) {
    const x = a[role];
    const y = b[role];
    if (x || y) out[role] = { calls: (x?.calls ?? 0) + (y?.calls ?? 0), prompt_tokens: (x?.prompt_tokens ?? 0) + (y?.prompt_tokens ?? 0), completion_tokens: (x?.completion_tokens ?? 0) + (y?.completion_tokens ?? 0) };
  }
  return out;
}

/** Charges each job with the calls made since the last one (see the top of this file). */
export class JobCallMeter {
  private last: Partial<Record<Role, RoleCallsUsed>> = {};

  /** `read`: the run's model calls now (JobSession.models). */
  constructor(private readonly read: () => ModelCalls) {}

  /** The calls per role since the last `take`; undefined when there were none. */
  take(): RecordCalls | undefined {
    const roles = this.read().roles;
    let out: RecordCalls | undefined;
    for (const role of ROLES) {
      const s = roles[role];
      if (!s) continue;
      const now = used(s);
      // A role whose policy was swapped (a live policy's new revision) meters from zero again.
      const swapped = this.last[role] !== undefined && now.calls < this.last[role]!.calls;
      const before = swapped ? undefined : this.last[role];
      this.last[role] = now;
      const delta = { calls: now.calls - (before?.calls ?? 0), prompt_tokens: now.prompt_tokens - (before?.prompt_tokens ?? 0), completion_tokens: now.completion_tokens - (before?.completion_tokens ?? 0) };
      if (!isEmpty(delta)) (out ??= {})[role] = delta;
    }
    return out;
  }
}
