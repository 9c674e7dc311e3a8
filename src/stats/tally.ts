/**
 * Figures are tallied per run as plain additive data (counts, example lists, count maps), so the
 * total over runs is the runs' tallies added up and every ratio is taken once, from the sums.
 */
import { MAX_EXAMPLES, type Example } from './types.ts';

export type Tally = number | Example[] | Map<string, number> | { [key: string]: Tally };

/** Adds `b` into `a`: numbers add, example lists concatenate (up to MAX_EXAMPLES), maps add per key. */
export function addTally<T extends Tally>(a: T, b: T): T {
  if (typeof a === 'number') return ((a as number) + (b as number)) as T;
  if (Array.isArray(a)) return [...a, ...(b as Example[])].slice(0, MAX_EXAMPLES) as T;
  if (a instanceof Map) {
    const out = new Map(a);
    for (const [k, n] of b as Map<string, number>) out.set(k, (out.get(k) ?? 0) + n);
    return out as T;
  }
  const out: { [key: string]: Tally } = { ...(a as { [key: string]: Tally }) };
  for (const [k, v] of Object.entries(b as { [key: string]: Tally })) out[k] = k in out ? addTally(out[k]!, v) : v;
  return out as T;
}

/** An example list that stops growing at MAX_EXAMPLES. */
export function pushExample(list: Example[], example: Example): void {
  if (list.length < MAX_EXAMPLES) list.push(example);
}

export function countIn(map: Map<string, number>, key: string, n = 1): void {
  map.set(key, (map.get(key) ?? 0) + n);
}

/** a / b, or null when there is nothing to divide. */
export function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}
