import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, RemoteError } from '../../src/bus/mod.ts';
import { GRAPH_SERVICE, GraphClient, graphQueryNames, graphSubject, indexRepo, requestType, serveGraph, type GraphServiceHandle, type RepoGraph } from '../../src/graph/mod.ts';
import { materialise } from './helpers.ts';

describe('the graph service on the bus (MemoryBus)', () => {
  const bus = new MemoryBus();
  let g: RepoGraph;
  let handle: GraphServiceHandle;
  const client = new GraphClient(bus, 'fx-ts');

  beforeAll(async () => {
    g = await indexRepo(materialise('ts.txtar'), { workers: 0, cache: false });
    handle = await serveGraph({ bus, graph: g, repo: 'fx-ts' });
  });
  afterAll(async () => {
    await handle.stop();
    await bus.close();
  });

  it('registers as a service with one endpoint per query, on retrace.graph.<repo>.<query>', async () => {
    const [stats] = await bus.discover(GRAPH_SERVICE);
    expect(stats?.name).toBe(GRAPH_SERVICE);
    expect(stats?.endpoints.map((e) => e.subject).sort()).toEqual(graphQueryNames.map((q) => `retrace.graph.fx-ts.${q}`).sort());
  });

  it('answers dependencies, dependents and imports as the graph does', async () => {
    expect(await client.dependencies('src/greet.ts')).toEqual({ file: 'src/greet.ts', files: ['src/lib/math.ts'], external: [] });
    expect((await client.dependencies('src/index.ts')).external).toEqual(['node:fs', 'npm:zod']);
    expect((await client.dependents('src/lib/math.ts', true)).files).toEqual(g.dependents('src/lib/math.ts', { transitive: true }));
    expect((await client.imports('src/legacy.cjs')).imports).toEqual(g.importsOf('src/legacy.cjs'));
  });

  it('answers the build order, PageRank, context, symbols, file tree and summary', async () => {
    expect(await client.buildOrder()).toEqual(g.buildOrder());
    const { ranks } = await client.pageRank(['src/greet.ts'], 2);
    expect(ranks.map(([f]) => f)).toEqual(['src/greet.ts', 'src/lib/math.ts']);
    expect(await client.context('src/index.ts', 200)).toEqual(g.context('src/index.ts', 200));
    expect((await client.symbols('src/lib/math.ts')).symbols).toEqual(g.symbols('src/lib/math.ts'));
    expect(await client.fileTree()).toEqual(g.fileTree());
    expect((await client.summary()).cycles).toEqual([['src/cycle-a.ts', 'src/cycle-b.ts']]);
  });

  it('answers an unknown file with an error naming it', async () => {
    const err = await client.dependencies('nope.ts').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).remoteMessage).toContain('nope.ts');
  });

  it('rejects a body that does not match the query schema before it reaches the graph', async () => {
    const err = await bus.request(graphSubject('fx-ts', 'context'), { type: requestType('context'), body: { file: 'src/index.ts', tokenBudget: -5 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    const stats = await handle.stats();
    expect(stats.endpoints.find((e) => e.name === 'context')?.numErrors).toBeGreaterThan(0);
  });
});
