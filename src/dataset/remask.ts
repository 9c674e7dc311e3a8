/**
 * A record whose steps' `train` flags changed after packing (a corpus masks a file already
 * trained on): its masks, trained counts and stats computed again, exactly as the packer computes
 * them — each block (`context`, then `steps`) is the rendered step, masked when it is context or
 * untrained; spans in code points of `text` and in tokens (`tokens.blocks` gives each block's).
 */
import type { Step } from '../agents/types.ts';
import { addSpan, codePoints, renderBlock } from './packer.ts';
import type { DatasetRecordV2, IndexedStep } from './record.ts';

export class RemaskError extends Error {
  override name = 'RemaskError';
}

/** `rec` with `untrain`'s steps (indices into `rec.steps`) masked; the record itself is left alone. */
export function remaskSteps(rec: DatasetRecordV2, untrain: ReadonlyMap<number, NonNullable<Step['untrained']>>): DatasetRecordV2 {
  if (untrain.size === 0) return rec;
  const steps: IndexedStep[] = rec.steps.map((s, i) => {
    const reason = untrain.get(i);
    return reason === undefined || !s.train ? s : { ...s, train: false, untrained: reason };
  });
  return { ...rec, steps, ...masksOf(rec, steps) };
}

function masksOf(rec: DatasetRecordV2, steps: readonly IndexedStep[]): Pick<DatasetRecordV2, 'mask' | 'tokens' | 'stats'> {
  const blocks = rec.tokens.blocks;
  if (blocks.length !== rec.context.length + steps.length) throw new RemaskError(`record ${rec.id}: ${blocks.length} token blocks for ${rec.context.length + steps.length} steps`);
  const charMask: Array<[number, number]> = [];
  const tokenMask: Array<[number, number]> = [];
  let points = 0;
  let tokens = 0;
  let maskedPoints = 0;
  let maskedTokens = 0;
  const all = [...rec.context.map((s) => ({ s, masked: true })), ...steps.map((s) => ({ s, masked: !s.train }))];
  all.forEach(({ s, masked }, i) => {
    const p = codePoints(renderBlock(s));
    const t = blocks[i]!;
    if (masked) {
      addSpan(charMask, points, points + p);
      addSpan(tokenMask, tokens, tokens + t);
      maskedPoints += p;
      maskedTokens += t;
    }
    points += p;
    tokens += t;
  });
  if (points !== rec.stats.chars || tokens !== rec.tokens.count) throw new RemaskError(`record ${rec.id}: its blocks do not add up to its text (${points} of ${rec.stats.chars} code points, ${tokens} of ${rec.tokens.count} tokens)`);
  return {
    mask: charMask,
    tokens: { ...rec.tokens, train: tokens - maskedTokens, masked: maskedTokens, mask: tokenMask },
    stats: { ...rec.stats, train_chars: points - maskedPoints, masked_chars: maskedPoints },
  };
}
