import { beforeAll, describe, expect, it } from 'vitest';
import { indexRepo, type RepoGraph } from '../../src/graph/mod.ts';
import { externalEdges, fixturesDir, internalEdges } from './helpers.ts';

describe('Go imports resolve through go.mod to package directories (fixture go/)', () => {
  let g: RepoGraph;
  beforeAll(async () => {
    g = await indexRepo(`${fixturesDir}/go`, { workers: 0, cache: false });
  });

  it('links a file to every non-test file of the imported package', () => {
    expect(internalEdges(g)).toEqual([
      'internal/store/store.go -> util/util.go',
      'main.go -> internal/store/mem.go',
      'main.go -> internal/store/store.go',
      'main.go -> util/util.go',
    ]);
  });

  it('makes external nodes for the standard library', () => {
    expect(externalEdges(g)).toEqual(['internal/store/store_test.go -> go:testing', 'main.go -> go:fmt']);
  });

  it('resolves a reference within the package without an import', () => {
    expect(g.graph.hasEdge('references:file:internal/store/mem.go->sym:internal/store/store.go#Store')).toBe(true);
  });

  it('puts the test after the file it tests', () => {
    const order = g.buildOrder().order;
    expect(order.indexOf('internal/store/store_test.go')).toBeGreaterThan(order.indexOf('internal/store/store.go'));
  });
});
