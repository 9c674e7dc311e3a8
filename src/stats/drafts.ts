/**
 * Faulty drafts trained on. A faulty draft teaches the bug, so it must carry `train: false`. Found
 * two ways: the write a debugger's edit later repairs (the latest write of that path before the
 * edit that holds the edit's old text, else the latest write of the path), when it is trained and
 * the dataset marks no write of that path as a draft;
 * and any write marked `untrained` yet trained (inconsistent).
 */
import { isWrite, type RunContext } from './run-context.ts';
import { pushExample } from './tally.ts';
import type { Example } from './types.ts';

export interface DraftsTally {
  trained: number;
  inconsistent: number;
  examples: Example[];
}

export function tallyFaultyDrafts(ctx: RunContext): DraftsTally {
  const tally: DraftsTally = { trained: 0, inconsistent: 0, examples: [] };
  const writesOf = new Map<string, number[]>();
  const counted = new Set<number>();
  ctx.steps.forEach((s, pos) => {
    if (!isWrite(s)) return;
    const path = s.path!;
    if (s.tool === 'write') {
      if (s.untrained !== undefined && s.train) {
        tally.inconsistent++;
        pushExample(tally.examples, { step: s.index, path, detail: `marked ${s.untrained} but trained` });
      }
      const list = writesOf.get(path);
      if (list) list.push(pos);
      else writesOf.set(path, [pos]);
      return;
    }
    if (s.role !== 'debugger' || !s.edit) return;
    const list = writesOf.get(path) ?? [];
    // A dataset that marks its drafts says which write was faulty: an edit repairs that one (its
    // old text may reach into the real chunks after it), and the marked draft is masked.
    if (list.some((p) => ctx.steps[p]!.untrained !== undefined)) return;
    const old = s.edit.old;
    const draft = [...list].reverse().find((p) => ctx.steps[p]!.text.includes(old)) ?? list[list.length - 1];
    if (draft === undefined || counted.has(draft)) return;
    const w = ctx.steps[draft]!;
    if (!w.train || w.untrained !== undefined) return;
    counted.add(draft);
    tally.trained++;
    pushExample(tally.examples, { step: w.index, path, detail: `trained draft repaired by the debugger at step ${s.index}` });
  });
  return tally;
}
