/** Drawing one proposal by its prior: the random choice best-of-N makes at each step. */
import type { GuardedProposal } from '../proposer.ts';
import type { Rng } from '../rng.ts';

export function drawByPrior(proposals: readonly GuardedProposal[], rng: Rng): GuardedProposal | undefined {
  if (proposals.length === 0) return undefined;
  let u = rng.next();
  for (const p of proposals) {
    u -= p.prior;
    if (u < 0) return p;
  }
  return proposals[proposals.length - 1];
}
