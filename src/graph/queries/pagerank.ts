/**
 * Personalised PageRank by power iteration (graphology's pagerank has no personalisation vector).
 * The surfer follows weighted edges with probability `damping` and otherwise jumps to a node drawn
 * from the personalisation vector (uniform when none is given); the mass of nodes without
 * out-edges jumps the same way. Iterates until the L1 change is below `tolerance`.
 */
export interface PageRankOptions {
  /** node -> weight; normalised. Uniform over all nodes when absent or empty. */
  personalization?: ReadonlyMap<string, number>;
  damping?: number;
  tolerance?: number;
  maxIterations?: number;
}

export interface WeightedGraph {
  nodes: readonly string[];
  /** node -> (neighbour -> positive weight). */
  out: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

export function personalizedPageRank(g: WeightedGraph, opts: PageRankOptions = {}): Map<string, number> {
  const damping = opts.damping ?? 0.85;
  const tolerance = opts.tolerance ?? 1e-10;
  const maxIterations = opts.maxIterations ?? 200;
  const n = g.nodes.length;
  const result = new Map<string, number>();
  if (n === 0) return result;
  const index = new Map(g.nodes.map((node, i) => [node, i]));

  const teleport = new Float64Array(n);
  let total = 0;
  for (const [node, w] of opts.personalization ?? []) {
    const i = index.get(node);
    if (i !== undefined && w > 0) {
      teleport[i]! += w;
      total += w;
    }
  }
  if (total === 0) teleport.fill(1 / n);
  else for (let i = 0; i < n; i++) teleport[i]! /= total;

  // Edges as flat arrays with weights normalised per source.
  const from: number[] = [];
  const to: number[] = [];
  const weight: number[] = [];
  const dangling = new Uint8Array(n).fill(1);
  for (const [node, nbrs] of g.out) {
    const i = index.get(node);
    if (i === undefined) continue;
    let sum = 0;
    for (const [m, w] of nbrs) if (index.has(m) && w > 0) sum += w;
    if (sum === 0) continue;
    dangling[i] = 0;
    for (const [m, w] of nbrs) {
      const j = index.get(m);
      if (j === undefined || w <= 0) continue;
      from.push(i);
      to.push(j);
      weight.push(w / sum);
    }
  }

  let rank = new Float64Array(n);
  rank.set(teleport);
  let next = new Float64Array(n);
  for (let iter = 0; iter < maxIterations; iter++) {
    let danglingMass = 0;
    for (let i = 0; i < n; i++) if (dangling[i]) danglingMass += rank[i]!;
    for (let i = 0; i < n; i++) next[i] = (1 - damping + damping * danglingMass) * teleport[i]!;
    for (let e = 0; e < from.length; e++) next[to[e]!]! += damping * rank[from[e]!]! * weight[e]!;
    let delta = 0;
    for (let i = 0; i < n; i++) delta += Math.abs(next[i]! - rank[i]!);
    [rank, next] = [next, rank];
    if (delta < tolerance) break;
  }
  g.nodes.forEach((node, i) => result.set(node, rank[i]!));
  return result;
}
