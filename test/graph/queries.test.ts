import { beforeAll, describe, expect, it } from 'vitest';
import { UnknownFileError, estimateTokens, indexRepo, type RepoGraph } from '../../src/graph/mod.ts';
import { materialise } from './helpers.ts';

describe('graph queries on the TS fixture', () => {
  let g: RepoGraph;
  beforeAll(async () => {
    g = await indexRepo(materialise('ts.txtar'), { workers: 0, cache: false });
  });

  it('answers dependencies and dependents, direct and transitive', () => {
    expect(g.dependencies('src/greet.ts')).toEqual(['src/lib/math.ts']);
    expect(g.dependents('src/lib/math.ts')).toEqual(['src/greet.ts', 'src/index.ts']);
    expect(g.dependencies('test/greet.test.ts', { transitive: true })).toEqual(['src/greet.ts', 'src/lib/math.ts']);
    expect(g.dependents('src/dyn.js', { transitive: true }).sort()).toEqual(['src/index.ts', 'src/legacy.cjs', 'test/entry.test.cjs']);
    expect(() => g.dependencies('nope.ts')).toThrow(UnknownFileError);
  });

  it('lists a file\'s symbols with stable ids, nested by range', () => {
    expect(g.symbols('src/lib/math.ts').map((s) => [s.id, s.kind, s.startLine])).toEqual([
      ['sym:src/lib/math.ts#add', 'function', 2],
      ['sym:src/lib/math.ts#Vector', 'class', 6],
      ['sym:src/lib/math.ts#Vector.length', 'method', 8],
    ]);
  });

  it('keeps ids stable when the repo is indexed again', async () => {
    const again = await indexRepo(g.root, { workers: 0, cache: false });
    expect(again.graph.nodes().sort()).toEqual(g.graph.nodes().sort());
    expect(again.graph.edges().sort()).toEqual(g.graph.edges().sort());
  });

  it('links a file to the definitions it references in the files it imports', () => {
    expect(g.graph.hasEdge('references:file:src/greet.ts->sym:src/lib/math.ts#add')).toBe(true);
    expect(g.graph.hasEdge('defines:file:src/lib/math.ts->sym:src/lib/math.ts#Vector')).toBe(true);
    expect(g.graph.hasEdge('contains:sym:src/lib/math.ts#Vector->sym:src/lib/math.ts#Vector.length')).toBe(true);
  });

  it('builds a ranked context of the definitions a file depends on, within budget', () => {
    const ctx = g.context('src/index.ts', 1000);
    expect(ctx.tokens).toBeLessThanOrEqual(1000);
    expect(ctx.files.map((f) => f.path).sort()).toEqual(['packages/shared/src/main.ts', 'src/dyn.js', 'src/greet.ts', 'src/lib/math.ts', 'src/types.ts', 'src/util/index.ts']);
    expect(ctx.text).toContain('src/greet.ts:\n  3: export function greet(name: string): string {\n');
    expect(estimateTokens(ctx.text)).toBeGreaterThan(0);
    // Directly referenced definitions outrank the rest.
    const greet = ctx.files.flatMap((f) => f.symbols).find((s) => s.name === 'greet')!;
    const helper = ctx.files.flatMap((f) => f.symbols).find((s) => s.name === 'helper')!;
    expect(greet.score).toBeGreaterThan(helper.score);
  });

  it('drops the least relevant definitions first when the budget is small', () => {
    const full = g.context('src/index.ts', 10_000);
    const small = g.context('src/index.ts', 30);
    expect(small.tokens).toBeLessThanOrEqual(30);
    const kept = small.files.flatMap((f) => f.symbols);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(full.files.flatMap((f) => f.symbols).length);
    const minKept = Math.min(...kept.map((s) => s.score));
    const maxAll = Math.max(...full.files.flatMap((f) => f.symbols).map((s) => s.score));
    expect(kept.some((s) => s.score === maxAll)).toBe(true);
    expect(minKept).toBeGreaterThan(0);
    expect(g.context('src/dyn.js', 1000).files).toEqual([]);
  });

  it('ranks files with a personalised PageRank seeded at the file', () => {
    const r = g.pageRank(['src/greet.ts']);
    expect(r.get('src/lib/math.ts')!).toBeGreaterThan(r.get('src/util/index.ts')!);
    expect(r.get('src/util/index.ts')).toBe(0);
  });

  it('gives the file tree, directories first', () => {
    const tree = g.fileTree();
    expect(tree.children!.map((c) => c.name)).toEqual(['packages', 'src', 'test', 'package.json', 'tsconfig.json']);
    const src = tree.children!.find((c) => c.name === 'src')!;
    expect(src.children!.slice(0, 2).map((c) => c.name)).toEqual(['lib', 'util']);
  });
});
