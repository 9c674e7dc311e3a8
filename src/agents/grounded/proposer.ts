/** The grounded policy's proposer: the search package's grounded proposer, set up for one chunk. */
import { GroundedProposer, type GroundedProposerOptions } from '../../search/grounded-proposer.ts';
import { importBindings } from '../../search/facts.ts';
import type { Proposer } from '../../search/proposer.ts';
import type { ProposerContext } from '../policy.ts';

/** Imports sit at the top of a file: parsing the head bounds the cost on long files. */
const IMPORT_HEAD_CHARS = 8192;

/**
 * What the grounded proposer is built from for a chunk: here, or by a search service. The known
 * names are the context's (the boundary at this chunk), never the target's own.
 */
export function groundedOptionsFor(ctx: ProposerContext): GroundedProposerOptions {
  // The doc comment right above the chunk is all the proposer reads of the text before it.
  const opts: GroundedProposerOptions = { path: ctx.path, preceding: ctx.preceding.slice(-4096), knownIdentifiers: ctx.knownIdentifiers };
  if (ctx.language) {
    opts.language = ctx.language;
    opts.imports = importBindings(ctx.preceding.slice(0, IMPORT_HEAD_CHARS), ctx.language);
  }
  if (ctx.design) opts.design = ctx.design;
  return opts;
}

export function groundedProposerFor(ctx: ProposerContext): Proposer {
  return new GroundedProposer(groundedOptionsFor(ctx));
}
