/**
 * A repository as the agents see it: indexed once per process (the graph's on-disk cache makes a
 * second process cheap), with the real contents, the facts policies write from, the chunks files
 * are written in, the environment the tester checks against, and the identifiers that exist.
 */
import { readFileSync, realpathSync } from 'node:fs';
import type { Bus } from '../bus/mod.ts';
import { digestOf, GraphClient, graphFromSnapshot, indexRepo, isTestFile, testSubjects, UnknownFileError, type IndexOptions, type RepoGraph, type RepoSnapshot } from '../graph/mod.ts';
import { emptyEnvironment, learnEnvironment, type CheckEnvironment } from './checks.ts';
import { DEFAULT_CHUNK_CHARS } from './chunking.ts';
import { chunkFile, fileFacts, summarizeRepo, writingOrder, type Chunk, type FileFacts, type RepoSummary } from './facts.ts';
import type { RepoRef } from './types.ts';
import type { LanguageId } from '../graph/types.ts';
import { checkRepoPath, resolveInRepo } from '../paths/repo-path.ts';

/** Files parsed between two turns of the event loop while the environment is learned (learnEnv). */
const ENV_FILES_PER_TURN = 16;

export interface WorkspaceOptions {
  /**
   * Files longer than this many lines, or `maxChunkChars` characters, are written in chunks: one
   * top-level definition at a time, and a longer one at its natural parts (src/agents/chunking.ts).
   */
  maxChunkLines?: number;
  maxChunkChars?: number;
  /** Token budget of the Reads before writing a file. */
  readTokens?: number;
  /** Where the graph keeps its facts cache; the graph's default when absent. */
  cacheDir?: string;
  /** The bus, to reach graph services (repositories whose RepoRef names a `graph`). */
  bus?: Bus;
  /**
   * Told how indexing a local repository goes (indexRepo's `onProgress`); not called for a
   * repository taken from a graph service.
   */
  onIndexProgress?: IndexOptions['onProgress'];
}

/** A repository named by a RepoRef that this process cannot open. */
export class RepoUnavailableError extends Error {
  override name = 'RepoUnavailableError';
}

export class Workspace {
  private readonly contents = new Map<string, string>();
  private readonly factsByPath = new Map<string, FileFacts>();
  private readonly chunksByPath = new Map<string, Chunk[]>();
  private envCache: CheckEnvironment | undefined;
  private envLearning: Promise<void> | undefined;
  private digestHex: string | undefined;
  private identifiers: Set<string> | undefined;
  private positions: Map<string, number> | undefined;
  private subjectsByTest: Map<string, string> | undefined;
  readonly order: string[];

  private constructor(
    readonly repo: RepoRef,
    readonly graph: RepoGraph,
    private readonly opts: Required<Pick<WorkspaceOptions, 'maxChunkLines' | 'maxChunkChars' | 'readTokens'>>,
    /** Every kept file's text, when the repository came from a graph service. */
    private readonly served?: ReadonlyMap<string, string>,
    /** HEAD and origin as the graph service saw them (a repository indexed here: absent). */
    readonly servedGit?: RepoSnapshot['git'],
  ) {
    this.order = writingOrder(graph);
  }

  /** Indexes `repo.root` here, or takes the index and the texts from the graph service `repo.graph`. */
  static async open(repo: RepoRef, opts: WorkspaceOptions = {}): Promise<Workspace> {
    const settings = { maxChunkLines: opts.maxChunkLines ?? 60, maxChunkChars: opts.maxChunkChars ?? DEFAULT_CHUNK_CHARS, readTokens: opts.readTokens ?? 3000 };
    if (repo.graph) return Workspace.fromService(repo, opts.bus, settings);
    const indexOpts: IndexOptions = opts.cacheDir ? { cache: { dir: opts.cacheDir } } : {};
    if (opts.onIndexProgress) indexOpts.onProgress = opts.onIndexProgress;
    const graph = await indexRepo(repo.root, indexOpts);
    return new Workspace(repo, graph, settings);
  }

