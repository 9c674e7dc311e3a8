/**
 * The proposer contract: given the context, the target and the steps so far, propose up to `k`
 * candidate next steps, optionally with priors. The grounded proposer (grounded-proposer.ts) is
 * the offline one; an LLM policy is another. Searches never call a proposer directly: they go
 * through `GuardedProposer`, which holds every proposal to the knowledge boundary (a proposal is
 * kept only when the sequence it ends — what was said since the last write, the steps so far and
 * it — passes the boundary's guard), drops duplicates and steps already taken, normalises priors,
 * and counts what it refused. A refused proposal is never scored.
 */
import { Knowledge, SequenceGuard } from '../boundary/mod.ts';

export interface ProposalRequest {
  context: string;
  target: string;
  steps: readonly string[];
  k: number;
  /** Variation: the same request and seed give the same proposals. */
  seed: number;
  /**
   * Set when the search asks for a rewrite rather than a next step (hill-climbing, segment
   * refinement): alternatives to `step`, the step that follows `steps` in the current sequence,
   * with `after` the steps that follow it. A rewrite is conditioned on the step it replaces, as in
   * the paper's method; a proposer that ignores it proposes next steps after `steps`, which are
   * alternatives too.
   */
  rewrite?: RewriteContext;
}

export interface RewriteContext {
  step: string;
  after: readonly string[];
}

export interface Proposal {
  text: string;
  /** Unnormalised preference (> 0); uniform when absent. */
  prior?: number;
}

export interface Proposer {
  readonly name: string;
  propose(req: ProposalRequest): Promise<Proposal[]>;
}

export interface GuardedProposal {
  text: string;
  /** Normalised over the proposals returned together: they sum to 1. */
  prior: number;
}

export interface ProposalStats {
  requests: number;
  proposed: number;
  /** Proposals refused by the boundary's guard (a copy run, a literal, a name of the answer). */
  copyRejections: number;
  duplicates: number;
}

/** With no boundary given, nothing is known: every name, literal and run of the target is the answer. */
export function strictGuard(target: string): SequenceGuard {
  return new SequenceGuard(new Knowledge(null).answer(target));
}

export class GuardedProposer {
  readonly stats: ProposalStats = { requests: 0, proposed: 0, copyRejections: 0, duplicates: 0 };
  private readonly guard: SequenceGuard;

  constructor(
    private readonly proposer: Proposer,
    private readonly context: string,
    private readonly target: string,
    guard?: SequenceGuard,
  ) {
    this.guard = guard ?? strictGuard(target);
  }

  get name(): string {
    return this.proposer.name;
  }

  /**
   * Up to `k` proposals for the step after `steps`, or, with `rewrite`, for the step that replaces
   * `rewrite.step` between `steps` and `rewrite.after`: then the whole new sequence is held to the
   * boundary, and the step replaced and the steps after it count as taken.
   */
  async propose(steps: readonly string[], k: number, seed: number, rewrite?: RewriteContext): Promise<GuardedProposal[]> {
    this.stats.requests++;
    const req: ProposalRequest = { context: this.context, target: this.target, steps, k, seed };
    if (rewrite) req.rewrite = { step: rewrite.step, after: [...rewrite.after] };
    const raw = await this.proposer.propose(req);
    const after = rewrite?.after ?? [];
    const seen = new Set([...steps, ...after, ...(rewrite ? [rewrite.step] : [])].map(normaliseStep));
    const sequence = this.guard.after(steps);
    const kept: { text: string; prior: number }[] = [];
    for (const p of raw) {
      this.stats.proposed++;
      const text = p.text.trim();
      if (text.length === 0) continue;
      const key = normaliseStep(text);
      if (seen.has(key)) {
        this.stats.duplicates++;
        continue;
      }
      if (!sequence.admits([text, ...after])) {
        this.stats.copyRejections++;
        continue;
      }
      seen.add(key);
      const prior = p.prior !== undefined && Number.isFinite(p.prior) && p.prior > 0 ? p.prior : 1;
      kept.push({ text, prior });
      if (kept.length >= k) break;
    }
    const hasPriors = raw.some((p) => p.prior !== undefined);
    const total = kept.reduce((s, p) => s + (hasPriors ? p.prior : 1), 0);
    return kept.map((p) => ({ text: p.text, prior: (hasPriors ? p.prior : 1) / total }));
  }
}

/** Steps equal up to spacing are the same step. */
export function normaliseStep(step: string): string {
  return step.trim().replace(/\s+/g, ' ');
}
