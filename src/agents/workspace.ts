/**
 * A repository as the agents see it: indexed once per process (the graph's on-disk cache makes a
 * second process cheap), with the real contents, the facts policies write from, the chunks files
 * are written in, the environment the tester checks against, and the identifiers that exist.
 */
import { realpathSync } from 'node:fs';
import { indexRepo, isTestFile, testSubjects, type RepoGraph } from '../graph/mod.ts';
import { emptyEnvironment, learnEnvironment, type CheckEnvironment } from './checks.ts';
import { chunkFile, fileFacts, readRepoFile, summarizeRepo, writingOrder, type Chunk, type FileFacts, type RepoSummary } from './facts.ts';
import type { RepoRef } from './types.ts';

export interface WorkspaceOptions {
  /** Files longer than this are written one top-level definition at a time. */
  maxChunkLines?: number;
  /** Token budget of the Reads before writing a file. */
  readTokens?: number;
  /** Where the graph keeps its facts cache; the graph's default when absent. */
  cacheDir?: string;
}

export class Workspace {
  private readonly contents = new Map<string, string>();
  private readonly factsByPath = new Map<string, FileFacts>();
  private envCache: CheckEnvironment | undefined;
  private identifiers: Set<string> | undefined;
  readonly order: string[];

  private constructor(
    readonly repo: RepoRef,
    readonly graph: RepoGraph,
    private readonly opts: Required<Omit<WorkspaceOptions, 'cacheDir'>>,
  ) {
    this.order = writingOrder(graph);
  }

  static async open(repo: RepoRef, opts: WorkspaceOptions = {}): Promise<Workspace> {
    const graph = await indexRepo(repo.root, opts.cacheDir ? { cache: { dir: opts.cacheDir } } : {});
    return new Workspace(repo, graph, { maxChunkLines: opts.maxChunkLines ?? 60, readTokens: opts.readTokens ?? 3000 });
  }

  read(path: string): string {
    let c = this.contents.get(path);
    if (c === undefined) {
      c = readRepoFile(this.graph, path);
      this.contents.set(path, c);
    }
    return c;
  }

  facts(path: string): FileFacts {
    let f = this.factsByPath.get(path);
    if (!f) {
      f = fileFacts(this.graph, path, this.read(path));
      this.factsByPath.set(path, f);
    }
    return f;
  }

  chunks(path: string): Chunk[] {
    return chunkFile(this.read(path), this.facts(path), this.opts.maxChunkLines);
  }

  summary(): RepoSummary {
    return summarizeRepo(this.graph, this.repo.name);
  }

  isTest(path: string): boolean {
    return isTestFile(path) && this.graph.data.facts.has(path);
  }

  /** Files a test exercises (by name and by import). */
  testSubjectsOf(path: string): string[] {
    const byName = testSubjects(this.graph.data.files.map((f) => f.path)).get(path);
    return [...new Set([...(byName ? [byName] : []), ...this.facts(path).imports])];
  }

  /** What to Read before writing `path`: its repo imports, nearest first, within the token budget. */
  readsFor(path: string): string[] {
    const out: string[] = [];
    let tokens = 0;
    const want = this.isTest(path) ? this.testSubjectsOf(path) : this.facts(path).imports;
    for (const dep of want) {
      if (dep === path) continue;
      const t = Math.ceil(this.read(dep).length / 4);
      if (out.length > 0 && tokens + t > this.opts.readTokens) break;
      out.push(dep);
      tokens += t;
    }
    return out;
  }

  /** The tester's environment, learned from every real source file. */
  env(): CheckEnvironment {
    if (!this.envCache) {
      const env = emptyEnvironment();
      for (const f of this.graph.data.files) {
        if (!f.language || !this.graph.data.facts.has(f.path)) continue;
        learnEnvironment(env, f.language, this.read(f.path));
      }
      this.envCache = env;
    }
    return this.envCache;
  }

  /** Every name defined in the repository. */
  knownIdentifiers(): Set<string> {
    if (!this.identifiers) {
      const ids = new Set<string>();
      for (const facts of this.graph.data.facts.values()) for (const d of facts.definitions) ids.add(d.name);
      this.identifiers = ids;
    }
    return this.identifiers;
  }

  /** The ranked map of what `path` depends on, as text, for the search context. */
  contextMap(path: string, tokens = 600): string {
    return this.graph.hasFile(path) && this.graph.data.facts.has(path) ? this.graph.context(path, tokens).text : '';
  }
}

/** One workspace per repository root per process. */
export class Workspaces {
  private readonly open = new Map<string, Promise<Workspace>>();
  constructor(private readonly opts: WorkspaceOptions = {}) {}

  get(repo: RepoRef): Promise<Workspace> {
    const key = `${repo.name}\0${realpathSync(repo.root)}`;
    let w = this.open.get(key);
    if (!w) {
      w = Workspace.open(repo, this.opts);
      w.catch(() => this.open.delete(key));
      this.open.set(key, w);
    }
    return w;
  }
}
