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
} as const;

export type GraphQuery = keyof typeof graphQueries;
export type GraphQueryBody<Q extends GraphQuery> = z.infer<(typeof graphQueries)[Q]>;

export const graphQueryNames = Object.keys(graphQueries) as GraphQuery[];
export const requestType = (q: GraphQuery): string => `graph.${q}.request`;
export const resultType = (q: GraphQuery): string => `graph.${q}.result`;
export const graphSubject = (repo: string, q: GraphQuery): string => subjects.graph(repo, q);
