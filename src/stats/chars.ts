/**
 * Where the trained characters go: by role, and within a role by kind (actions and observations
 * by tool). Characters (code points) as the flattened text holds them (each step's block), so the
 * sums match the records' `train_chars` and `masked_chars`, less the blocks of their `context`
 * (steps repeated at the start of a record, counted once, where they first are).
 */
import { codePoints, renderBlock } from '../dataset/packer.ts';
import type { RunContext } from './run-context.ts';
import { countIn } from './tally.ts';

export interface CharsTally {
  /** `<role> <kind>[:<tool>]` -> characters. */
  trained: Map<string, number>;
  masked: Map<string, number>;
}

export function tallyChars(ctx: RunContext): CharsTally {
  const trained = new Map<string, number>();
  const masked = new Map<string, number>();
  for (const s of ctx.steps) {
    const kind = s.kind !== 'think' && s.tool !== undefined ? `${s.kind}:${s.tool}` : s.kind;
    countIn(s.train ? trained : masked, `${s.role} ${kind}`, codePoints(renderBlock(s)));
  }
  return { trained, masked };
}

function byRole(map: Map<string, number>): { total: number; byRole: Record<string, Record<string, number>> } {
  const out: Record<string, Record<string, number>> = {};
  let total = 0;
  for (const [key, n] of [...map].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const [role, kind] = key.split(' ') as [string, string];
    (out[role] ??= {})[kind] = n;
    total += n;
  }
  return { total, byRole: out };
}

export function presentChars(t: CharsTally) {
  return { trained: byRole(t.trained), masked: byRole(t.masked) };
}
