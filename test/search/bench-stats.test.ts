/** The pure parts of bench/search: the disjoint report/tuning split and the CI by bootstrap over packages. */
import { describe, expect, it } from 'vitest';
import { bootstrapOverPackages, quantile, signOf } from '../../bench/search/bootstrap.ts';
import { packagesOf } from '../../bench/search/split.ts';

describe('report/tuning split of packages', () => {
  const names = Array.from({ length: 200 }, (_, i) => `pkg-${i}`);
  const sourceOf = (n: string): string => ['go', 'python', 'c', 'rust'][Number(n.slice(4)) % 4]!;
  const side = (s: 'report' | 'tuning', items = names) => packagesOf(items, (n) => n, sourceOf, s);

  it('puts every package on exactly one side: the sides are disjoint and cover all', () => {
    const report = side('report');
    const tuning = side('tuning');
    expect(report.filter((n) => tuning.includes(n))).toEqual([]);
    expect([...report, ...tuning].sort()).toEqual([...names].sort());
  });

  it('gives each source its tuning share, rounded down, at least one of two or more', () => {
    const tuning = side('tuning');
    for (const source of ['go', 'python', 'c', 'rust']) expect(tuning.filter((n) => sourceOf(n) === source)).toHaveLength(15);
    const small = ['pkg-0', 'pkg-4', 'pkg-1'];
    const smallTuning = side('tuning', small);
    expect(smallTuning.map(sourceOf)).toEqual(['go']);
    expect(side('report', small)).toHaveLength(2);
    expect(side('report', small)).toContain('pkg-1');
  });

  it('is deterministic and independent of the input order; a side is in hash order, not by name', () => {
    const a = side('report');
    expect(side('report', [...names].reverse())).toEqual(a);
    expect(a).not.toEqual([...a].sort());
  });

  it('another salt draws another split', () => {
    const other = packagesOf(names, (n) => n, sourceOf, 'tuning', { salt: 'x' });
    expect(other.sort()).not.toEqual(side('tuning').sort());
  });
});

describe('bootstrap over packages', () => {
  it('resamples packages, not targets: two packages that disagree give a wide interval', () => {
    // Ten targets at 0 in one package, ten at 1 in the other: by packages the mean is 0, 0.5 or 1.
    const ci = bootstrapOverPackages([Array(10).fill(0), Array(10).fill(1)], { seed: 3 });
    expect(ci.mean).toBeCloseTo(0.5, 12);
    expect(ci.lo).toBe(0);
    expect(ci.hi).toBe(1);
    expect(ci).toMatchObject({ packages: 2, targets: 20 });
  });

  it('weighs every target the same in the point estimate and pools a drawn package whole', () => {
    const ci = bootstrapOverPackages([[1, 1, 1], [4]], { seed: 1, resamples: 500 });
    expect(ci.mean).toBeCloseTo(7 / 4, 12);
    // Pooled resamples: {1,1,1,1,1,1} = 1, {1,1,1,4} = 1.75, {4,4} = 4; nothing else.
    expect(ci.lo).toBeGreaterThanOrEqual(1);
    expect(ci.hi).toBeLessThanOrEqual(4);
  });

  it('is zero-width when every target agrees, and leaves out empty packages', () => {
    const ci = bootstrapOverPackages([[0.2, 0.2], [], [0.2]]);
    expect([ci.mean, ci.lo, ci.hi]).toEqual([0.2, 0.2, 0.2].map((x) => expect.closeTo(x, 12)));
    expect(ci.packages).toBe(2);
  });

  it('narrows as packages grow in number, and is deterministic for a seed', () => {
    const groups = (n: number) => Array.from({ length: n }, (_, i) => [i % 2, (i % 3) / 2]);
    const few = bootstrapOverPackages(groups(6), { seed: 9 });
    const many = bootstrapOverPackages(groups(120), { seed: 9 });
    expect(many.hi - many.lo).toBeLessThan(few.hi - few.lo);
    expect(bootstrapOverPackages(groups(6), { seed: 9 })).toEqual(few);
  });

  it('says whether an interval excludes 0', () => {
    expect(signOf(bootstrapOverPackages([[1], [2]]))).toBe('above');
    expect(signOf(bootstrapOverPackages([[-1], [-2]]))).toBe('below');
    expect(signOf(bootstrapOverPackages([[-1], [2]]))).toBe('includes 0');
    expect(bootstrapOverPackages([]).targets).toBe(0);
  });

  it('interpolates quantiles between order statistics', () => {
    expect(quantile([0, 1, 2, 3, 4], 0.5)).toBe(2);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
  });
});
