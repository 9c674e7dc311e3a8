/**
 * A repository's graph and the queries every agent asks of it. Built once from RepoData; queries
 * are pure reads (the build order and the file-level weighted graph are computed on first use).
 */
import { type BuiltGraph, type KnownReferences, type RepoMultiGraph, buildGraph } from './build-graph.ts';
import { fileId } from './ids.ts';
import { type BuildOrder, buildOrder } from './queries/build-order.ts';
import { type RankedContext, rankedContext } from './queries/context.ts';
import { type TreeNode, fileTree } from './queries/file-tree.ts';
import { type WeightedGraph, personalizedPageRank } from './queries/pagerank.ts';
import type { IndexStats, RepoData } from './repo-data.ts';
import type { SymbolInfo } from './symbols.ts';
import type { ResolvedImport, SkipReason } from './types.ts';

export class UnknownFileError extends Error {
  override readonly name = 'UnknownFileError';
  constructor(readonly path: string) {
    super(`no such file in the repo graph: ${path}`);
  }
}

export class RepoGraph {
  readonly graph: RepoMultiGraph;
  private readonly built: BuiltGraph;
  private order: BuildOrder | undefined;
  private weighted: WeightedGraph | undefined;

  /**
   * `from` is for indexRepo's caches: `built`, a graph built from an identical RepoData (shared,
   * read-only), or `references` already resolved.
   */
  constructor(
    readonly data: RepoData,
    readonly stats?: IndexStats,
    from?: { built?: BuiltGraph; references?: KnownReferences },
  ) {
    this.built = from?.built ?? buildGraph(data, from?.references);
    this.graph = this.built.graph;
  }

  /** @internal What the graph was built into (indexRepo's result cache reads and reuses it). */
  get builtGraph(): BuiltGraph {
    return this.built;
  }

  get root(): string {
    return this.data.root;
  }

  /** Every file node's path (kept and skipped files), sorted. */
  filePaths(): string[] {
    const out: string[] = [];
    this.graph.forEachNode((_id, a) => {
      if (a.type === 'file') out.push(a.path);
    });
    return out.sort();
  }

  hasFile(path: string): boolean {
    return this.graph.hasNode(fileId(path));
  }

  /** Repo files `path` imports; with `transitive`, everything reachable, nearest first. */
  dependencies(path: string, opts: { transitive?: boolean } = {}): string[] {
    this.mustHave(path);
    return opts.transitive ? this.reach(path, this.built.importsOf) : [...(this.built.importsOf.get(path) ?? [])];
  }

  /** Repo files that import `path`; with `transitive`, everything that reaches it. */
  dependents(path: string, opts: { transitive?: boolean } = {}): string[] {
    this.mustHave(path);
    return opts.transitive ? this.reach(path, this.built.importedBy) : [...(this.built.importedBy.get(path) ?? [])];
  }

  /** External packages `path` imports (ids like `npm:zod`), sorted. */
  externalDependencies(path: string): string[] {
    this.mustHave(path);
    const out: string[] = [];
    this.graph.forEachOutEdge(fileId(path), (_e, attrs, _s, _t, _sa, ta) => {
      if (attrs.type === 'imports' && ta.type === 'external') out.push(ta.name);
    });
    return out.sort();
  }

  /** All resolved imports of a file, as extracted and resolved. */
  importsOf(path: string): ResolvedImport[] {
    this.mustHave(path);
    return this.data.imports.filter((i) => i.from === path);
  }

  buildOrder(): BuildOrder {
    this.order ??= buildOrder(this.filePaths(), (f) => this.built.importsOf.get(f) ?? []);
    return this.order;
  }

  /** Import cycles. */
  cycles(): string[][] {
    return this.buildOrder().cycles;
  }

  /**
   * PageRank over files. Edges point from a file to what it uses: weight 1 per import, plus
   * log(1 + n) for n references into the target. Personalised when `seeds` are given.
   */
  pageRank(seeds?: readonly string[]): Map<string, number> {
    const personalization = seeds && seeds.length > 0 ? new Map(seeds.map((s) => [s, 1])) : undefined;
    return personalizedPageRank(this.weightedFiles(), personalization ? { personalization } : {});
  }

  context(path: string, tokenBudget: number): RankedContext {
    this.mustHave(path);
    const candidates = new Set(this.dependencies(path, { transitive: true }));
    for (const f of this.built.referencesOf.get(path)?.keys() ?? []) candidates.add(f);
    const referenced = new Set<string>();
    this.graph.forEachOutEdge(fileId(path), (_e, attrs, _s, target) => {
      if (attrs.type === 'references') referenced.add(target);
    });
    return rankedContext({
      file: path,
      tokenBudget,
      candidates: [...candidates].sort(),
      // Only what `path` reaches has a rank: the rest of a large repository is never walked.
      rank: personalizedPageRank(this.weightedFiles(), { personalization: new Map([[path, 1]]), reachedOnly: true }),
      symbolsOf: (f) => this.built.symbolsByFile.get(f) ?? [],
      referenced,
    });
  }

  symbols(path: string): SymbolInfo[] {
    this.mustHave(path);
    return [...(this.built.symbolsByFile.get(path) ?? [])];
  }

  fileTree(): TreeNode {
    const entries: Array<{ path: string; language: import('./types.ts').LanguageId | null; skipped?: SkipReason }> = [];
    this.graph.forEachNode((_id, a) => {
      if (a.type === 'file') entries.push(a.skipped ? { path: a.path, language: a.language, skipped: a.skipped } : { path: a.path, language: a.language });
    });
    return fileTree(entries);
  }

  private weightedFiles(): WeightedGraph {
    if (!this.weighted) {
      const out = new Map<string, Map<string, number>>();
      for (const [from, targets] of this.built.importsOf) out.set(from, new Map(targets.map((t) => [t, 1])));
      for (const [from, refs] of this.built.referencesOf) {
        let m = out.get(from);
        if (!m) out.set(from, (m = new Map()));
        for (const [t, n] of refs) if (t !== from) m.set(t, (m.get(t) ?? 0) + Math.log1p(n));
      }
      this.weighted = { nodes: this.filePaths(), out };
    }
    return this.weighted;
  }

  private reach(start: string, edges: ReadonlyMap<string, readonly string[]>): string[] {
    const seen = new Set<string>([start]);
    const out: string[] = [];
    let frontier = [start];
    while (frontier.length > 0) {
      const next: string[] = [];
      for (const f of frontier) {
        for (const t of edges.get(f) ?? []) {
          if (seen.has(t)) continue;
          seen.add(t);
          out.push(t);
          next.push(t);
        }
      }
      frontier = next;
    }
    return out;
  }

  private mustHave(path: string): void {
    if (!this.graph.hasNode(fileId(path))) throw new UnknownFileError(path);
  }
}
