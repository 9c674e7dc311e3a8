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
});
