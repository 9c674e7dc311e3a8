/**
 * Hand-written fixtures for the search tests: a keyword scorer whose log P(y | context) rises by a
 * fixed amount per keyword the context mentions (so the best reasoning is known), a scorer spy
 * that records batches, and a list proposer.
 */
import type { Proposal, ProposalRequest, Proposer } from '../../src/search/mod.ts';
import type { ScoreItem, ScoreResult, Scorer } from '../../src/search/score/mod.ts';

export class KeywordScorer implements Scorer {
  readonly model = 'keyword';
  readonly batches: number[] = [];
  readonly contexts: string[] = [];
  constructor(private readonly gains: Readonly<Record<string, number>>) {}
  async scoreBatch(items: readonly ScoreItem[]): Promise<ScoreResult[]> {
    this.batches.push(items.length);
    return items.map((it) => {
      this.contexts.push(it.context);
      let lp = -50;
      for (const [word, gain] of Object.entries(this.gains)) if (it.context.includes(word)) lp += gain;
      return { logprob: lp, tokenLogprobs: Array(10).fill(lp / 10), tokens: Array(10).fill('t') };
    });
  }
  async close(): Promise<void> {}
}

/** Proposes every listed step not yet taken, in a seed-rotated order, with optional priors. */
export class ListProposer implements Proposer {
  readonly name = 'list';
  constructor(
    private readonly steps: readonly string[],
    private readonly priors?: readonly number[],
  ) {}
  async propose(req: ProposalRequest): Promise<Proposal[]> {
    const open = this.steps.map((text, i) => ({ text, i })).filter((s) => !req.steps.includes(s.text));
    const r = open.length ? req.seed % open.length : 0;
    const rotated = [...open.slice(r), ...open.slice(0, r)];
    return rotated.slice(0, req.k).map((s) => (this.priors ? { text: s.text, prior: this.priors[s.i]! } : { text: s.text }));
  }
}
