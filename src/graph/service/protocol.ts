/**
 * The graph service's protocol on the bus, shared by the service and its clients.
 *
 * Every query is request/reply on `retrace.graph.<repo>.<query>`: a `graph.<query>.request`
 * envelope answered by a `graph.<query>.result`. Bodies are validated with the schemas below
 * before a handler runs. A failure (an unknown file, say) is thrown by the service and reaches
 * the caller as the bus's RemoteError, whose message starts with the error's class name.
 */
import { z } from 'zod';
import { subjects } from '../../bus/mod.ts';

export const GRAPH_SERVICE = 'retrace-graph';

const file = z.string().min(1);

export const graphQueries = {
  deps: z.object({ file, transitive: z.boolean().optional() }),
  dependents: z.object({ file, transitive: z.boolean().optional() }),
  imports: z.object({ file }),
  'build-order': z.object({}),
  pagerank: z.object({ seeds: z.array(file).optional(), top: z.number().int().positive().optional() }),
  context: z.object({ file, tokenBudget: z.number().int().positive() }),
  symbols: z.object({ file }),
  'file-tree': z.object({}),
  summary: z.object({}),
  /**
   * Everything indexing found (RepoData as plain data) and a digest of the kept files' contents,
   * msgpack-encoded and sent in pieces of at most SOURCE_REPLY_BYTES from `offset`.
   */
  snapshot: z.object({ offset: z.number().int().min(0).default(0) }),
  /** The texts of kept files, in order; a reply may hold only the first ones (the size limit). */
  source: z.object({ files: z.array(file).min(1).max(4096) }),
} as const;

/** The most text bytes one `source` reply carries (NATS max_payload is 8 MB in our configs). */
export const SOURCE_REPLY_BYTES = 4 * 1024 * 1024;

export type GraphQuery = keyof typeof graphQueries;
export type GraphQueryBody<Q extends GraphQuery> = z.infer<(typeof graphQueries)[Q]>;

export const graphQueryNames = Object.keys(graphQueries) as GraphQuery[];
export const requestType = (q: GraphQuery): string => `graph.${q}.request`;
export const resultType = (q: GraphQuery): string => `graph.${q}.result`;
export const graphSubject = (repo: string, q: GraphQuery): string => subjects.graph(repo, q);