  private static async fromService(repo: RepoRef, bus: Bus | undefined, settings: { maxChunkLines: number; maxChunkChars: number; readTokens: number }): Promise<Workspace> {
    if (!bus) throw new RepoUnavailableError(`${repo.name} is served by the graph service "${repo.graph}", and this process has no bus to reach it`);
    const client = new GraphClient(bus, repo.graph!);
    let snapshot;
    try {
      snapshot = await client.snapshot();
    } catch (err) {
      throw new RepoUnavailableError(`graph service "${repo.graph}" did not answer for ${repo.name}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (repo.digest && snapshot.digest !== repo.digest) {
      throw new RepoUnavailableError(`graph service "${repo.graph}" serves another version of ${repo.name} (digest ${snapshot.digest.slice(0, 12)}, the run has ${repo.digest.slice(0, 12)})`);
    }
    const paths = snapshot.files.map((f) => f.path);
    const texts = await client.sources(paths, snapshot.digest);
    const served = new Map(paths.map((p, i) => [p, texts[i]!]));
    return new Workspace({ ...repo, digest: snapshot.digest }, graphFromSnapshot(snapshot), settings, served, snapshot.git);
  }

  /** The version: sha256 over the kept files' paths and texts (the graph service's digest). */
  digest(): string {
    this.digestHex ??= this.repo.digest && this.served ? this.repo.digest : digestOf(this.graph.data.files.map((f) => [f.path, this.read(f.path)] as const));
    return this.digestHex;
  }

  /**
   * The text of `path`. Paths come from work messages: one that leaves the repository (absolute,
   * `..`, or a symlink out of the root) is refused with a RepoPathError before anything is read.
   */
  read(path: string): string {
    let c = this.contents.get(path);
    if (c === undefined) {
      checkRepoPath(path);
      if (this.served) {
        c = this.served.get(path);
        if (c === undefined) throw new UnknownFileError(path);
      } else c = readFileSync(resolveInRepo(this.graph.root, path), 'utf8');
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

  /** The size past which a chunk is cut further: a chunk over it could not be cut (one long token or line). */
  get chunkTarget(): { maxLines: number; maxChars: number } {
    return { maxLines: this.opts.maxChunkLines, maxChars: this.opts.maxChunkChars };
  }

  /** The chunks `path` is written in (the same every call: the coder's and tester's machines count them). */
  chunks(path: string): Chunk[] {
    let c = this.chunksByPath.get(path);
    if (!c) {
      const definitions = this.graph.data.facts.get(path)?.definitions ?? [];
      c = chunkFile(this.read(path), this.facts(path), this.opts.maxChunkLines, { maxChunkChars: this.opts.maxChunkChars, definitions });
      this.chunksByPath.set(path, c);
    }
    return c;
  }

  summary(): RepoSummary {
    return summarizeRepo(this.graph, this.repo.name, (p) => this.read(p));
  }

  isTest(path: string): boolean {
    return isTestFile(path) && this.graph.data.facts.has(path);
  }

  /** Where `path` is in the writing order (-1: not in it); a map, so asking costs no walk of the order. */
  position(path: string): number {
    this.positions ??= new Map(this.order.map((p, i) => [p, i]));
    return this.positions.get(path) ?? -1;
  }

  /** Files a test exercises (by name and by import). */
  testSubjectsOf(path: string): string[] {
    this.subjectsByTest ??= testSubjects(this.graph.data.files.map((f) => f.path));
    const byName = this.subjectsByTest.get(path);
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
      for (const f of this.envSources()) learnEnvironment(env, f.language, this.read(f.path));
      this.envCache = env;
    }
    return this.envCache;
  }

  /**
   * Learns the environment as env() does, letting the event loop turn every few files. Each file
   * is parsed, and node-tree-sitter frees a tree's native memory only when the loop turns: learned
   * in one go, every file's tree is held at once (gigabytes for a repository of 20,000 files).
   */
  async learnEnv(): Promise<void> {
    if (this.envCache) return;
    this.envLearning ??= (async () => {
      const env = emptyEnvironment();
      let n = 0;
      for (const f of this.envSources()) {
        learnEnvironment(env, f.language, this.read(f.path));
        if (++n % ENV_FILES_PER_TURN === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
      this.envCache ??= env;
    })();
    await this.envLearning;
  }

  /** The files the environment is learned from, in the graph's order: the real parsed sources. */
  private envSources(): Array<{ path: string; language: LanguageId }> {
    const out: Array<{ path: string; language: LanguageId }> = [];
    for (const f of this.graph.data.files) if (f.language && this.graph.data.facts.has(f.path)) out.push({ path: f.path, language: f.language });
    return out;
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

  /**
   * The ranked map of what `path` depends on, as text, for the search context: only files written
   * before it (a file later in the order, in an import cycle, is not known yet: its lines are the
   * answer of another write).
   */
  contextMap(path: string, tokens = 600): string {
    if (!this.graph.hasFile(path) || !this.graph.data.facts.has(path)) return '';
    const at = this.position(path);
    const before = (p: string) => {
      const i = this.position(p);
      return i >= 0 && i < at;
    };
    return this.graph
      .context(path, tokens)
      .files.filter((f) => before(f.path))
      .map((f) => `${f.path}:\n${f.symbols.map((s) => `  ${s.line}: ${s.signature}\n`).join('')}`)
      .join('');
  }
}

/**
 * The workspaces of one process: one per repository (root, or graph service and version), the
 * least recently used dropped beyond `keep` (a long-lived agent serves many runs). A RepoRef that
 * names a digest gets a workspace of that version: a cached one of another version (the files
 * changed since) is indexed again, and a repository that still differs is an error — the agent
 * would rebuild other files than the run's.
 */
export class Workspaces {
  private readonly open = new Map<string, Promise<Workspace>>();
  constructor(
    private readonly opts: WorkspaceOptions = {},
    private readonly keep = 8,
  ) {}

  async get(repo: RepoRef): Promise<Workspace> {
    const key = repo.graph ? `${repo.name}\0graph:${repo.graph}\0${repo.digest ?? ''}` : `${repo.name}\0${realpathSync(repo.root)}`;
    let w = this.take(key, repo);
    if (repo.digest && !repo.graph && (await w).digest() !== repo.digest) {
      this.open.delete(key);
      w = this.take(key, repo);
      const fresh = await w;
      if (fresh.digest() !== repo.digest) {
        throw new RepoUnavailableError(`${repo.root} is not the version of ${repo.name} the run works on (digest ${fresh.digest().slice(0, 12)}, the run has ${repo.digest.slice(0, 12)}): the files differ from the run's`);
      }
    }
    return w;
  }

  private take(key: string, repo: RepoRef): Promise<Workspace> {
    let w = this.open.get(key);
    if (w) this.open.delete(key);
    else {
      w = Workspace.open(repo, this.opts);
      w.catch(() => this.open.delete(key));
    }
    this.open.set(key, w);
    while (this.open.size > this.keep) this.open.delete(this.open.keys().next().value!);
    return w;
  }
}
