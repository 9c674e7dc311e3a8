/**
 * The planner's milestone cuts: the pruned search picks exactly the runs that trying every run
 * picks (the plain dynamic programme, written out here as the reference), on import graphs of
 * many shapes and sizes.
 */
import { describe, expect, it } from 'vitest';
import { milestoneCount, milestoneGroups, type RepoStructure } from '../../src/agents/grounded/plan.ts';

/** The plain programme: every run of at most three shares tried for every end, ties to the smallest start. */
function plainCuts(order: readonly string[], imports: Record<string, string[]>, m: number): string[][] {
  const n = order.length;
  const ideal = n / m;
  const at = new Map(order.map((p, i) => [p, i]));
  const diff = new Array<number>(n + 1).fill(0);
  for (const [f, deps] of Object.entries(imports)) {
    for (const d of deps) {
      const a0 = at.get(f)!;
      const b0 = at.get(d);
      if (b0 === undefined || b0 === a0) continue;
      const [a, b] = [Math.max(a0, b0), Math.min(a0, b0)];
      if (a - b > 2 * ideal) continue;
      diff[b + 1]! += 1;
      diff[a + 1]! -= 1;
    }
  }
  const crossing = new Array<number>(n + 1).fill(0);
  for (let p = 1, run = 0; p <= n; p++) crossing[p] = run += diff[p]!;
  const mean = crossing.reduce((x, y) => x + y, 0) / n;
  const sizeCost = (s: number) => (1 + mean) * 2 * ((s - ideal) / ideal) ** 2;
  const best = Array.from({ length: m + 1 }, () => new Array<number>(n + 1).fill(Infinity));
  const from = Array.from({ length: m + 1 }, () => new Array<number>(n + 1).fill(-1));
  best[0]![0] = 0;
  const widest = Math.max(1, Math.ceil(3 * ideal));
  for (let k = 1; k <= m; k++) {
    for (let j = k; j <= n; j++) {
      const cut = j < n ? crossing[j]! : 0;
      for (let i = Math.max(k - 1, j - widest); i < j; i++) {
        const c = best[k - 1]![i]! + sizeCost(j - i) + cut;
        if (c < best[k]![j]!) {
          best[k]![j] = c;
          from[k]![j] = i;
        }
      }
    }
  }
  const groups: string[][] = [];
  for (let k = m, j = n; k > 0; k--) {
    const i = from[k]![j]!;
    groups.unshift(order.slice(i, j));
    j = i;
  }
  return groups.filter((g) => g.length > 0);
}

/** An order of `n` source files whose imports point back a short or long way, from a fixed seed. */
function repository(n: number, seed: number, shape: { fanOut: number; reach: number; hubs: number }): { order: string[]; structure: RepoStructure & { imports: Record<string, string[]> } } {
  let x = seed;
  const next = () => (x = (x * 1103515245 + 12345) % 2147483648) / 2147483648;
  const order = Array.from({ length: n }, (_, i) => `d${i % 17}/f${i}.ts`);
  const imports: Record<string, string[]> = {};
  order.forEach((f, i) => {
    const deps = new Set<string>();
    for (let e = 0; e < shape.fanOut && i > 0; e++) {
      const back = next() < 0.8 ? 1 + Math.floor(next() * shape.reach) : 1 + Math.floor(next() * i);
      deps.add(order[Math.max(0, i - back)]!);
    }
    for (let h = 0; h < shape.hubs && i > h; h++) if (next() < 0.3) deps.add(order[h]!);
    imports[f] = [...deps];
  });
  return { order, structure: { imports } };
}

describe('milestone cuts', () => {
  const shapes = [
    { fanOut: 0, reach: 1, hubs: 0 },
    { fanOut: 2, reach: 5, hubs: 1 },
    { fanOut: 4, reach: 30, hubs: 3 },
    { fanOut: 8, reach: 200, hubs: 5 },
  ];
  for (const n of [7, 13, 40, 73, 151, 600, 2500]) {
    it(`are the runs the plain programme picks, ${n} files`, () => {
      for (const [s, shape] of shapes.entries()) {
        for (const seed of [1, 2, 3]) {
          const { order, structure } = repository(n, seed * 7 + s, shape);
          expect(milestoneGroups(order, structure)).toEqual(plainCuts(order, structure.imports, milestoneCount(n)));
        }
      }
      // The plain programme is quadratic: seconds at 2,500 files on a loaded 2-core machine.
    }, 120_000);
  }

  it('cover the order once, in order, in at most twelve runs, for 20,000 files', () => {
    const { order, structure } = repository(20_000, 11, { fanOut: 4, reach: 60, hubs: 4 });
    const groups = milestoneGroups(order, structure);
    expect(groups.length).toBe(12);
    expect(groups.flat()).toEqual(order);
  }, 120_000);
});
