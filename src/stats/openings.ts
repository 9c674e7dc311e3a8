/**
 * How varied the reasoning reads: a think's opening is its first three words once code spans read
 * `X` and numbers `N`, so "Next: `a.js`." and "Next: `b.js`." open alike. A policy that opens every
 * thought the same way has few openings, and a handful of them cover most thinks.
 */
import type { RunContext } from './run-context.ts';
import { countIn } from './tally.ts';

export interface OpeningsTally {
  thinks: number;
  counts: Map<string, number>;
}

export function openingOf(text: string): string {
  const plain = text.replace(/`[^`]*`/g, 'X').replace(/\d+(?:[.,]\d+)*/g, 'N');
  return plain.split(/\s+/).filter(Boolean).slice(0, 3).join(' ');
}

export function tallyOpenings(ctx: RunContext): OpeningsTally {
  const counts = new Map<string, number>();
  let thinks = 0;
  for (const s of ctx.steps) {
    if (s.kind !== 'think' || !s.train) continue;
    thinks++;
    countIn(counts, openingOf(s.text));
  }
  return { thinks, counts };
}

/** Openings, most common first: how many cover half and nine tenths of the thinks, and the top ten. */
export function presentOpenings(t: OpeningsTally) {
  const ranked = [...t.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const cover = (share: number): number => {
    let sum = 0;
    for (let i = 0; i < ranked.length; i++) {
      sum += ranked[i]![1];
      if (sum >= share * t.thinks) return i + 1;
    }
    return ranked.length;
  };
  return {
    thinks: t.thinks,
    distinct: ranked.length,
    cover50: cover(0.5),
    cover90: cover(0.9),
    /** Openings covering half of the thinks, per 100 thinks: a variety figure comparable across run sizes. */
    cover50Per100: t.thinks === 0 ? null : (cover(0.5) * 100) / t.thinks,
    top: ranked.slice(0, 10).map(([opening, count]) => ({ opening, count })),
  };
}
