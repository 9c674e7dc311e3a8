import { beforeAll, describe, expect, it } from 'vitest';
import { indexRepo, type RepoGraph } from '../../src/graph/mod.ts';
import { externalEdges, fixturesDir, internalEdges } from './helpers.ts';

describe('Python imports resolve to modules and packages (fixture python/)', () => {
  let g: RepoGraph;
  beforeAll(async () => {
    g = await indexRepo(`${fixturesDir}/python`, { workers: 0, cache: false });
  });

  it('finds exactly the expected file edges', () => {
    expect(internalEdges(g)).toEqual([
      // `from pkg import util, run`: util is a module, run a name in the package.
      'app.py -> pkg/__init__.py',
      'app.py -> pkg/core.py',
      'app.py -> pkg/util.py',
      'pkg/__init__.py -> pkg/core.py',
      'pkg/core.py -> pkg/sub/deep.py',
      'pkg/core.py -> pkg/util.py',
      'pkg/sub/deep.py -> pkg/util.py',
      'tests/test_core.py -> pkg/core.py',
    ]);
  });

  it('makes external nodes for the rest', () => {
    expect(externalEdges(g)).toEqual(['app.py -> python:requests', 'pkg/core.py -> python:os']);
  });

  it('reads classes, methods and functions', () => {
    expect(g.symbols('pkg/core.py').map((s) => `${s.kind} ${s.qualifiedName}`)).toEqual(['class Runner', 'method Runner.go', 'function run']);
  });

  it('resolves a reference through the imports', () => {
    expect(g.graph.hasEdge('references:file:app.py->sym:pkg/util.py#helper')).toBe(true);
  });
});
