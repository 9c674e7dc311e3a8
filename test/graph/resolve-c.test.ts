import { beforeAll, describe, expect, it } from 'vitest';
import { indexRepo, type RepoGraph } from '../../src/graph/mod.ts';
import { externalEdges, fixturesDir, internalEdges } from './helpers.ts';

describe('C and C++ includes resolve to headers (fixture c/)', () => {
  let g: RepoGraph;
  beforeAll(async () => {
    g = await indexRepo(`${fixturesDir}/c`, { workers: 0, cache: false });
  });

  it('finds quoted includes beside the file and under include/, angled ones under include/', () => {
    expect(internalEdges(g)).toEqual(['src/main.c -> include/fx/util.h', 'src/main.c -> src/local.h', 'src/shape.cpp -> src/local.h', 'src/util.c -> include/fx/util.h']);
  });

  it('leaves system headers outside', () => {
    expect(externalEdges(g)).toEqual(['src/main.c -> c:stdio.h', 'src/shape.cpp -> c:vector']);
  });

  it('reads functions, structs and C++ classes', () => {
    expect(g.symbols('src/util.c').map((s) => `${s.kind} ${s.name}`)).toEqual(['function add']);
    expect(g.symbols('src/local.h').map((s) => `${s.kind} ${s.name}`)).toEqual(['class point']);
    expect(g.symbols('src/shape.cpp').map((s) => `${s.kind} ${s.name}`)).toContain('class Shape');
  });
});
