import { beforeAll, describe, expect, it } from 'vitest';
import { indexRepo, type RepoGraph } from '../../src/graph/mod.ts';
import { externalEdges, fixturesDir, internalEdges } from './helpers.ts';

describe('Rust mod and use paths resolve to module files (fixture rust/)', () => {
  let g: RepoGraph;
  beforeAll(async () => {
    g = await indexRepo(`${fixturesDir}/rust`, { workers: 0, cache: false });
  });

  it('finds exactly the expected file edges', () => {
    expect(internalEdges(g)).toEqual([
      'src/lib.rs -> src/net/client.rs',
      'src/lib.rs -> src/net/mod.rs',
      'src/lib.rs -> src/util.rs',
      'src/net/client.rs -> src/net/server.rs',
      'src/net/client.rs -> src/util.rs',
      'src/net/mod.rs -> src/net/client.rs',
      'src/net/mod.rs -> src/net/server.rs',
    ]);
  });

  it('makes external nodes for other crates', () => {
    expect(externalEdges(g)).toEqual(['src/net/client.rs -> rust:serde']);
  });

  it('nests methods under their impl-less struct by range, and modules by name', () => {
    const names = g.symbols('src/net/server.rs').map((s) => s.qualifiedName);
    expect(names).toEqual(['Server', 'inner', 'inner.Socket']);
  });
});
