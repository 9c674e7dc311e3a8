import { describe, expect, it } from 'vitest';
import { personalizedPageRank } from '../../src/graph/mod.ts';

const graph = (edges: Record<string, Record<string, number>>, nodes: string[]) => ({
  nodes,
  out: new Map(Object.entries(edges).map(([k, v]) => [k, new Map(Object.entries(v))])),
});

describe('personalised PageRank (power iteration)', () => {
  it('is uniform on a directed cycle', () => {
    const r = personalizedPageRank(graph({ a: { b: 1 }, b: { c: 1 }, c: { a: 1 } }, ['a', 'b', 'c']));
    for (const v of r.values()) expect(v).toBeCloseTo(1 / 3, 9);
  });

  it('matches the closed form on a two-node chain with a dangling end', () => {
    // a -> b, b dangling; uniform teleport, d = 0.85. Solving the two linear equations:
    // a = (1-d)/2 + d*b/2, b = (1-d)/2 + d*a + d*b/2  =>  a = 0.3508772, b = 0.6491228.
    const r = personalizedPageRank(graph({ a: { b: 1 } }, ['a', 'b']));
    expect(r.get('a')).toBeCloseTo(0.3508772, 6);
    expect(r.get('b')).toBeCloseTo(0.6491228, 6);
  });

  it('concentrates on the seed and what it reaches, and sums to one', () => {
    const g = graph({ a: { b: 1 }, b: { c: 1 }, x: { y: 1 } }, ['a', 'b', 'c', 'x', 'y']);
    const r = personalizedPageRank(g, { personalization: new Map([['a', 1]]) });
    expect([...r.values()].reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
    expect(r.get('x')).toBe(0);
    expect(r.get('y')).toBe(0);
    expect(r.get('b')!).toBeGreaterThan(0.2);
    expect(r.get('c')!).toBeGreaterThan(0.2);
  });

  it('follows edge weights', () => {
    const r = personalizedPageRank(graph({ s: { heavy: 9, light: 1 } }, ['s', 'heavy', 'light']), { personalization: new Map([['s', 1]]) });
    expect(r.get('heavy')! / r.get('light')!).toBeCloseTo(9, 6);
  });

  it('gives a personalised rank over the seeds\' reach that is exactly the rank of iterating over every node', () => {
    const g = randomGraph(400, 3, 7);
    for (const seed of ['n0', 'n17', 'n399']) {
      const personalization = new Map([[seed, 1]]);
      const full = plainPowerIteration(g, personalization);
      const r = personalizedPageRank(g, { personalization });
      expect([...r.keys()]).toEqual(g.nodes);
      for (const node of g.nodes) expect(r.get(node)).toBe(full.get(node));
      const reached = personalizedPageRank(g, { personalization, reachedOnly: true });
      expect(reached.size).toBeLessThan(g.nodes.length);
      for (const node of g.nodes) expect(reached.get(node) ?? 0).toBe(full.get(node));
      for (const v of reached.values()) expect(v).toBeGreaterThan(0);
    }
  });
});

/** A graph of `n` nodes, each with up to `k` edges to later nodes (weights 1-3), from a fixed seed. */
function randomGraph(n: number, k: number, seed: number) {
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const nodes = Array.from({ length: n }, (_, i) => `n${i}`);
  const out = new Map<string, Map<string, number>>();
  for (let i = 0; i < n; i++) {
    const m = new Map<string, number>();
    for (let e = 0; e < k; e++) if (next() < 0.6) m.set(`n${Math.min(n - 1, i + 1 + Math.floor(next() * 40))}`, 1 + Math.floor(next() * 3));
    if (next() < 0.05 && i > 10) m.set(`n${Math.floor(next() * i)}`, 1);
    if (m.size > 0) out.set(nodes[i]!, m);
  }
  return { nodes, out };
}

/** The power iteration written plainly over every node: the reference the restricted one must equal. */
function plainPowerIteration(g: { nodes: string[]; out: Map<string, Map<string, number>> }, personalization: Map<string, number>): Map<string, number> {
  const n = g.nodes.length;
  const index = new Map(g.nodes.map((node, i) => [node, i]));
  const teleport = new Float64Array(n);
  let total = 0;
  for (const [node, w] of personalization) {
    teleport[index.get(node)!]! += w;
    total += w;
  }
  for (let i = 0; i < n; i++) teleport[i]! /= total;
  const from: number[] = [];
  const to: number[] = [];
  const weight: number[] = [];
  const dangling = new Uint8Array(n).fill(1);
  for (const [node, nbrs] of g.out) {
    const i = index.get(node)!;
    let sum = 0;
    for (const w of nbrs.values()) sum += w;
    dangling[i] = 0;
    for (const [m, w] of nbrs) {
      from.push(i);
      to.push(index.get(m)!);
      weight.push(w / sum);
    }
  }
  let rank = Float64Array.from(teleport);
  let next = new Float64Array(n);
  for (let iter = 0; iter < 200; iter++) {
    let danglingMass = 0;
    for (let i = 0; i < n; i++) if (dangling[i]) danglingMass += rank[i]!;
    for (let i = 0; i < n; i++) next[i] = (1 - 0.85 + 0.85 * danglingMass) * teleport[i]!;
    for (let e = 0; e < from.length; e++) next[to[e]!]! += 0.85 * rank[from[e]!]! * weight[e]!;
    let delta = 0;
    for (let i = 0; i < n; i++) delta += Math.abs(next[i]! - rank[i]!);
    [rank, next] = [next, rank];
    if (delta < 1e-10) break;
  }
  return new Map(g.nodes.map((node, i) => [node, rank[i]!]));
}

