/** The grounded policy's proposer: the search package's grounded proposer, set up for one chunk. */
import { GroundedProposer, type GroundedProposerOptions } from '../../search/grounded-proposer.ts';
import { importBindings } from '../../search/facts.ts';
import type { Proposer } from '../../search/proposer.ts';
import type { ProposerContext } from '../policy.ts';

export function groundedProposerFor(ctx: ProposerContext): Proposer {
  const opts: GroundedProposerOptions = { preceding: ctx.preceding, knownIdentifiers: ctx.knownIdentifiers };
  if (ctx.language) {
    opts.language = ctx.language;
    opts.imports = importBindings(ctx.preceding, ctx.language);
  }
  return new GroundedProposer(opts);
}
