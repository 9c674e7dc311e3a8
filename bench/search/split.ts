/**
 * The report/tuning split of bench/search.ts: packages, never targets, are split, so no package
 * (and no scorer, which is trained per package) serves both. The split is stratified by source
 * (node_modules, Python, Go, ...): within each, packages are ranked by a hash of their name and
 * the first `tuningShare` of them (rounded down, at least one where a source has two or more) go
 * to tuning, so every language keeps most of its packages for the report whatever the hash
 * draws. Within each side the order is the hash order, so the first packages a bench takes of a
 * source are spread over the whole source, not the first names of the alphabet.
 */
import { mixSeed } from '../../src/search/rng.ts';

export type Side = 'report' | 'tuning';

export interface SplitOptions {
  /** Share of each source's packages that go to tuning, in [0, 1); 0.3 by default. */
  tuningShare?: number;
  /** A salt for the hash: another salt, another split. */
  salt?: string;
}

interface Ranked<T> {
  item: T;
  name: string;
  key: number;
}

function byHash<T>(a: Ranked<T>, b: Ranked<T>): number {
  return a.key - b.key || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/** The packages of one side, in hash order: `sourceOf` names the stratum of a package. */
export function packagesOf<T>(items: readonly T[], nameOf: (item: T) => string, sourceOf: (item: T) => string, side: Side, opts: SplitOptions = {}): T[] {
  const share = opts.tuningShare ?? 0.3;
  const strata = new Map<string, Ranked<T>[]>();
  for (const item of items) {
    const name = nameOf(item);
    const list = strata.get(sourceOf(item)) ?? [];
    list.push({ item, name, key: mixSeed('split', opts.salt ?? '', name) });
    strata.set(sourceOf(item), list);
  }
  const out: Ranked<T>[] = [];
  for (const list of strata.values()) {
    list.sort(byHash);
    const tuning = list.length >= 2 ? Math.max(1, Math.floor(share * list.length)) : 0;
    out.push(...(side === 'tuning' ? list.slice(0, tuning) : list.slice(tuning)));
  }
  return out.sort(byHash).map((r) => r.item);
}
