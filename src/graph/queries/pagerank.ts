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
  /**
   * Personalised only: leave out the nodes the seeds never reach (their rank is 0), so the cost
   * is the seeds' reach, not the graph's size.
   */
  reachedOnly?: boolean;
}

export interface WeightedGraph {
  nodes: readonly string[];
  /** node -> (neighbour -> positive weight). */
  out: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/** Each graph's node positions, made once (a graph is read, never changed). */
const positions = new WeakMap<WeightedGraph, Map<string, number>>();

function positionsOf(g: WeightedGraph): Map<string, number> {
  let p = positions.get(g);
  if (!p) {
    p = new Map(g.nodes.map((node, i) => [node, i]));
    positions.set(g, p);
  }
  return p;
}

/**
 * The nodes reachable from `roots` along edges to nodes of the graph with a positive weight, in
 * the graph's node order: the only nodes a surfer that jumps back to `roots` ever stands on.
 */
function reachableFrom(g: WeightedGraph, roots: Iterable<string>): string[] {
  const at = positionsOf(g);
  const seen = new Set<string>();
  const stack: string[] = [];
  for (const r of roots) if (at.has(r) && !seen.has(r)) seen.add(r), stack.push(r);
  while (stack.length > 0) {
    for (const [m, w] of g.out.get(stack.pop()!) ?? []) {
      if (w > 0 && at.has(m) && !seen.has(m)) {
        seen.add(m);
        stack.push(m);
      }
    }
  }
  return [...seen].sort((a, b) => at.get(a)! - at.get(b)!);
}

export function personalizedPageRank(g: WeightedGraph, opts: PageRankOptions = {}): Map<string, number> {
  const seeds = [...(opts.personalization ?? [])].filter(([node, w]) => w > 0 && positionsOf(g).has(node)).map(([node]) => node);
  if (seeds.length === 0) return powerIteration(g.nodes, g, opts);
  // Personalised: every jump lands on a seed, so the rank lives on what the seeds reach; the rest
  // is 0. Iterating over those nodes alone, in the graph's order, adds the same non-zero terms in
  // the same order as iterating over all (each left-out term is an exact 0), so the ranks are the
  // same numbers, at the cost of the seeds' reach instead of the whole graph (one file's context
  // in a repository of 20,000 files).
  const reached = reachableFrom(g, seeds);
  const ranks = powerIteration(reached, g, opts);
  if (opts.reachedOnly) return ranks;
  const all = new Map<string, number>();
  for (const node of g.nodes) all.set(node, ranks.get(node) ?? 0);
  return all;
}

/** Power iteration over `nodes` (closed under `g`'s edges, or all of `g`'s nodes). */
function powerIteration(nodes: readonly string[], g: WeightedGraph, opts: PageRankOptions): Map<string, number> {
  const damping = opts.damping ?? 0.85;
  const tolerance = opts.tolerance ?? 1e-10;
  const maxIterations = opts.maxIterations ?? 200;
  const n = nodes.length;
  const result = new Map<string, number>();
  if (n === 0) return result;
  const index = new Map(nodes.map((node, i) => [node, i]));
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

  // Edges as flat arrays with weights normalised per source (in `g.out`'s order, whatever `nodes` is).
  const from: number[] = [];
  const to: number[] = [];
  const weight: number[] = [];
  const dangling = new Uint8Array(n).fill(1);
  const sources = n === g.nodes.length ? g.out.keys() : nodesInOutOrder(g, index);
  for (const node of sources) {
    const nbrs = g.out.get(node)!;
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
  nodes.forEach((node, i) => result.set(node, rank[i]!));
  return result;
}

/**
 * The sources of `g.out` that are in `index`, in `g.out`'s order: its keys filtered, without
 * walking all of them when `index` is much smaller (sorted by each one's place among the keys).
 */
function nodesInOutOrder(g: WeightedGraph, index: ReadonlyMap<string, number>): string[] {
  const order = outOrderOf(g);
  return [...index.keys()].filter((node) => order.has(node)).sort((a, b) => order.get(a)! - order.get(b)!);
}

const outOrders = new WeakMap<WeightedGraph, Map<string, number>>();

function outOrderOf(g: WeightedGraph): Map<string, number> {
  let o = outOrders.get(g);
  if (!o) {
    o = new Map([...g.out.keys()].map((node, i) => [node, i]));
    outOrders.set(g, o);
  }
  return o;
}
