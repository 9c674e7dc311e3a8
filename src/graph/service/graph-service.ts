/**
 * The graph service: one indexed repository's queries served on the bus and registered as the
 * `retrace-graph` service (NATS micro-services protocol on NATS, so `$SRV.PING/INFO/STATS` and
 * `bus.discover('retrace-graph')` find it). Written against the Bus interface only.
 *
 * Each endpoint answers one query of `protocol.ts` for the repo named `repo`; several services
 * (one per repo, or replicas of one repo in its queue group) can share a bus.
 */
import type { Bus, Incoming, Outgoing, ServiceHandle, ServiceStats } from '../../bus/mod.ts';
import { summarize } from '../summary.ts';
import type { RepoGraph } from '../repo-graph.ts';
import { GRAPH_SERVICE, SOURCE_REPLY_BYTES, type GraphQuery, type GraphQueryBody, graphQueries, graphQueryNames, graphSubject, requestType, resultType } from './protocol.ts';
import { RepoTexts } from './snapshot.ts';

export interface GraphServiceOptions {
  bus: Bus;
  graph: RepoGraph;
  /** The repo's name in subjects; a subject token (other characters become `_`). */
  repo: string;
  version?: string;
  /** The files' texts, when the caller already read them (read on first use otherwise). */
  texts?: RepoTexts;
  /** The most bytes of text or snapshot one reply carries; SOURCE_REPLY_BYTES (4 MiB) by default. */
  maxReplyBytes?: number;
}

export interface GraphServiceHandle {
  readonly repo: string;
  readonly service: ServiceHandle;
  stats(): Promise<ServiceStats>;
  stop(): Promise<void>;
}

type Answer = (g: RepoGraph, body: never, texts: RepoTexts, maxBytes: number) => unknown;

/** What each query answers; plain data, msgpack-safe. */
const answers: { [Q in GraphQuery]: (g: RepoGraph, body: GraphQueryBody<Q>, texts: RepoTexts, maxBytes: number) => unknown } = {
  deps: (g, b) => ({ file: b.file, files: g.dependencies(b.file, { transitive: b.transitive ?? false }), external: g.externalDependencies(b.file) }),
  dependents: (g, b) => ({ file: b.file, files: g.dependents(b.file, { transitive: b.transitive ?? false }) }),
  imports: (g, b) => ({ file: b.file, imports: g.importsOf(b.file) }),
  'build-order': (g) => g.buildOrder(),
  pagerank: (g, b) => {
    const ranks = [...g.pageRank(b.seeds).entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    return { ranks: b.top ? ranks.slice(0, b.top) : ranks };
  },
  context: (g, b) => g.context(b.file, b.tokenBudget),
  symbols: (g, b) => ({ file: b.file, symbols: g.symbols(b.file) }),
  'file-tree': (g) => g.fileTree(),
  summary: (g) => {
    const { stats: _stats, ...rest } = summarize(g);
    return rest;
  },
  snapshot: (_g, b, texts, maxBytes) => texts.snapshotPiece(b.offset ?? 0, maxBytes),
  source: (_g, b, texts, maxBytes) => ({ texts: texts.sources(b.files, maxBytes), digest: texts.digest() }),
};

export async function serveGraph(opts: GraphServiceOptions): Promise<GraphServiceHandle> {
  const { bus, graph, repo } = opts;
  const texts = opts.texts ?? new RepoTexts(graph);
  const maxBytes = opts.maxReplyBytes ?? SOURCE_REPLY_BYTES;
  const service = await bus.service({
    name: GRAPH_SERVICE,
    version: opts.version ?? '0.1.0',
    description: 'Repo graph queries: dependencies, build order, ranked context, symbols, file tree.',
    metadata: { repo, root: graph.root },
    endpoints: graphQueryNames.map((q) => ({
      name: q,
      subject: graphSubject(repo, q),
      accept: { [requestType(q)]: graphQueries[q] },
      handler: async (msg: Incoming): Promise<Outgoing> => ({
        type: resultType(q),
        body: await (answers[q] as Answer)(graph, msg.body as never, texts, maxBytes),
        sender: GRAPH_SERVICE,
      }),
    })),
  });
  return { repo, service, stats: () => service.stats(), stop: () => service.stop() };
}
