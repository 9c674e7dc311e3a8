/**
 * The proposer contract: given the context, the target and the steps so far, propose up to `k`
 * candidate next steps, optionally with priors. The grounded proposer (grounded-proposer.ts) is
 * the offline one; an LLM policy is another. Searches never call a proposer directly: they go
 * through `GuardedProposer`, which applies the copy guard to every proposal, drops duplicates and
 * steps already taken, normalises priors, and counts what it rejected.
 */
import { CopyGuard } from './copy-guard.ts';

export interface ProposalRequest {
  context: string;
  target: string;
  steps: readonly string[];
  k: number;
  /** Variation: the same request and seed give the same proposals. */
  seed: number;
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
  copyRejections: number;
  duplicates: number;
}

export class GuardedProposer {
  readonly stats: ProposalStats = { requests: 0, proposed: 0, copyRejections: 0, duplicates: 0 };
  private readonly guard: CopyGuard;

  constructor(
    private readonly proposer: Proposer,
    private readonly context: string,
    private readonly target: string,
    maxCopyRun?: number,
  ) {
    this.guard = new CopyGuard(target, maxCopyRun);
  }

  get name(): string {
    return this.proposer.name;
  }

  async propose(steps: readonly string[], k: number, seed: number): Promise<GuardedProposal[]> {
    this.stats.requests++;
    const raw = await this.proposer.propose({ context: this.context, target: this.target, steps, k, seed });
    const seen = new Set(steps.map(normaliseStep));
    const kept: { text: string; prior: number }[] = [];
    for (const p of raw) {
      this.stats.proposed++;
      const text = p.text.trim();
      if (text.length === 0) continue;
      if (this.guard.copies(text)) {
        this.stats.copyRejections++;
        continue;
      }
      const key = normaliseStep(text);
      if (seen.has(key)) {
        this.stats.duplicates++;
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
