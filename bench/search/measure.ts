/**
 * What bench/search.ts measures around one search without touching it: the proposer calls and the
 * wall time spent by the time of each scorer call (so a run at the largest budget also says what
 * a run at each smaller budget costs, as its anytime curve says what it answers), and whether a
 * step states only names known at the target.
 */
import { isAmbient, statedNames, type Knowledge } from '../../src/boundary/mod.ts';
import type { Proposal, ProposalRequest, Proposer } from '../../src/search/proposer.ts';
import type { ScoreItem, ScoreOptions, ScoreResult, Scorer } from '../../src/search/score/mod.ts';

export interface Cost {
  scorerCalls: number;
  proposerCalls: number;
  wallMs: number;
}

/** Wraps one search's proposer and scorer; `at(b)` is the cost of the search after b scorer calls. */
export class CostTimeline {
  private proposals = 0;
  private readonly started = performance.now();
  private baselineScored = false;
  private readonly timeline: Cost[] = [];
  readonly proposer: Proposer;
  readonly scorer: Scorer;

  constructor(proposer: Proposer, scorer: Scorer) {
    const self = this;
    this.proposer = {
      name: proposer.name,
      propose(req: ProposalRequest): Promise<Proposal[]> {
        self.proposals++;
        return proposer.propose(req);
      },
    };
    this.scorer = {
      model: scorer.model,
      async scoreBatch(items: readonly ScoreItem[], opts?: ScoreOptions): Promise<ScoreResult[]> {
        const out = await scorer.scoreBatch(items, opts);
        // The first batch is the no-reasoning baseline, which no budget counts.
        if (!self.baselineScored) self.baselineScored = true;
        else for (let i = 0; i < items.length; i++) self.timeline.push({ scorerCalls: self.timeline.length + 1, proposerCalls: self.proposals, wallMs: performance.now() - self.started });
        return out;
      },
      close: () => scorer.close(),
    };
  }

  /** Call when the search returns: what it spent in all. */
  finish(): Cost {
    return { scorerCalls: this.timeline.length, proposerCalls: this.proposals, wallMs: performance.now() - this.started };
  }

  /** The cost by the b-th scorer call; a search that stopped before it cost what it cost in all. */
  at(budget: number, total: Cost): Cost {
    return budget <= this.timeline.length ? this.timeline[budget - 1]! : total;
  }
}

/**
 * Whether every name a step states is known at the target (the package's other files, the file
 * up to the target, the language's own): the target itself is not consulted, so a name the
 * reasoning invented, or took from the answer, fails.
 */
export function statesOnlyKnownNames(step: string, known: Knowledge): boolean {
  return statedNames(step).every(({ name, head }) => known.knows(name) || (head !== undefined && head !== name && !OWN_HEADS.has(head) && isAmbient(known.language, head)));
}

/** Heads whose members belong to the code at hand (`this.x` is the file's, not the language's). */
const OWN_HEADS = new Set(['this', 'self', 'cls', 'super', 'Self', 'crate']);
