/**
 * The guard the proposer holds its own proposals to before the search sees them, so that a call's
 * worth of proposals is not spent on steps the search's guard will refuse anyway. The search's
 * guard stays the judge (src/search/proposer.ts); this one only saves calls.
 *
 * When the context carries the search's boundary (`boundary: {answer, prefix}`, an AnswerSpec as
 * plain data) it is that guard. Otherwise it is built from what the context says is known: the
 * text before the chunk, the search's context, and `knownIdentifiers`; the answer is the chunk.
 */
import { boundarySpecSchema, guardOf, Knowledge, SequenceGuard, type BoundarySpec } from '../../boundary/mod.ts';
import type { ProposalRequest } from '../../search/proposer.ts';
import type { ProposerContext } from '../policy.ts';
import { guessLanguage } from './target-sketch.ts';

/** `ctx.boundary` (not part of ProposerContext's type yet), read at the edge: absent or of the wrong shape, it is not there. */
export function searchBoundary(ctx: ProposerContext): BoundarySpec | undefined {
  const parsed = boundarySpecSchema.safeParse((ctx as { boundary?: unknown }).boundary);
  return parsed.success ? parsed.data : undefined;
}

/** The guard for proposals after `req.steps`: the search's when the context carries it, else one built from the context. */
export function proposalGuard(ctx: ProposerContext, req: Pick<ProposalRequest, 'context' | 'target' | 'steps'>): SequenceGuard {
  const given = searchBoundary(ctx);
  if (given) return guardOf(given).after(req.steps);
  const knowledge = new Knowledge(ctx.language ?? guessLanguage(req.target))
    .addText(ctx.preceding)
    .addText(req.context)
    .addNames(ctx.knownIdentifiers);
  return new SequenceGuard(knowledge.answer(req.target)).after(req.steps);
}
