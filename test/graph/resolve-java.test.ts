import { beforeAll, describe, expect, it } from 'vitest';
import { indexRepo, type RepoGraph } from '../../src/graph/mod.ts';
import { externalEdges, fixturesDir, internalEdges } from './helpers.ts';

describe('Java imports resolve through package declarations (fixture java/)', () => {
  let g: RepoGraph;
  const base = 'src/main/java/com/fx';
  beforeAll(async () => {
    g = await indexRepo(`${fixturesDir}/java`, { workers: 0, cache: false });
  });

  it('resolves single, wildcard and static imports', () => {
    expect(internalEdges(g)).toEqual([`${base}/App.java -> ${base}/model/User.java`, `${base}/App.java -> ${base}/util/Numbers.java`, `${base}/App.java -> ${base}/util/Strings.java`]);
  });

  it('merges the two imports of one file into one edge', () => {
    const edge = g.graph.getEdgeAttributes(`imports:file:${base}/App.java->file:${base}/util/Strings.java`);
    expect(edge.type === 'imports' && edge.kinds.sort()).toEqual(['java', 'java-static']);
  });

  it('makes external nodes for the JDK', () => {
    expect(externalEdges(g)).toEqual([`${base}/App.java -> java:java.util`]);
  });
});
