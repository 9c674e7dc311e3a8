/**
 * Confidence intervals for bench/search.ts by bootstrap over packages. Targets of one package
 * share a scorer (trained on that package) and a style, so they are not independent: resampling
 * targets would treat 5 correlated targets as 5 pieces of evidence. Here a resample draws
 * packages with replacement and pools all the targets of each drawn package; the statistic is the
 * mean over the pooled targets (each target weighs the same, as in the point estimate), and the
 * interval is the percentile interval of that statistic over the resamples.
 */
import { createRng } from '../../src/search/rng.ts';

export interface Interval {
  /** The mean over every target of every package. */
  mean: number;
  lo: number;
  hi: number;
  packages: number;
  targets: number;
}

export interface BootstrapOptions {
  /** 2000 by default. */
  resamples?: number;
  /** Coverage; 0.95 by default. */
  level?: number;
  seed?: number;
}

/** `groups[p]`: the values of package p's targets (a package with none is left out). */
export function bootstrapOverPackages(groups: ReadonlyArray<readonly number[]>, opts: BootstrapOptions = {}): Interval {
  const sums: number[] = [];
  const counts: number[] = [];
  for (const g of groups) {
    if (g.length === 0) continue;
    sums.push(g.reduce((a, b) => a + b, 0));
    counts.push(g.length);
  }
  const targets = counts.reduce((a, b) => a + b, 0);
  if (targets === 0) return { mean: NaN, lo: NaN, hi: NaN, packages: 0, targets: 0 };
  const mean = sums.reduce((a, b) => a + b, 0) / targets;
  const resamples = opts.resamples ?? 2000;
  const rng = createRng(opts.seed ?? 1);
  const stats: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < sums.length; i++) {
      const p = rng.int(sums.length);
      sum += sums[p]!;
      n += counts[p]!;
    }
    stats.push(sum / n);
  }
  stats.sort((a, b) => a - b);
  const alpha = (1 - (opts.level ?? 0.95)) / 2;
  return { mean, lo: quantile(stats, alpha), hi: quantile(stats, 1 - alpha), packages: sums.length, targets };
}

/** The q-quantile of sorted values, interpolated between order statistics. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const at = q * (sorted.length - 1);
  const i = Math.floor(at);
  const j = Math.min(sorted.length - 1, i + 1);
  return sorted[i]! + (at - i) * (sorted[j]! - sorted[i]!);
}

/** Whether an interval lies wholly above 0 (a difference shown), below it, or includes it. */
export function signOf(ci: Interval): 'above' | 'below' | 'includes 0' {
  if (ci.lo > 0) return 'above';
  if (ci.hi < 0) return 'below';
  return 'includes 0';
}
