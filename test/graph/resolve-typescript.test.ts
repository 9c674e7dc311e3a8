import { beforeAll, describe, expect, it } from 'vitest';
import { indexRepo, type RepoGraph } from '../../src/graph/mod.ts';
import { externalEdges, internalEdges, materialise, tempDir, writeTree } from './helpers.ts';

describe('TS/JS imports resolve to files (fixture ts.txtar)', () => {
  let g: RepoGraph;
  beforeAll(async () => {
    g = await indexRepo(materialise('ts.txtar'), { workers: 0, cache: false });
  });

  it('finds exactly the expected file edges', () => {
    expect(internalEdges(g)).toEqual([
      'src/cycle-a.ts -> src/cycle-b.ts',
      'src/cycle-b.ts -> src/cycle-a.ts',
      'src/greet.ts -> src/lib/math.ts',
      'src/index.ts -> packages/shared/src/main.ts',
      'src/index.ts -> src/dyn.js',
      'src/index.ts -> src/greet.ts',
      'src/index.ts -> src/legacy.cjs',
      'src/index.ts -> src/lib/math.ts',
      'src/index.ts -> src/types.ts',
      'src/index.ts -> src/util/index.ts',
      'src/legacy.cjs -> src/dyn.js',
      // package.json "imports" (#subpaths), conditions included.
      'src/uses-subpath-imports.ts -> src/types.ts',
      'src/uses-subpath-imports.ts -> src/util/index.ts',
      'src/view.tsx -> src/greet.ts',
      // require('../'): the directory's package.json main.
      'test/entry.test.cjs -> src/dyn.js',
      'test/greet.test.ts -> src/greet.ts',
    ]);
  });

  it('makes external-package nodes for imports that leave the repo', () => {
    expect(externalEdges(g)).toEqual(['src/index.ts -> node:fs', 'src/index.ts -> npm:zod']);
  });

  it('records how each import was written', () => {
    const kinds = Object.fromEntries(g.importsOf('src/index.ts').map((i) => [i.spec.specifier, i.spec.kind]));
    expect(kinds).toEqual({
      './greet.js': 'static',
      '@lib/math': 'static',
      './types': 'type-import',
      '@fx/shared': 'static',
      zod: 'static',
      'node:fs': 'static',
      './util/index.js': 'reexport',
      './legacy.cjs': 'require',
      './dyn.js': 'dynamic',
    });
  });

  it('flags a file with syntax errors and keeps what the partial parse found', () => {
    const broken = g.graph.getNodeAttributes('file:src/broken.ts');
    expect(broken.type === 'file' && broken.parseError).toBe(true);
    expect(g.symbols('src/broken.ts').map((s) => s.name)).toContain('after');
    expect(g.graph.getNodeAttributes('file:src/greet.ts')).not.toHaveProperty('parseError');
  });
});

describe('Deno registry specifiers', () => {
  it('name the package once, without the version', async () => {
    const root = writeTree(tempDir(), {
      'main.ts': 'import { z } from "npm:zod@3.22.4";\nimport chalk from "npm:/chalk@5/ansi";\nimport { join } from "jsr:@std/path@^1.0.0";\nimport type { X } from "npm:@types/node@20/fs";\n',
    });
    const g = await indexRepo(root, { workers: 0, cache: false });
    expect(g.externalDependencies('main.ts')).toEqual(['jsr:@std/path', 'npm:@types/node', 'npm:chalk', 'npm:zod']);
  });
});
