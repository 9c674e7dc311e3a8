import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexRepo, type RepoGraph } from '../../src/graph/mod.ts';
import { internalEdges, materialise, tempDir } from './helpers.ts';

/** Everything a caller can see: nodes and edges with attributes, resolved imports, symbols. */
function snapshot(g: RepoGraph): string {
  const nodes = g.graph.mapNodes((id, a) => [id, a]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const edges = g.graph.mapEdges((id, a, s, t) => [id, s, t, a]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  return JSON.stringify({ nodes, edges, imports: g.data.imports, files: g.data.files, skipped: g.data.skipped, order: g.buildOrder() });
}

/** A fresh-process index, as far as the in-process reuse goes: the cache file alone. */
async function fromCacheFile(root: string, dir: string): Promise<RepoGraph> {
  return indexRepo(root, { workers: 0, cache: { dir: dir }, reuseLiveGraph: false });
}

describe('the whole-result cache', () => {
  it('restores an unchanged repo from the cache file to the same graph', async () => {
    const root = materialise('ts.txtar');
    const dir = tempDir();
    const cold = await indexRepo(root, { workers: 0, cache: { dir } });
    expect(cold.stats!.result).toBe('computed');
    const warm = await fromCacheFile(root, dir);
    expect(warm.stats).toMatchObject({ parsed: 0, result: 'resolution' });
    expect(snapshot(warm)).toBe(snapshot(cold));
  });

  it('reuses a graph still held in this process, and only then', async () => {
    const root = materialise('ts.txtar');
    const dir = tempDir();
    const cold = await indexRepo(root, { workers: 0, cache: { dir } });
    const again = await indexRepo(root, { workers: 0, cache: { dir } });
    expect(again.stats!.result).toBe('graph');
    expect(again.graph).toBe(cold.graph);
    expect(snapshot(again)).toBe(snapshot(cold));
    // No cache: nothing reused.
    const fresh = await indexRepo(root, { workers: 0, cache: false });
    expect(fresh.stats!.result).toBe('computed');
    expect(fresh.graph).not.toBe(cold.graph);
    expect(snapshot(fresh)).toBe(snapshot(cold));
  });

  it('is invalidated by a changed file', async () => {
    const root = materialise('ts.txtar');
    const dir = tempDir();
    const cold = await indexRepo(root, { workers: 0, cache: { dir } });
    expect(internalEdges(cold)).toContain('src/greet.ts -> src/lib/math.ts');
    writeFileSync(join(root, 'src/greet.ts'), "import { helper } from './util/index.js';\nexport const greet = () => helper();\n");
    for (const g of [await indexRepo(root, { workers: 0, cache: { dir } }), await fromCacheFile(root, dir)]) {
      expect(internalEdges(g)).toContain('src/greet.ts -> src/util/index.ts');
      expect(internalEdges(g)).not.toContain('src/greet.ts -> src/lib/math.ts');
    }
    const second = await indexRepo(root, { workers: 0, cache: false });
    expect(snapshot(await fromCacheFile(root, dir))).toBe(snapshot(second));
  });

  it('is invalidated by an added or a removed file', async () => {
    const root = materialise('ts.txtar');
    const dir = tempDir();
    await indexRepo(root, { workers: 0, cache: { dir } });
    // index.ts imports './types' and '@lib/math'; a new src/types/index.ts must not change that,
    // but a removed src/lib/math.ts must.
    writeFileSync(join(root, 'src/extra.ts'), "import { greet } from './greet.js';\nexport const extra = greet('y');\n");
    const added = await indexRepo(root, { workers: 0, cache: { dir } });
    expect(added.stats!.result).toBe('computed');
    expect(internalEdges(added)).toContain('src/extra.ts -> src/greet.ts');
    expect(internalEdges(await fromCacheFile(root, dir))).toContain('src/extra.ts -> src/greet.ts');
    rmSync(join(root, 'src/lib/math.ts'));
    rmSync(join(root, 'src/extra.ts'));
    for (const g of [await indexRepo(root, { workers: 0, cache: { dir } }), await fromCacheFile(root, dir)]) {
      expect(g.hasFile('src/extra.ts')).toBe(false);
      expect(internalEdges(g).filter((e) => e.endsWith('-> src/lib/math.ts'))).toEqual([]);
      expect(g.importsOf('src/index.ts').find((i) => i.spec.specifier === '@lib/math')).not.toHaveProperty('target');
    }
  });

  it('is invalidated by a changed tsconfig.json or package.json', async () => {
    const root = materialise('ts.txtar');
    const dir = tempDir();
    const cold = await indexRepo(root, { workers: 0, cache: { dir } });
    expect(internalEdges(cold)).toContain('src/index.ts -> src/lib/math.ts');
    writeFileSync(join(root, 'tsconfig.json'), '{ "compilerOptions": { "baseUrl": ".", "paths": { "@lib/*": ["src/util/*"] } } }\n');
    writeFileSync(join(root, 'src/util/math.ts'), 'export const add = (a: number, b: number) => a + b;\n');
    const retargeted = await indexRepo(root, { workers: 0, cache: { dir } });
    expect(internalEdges(retargeted)).toContain('src/index.ts -> src/util/math.ts');
    // Only the tsconfig changes now (no file added): the key is the same, the recorded config is not.
    writeFileSync(join(root, 'tsconfig.json'), '{ "compilerOptions": { "baseUrl": ".", "paths": { "@lib/*": ["src/lib/*"] } } }\n');
    const first = await indexRepo(root, { workers: 0, cache: { dir } });
    expect(first.stats!.result).toBe('computed');
    const second = await fromCacheFile(root, dir);
    expect(second.stats!.result).toBe('resolution');
    for (const g of [first, second]) {
      expect(internalEdges(g)).toContain('src/index.ts -> src/lib/math.ts');
      expect(internalEdges(g)).not.toContain('src/index.ts -> src/util/math.ts');
    }
    const pkg = join(root, 'packages/shared/package.json');
    expect(internalEdges(cold)).toContain('src/index.ts -> packages/shared/src/main.ts');
    writeFileSync(pkg, '{ "name": "@fx/other" }\n');
    for (const g of [await indexRepo(root, { workers: 0, cache: { dir } }), await fromCacheFile(root, dir)]) {
      expect(internalEdges(g)).not.toContain('src/index.ts -> packages/shared/src/main.ts');
    }
  });

  it('survives a cache file from before results were stored, and a corrupt one', async () => {
    const root = materialise('ts.txtar');
    const dir = tempDir();
    const cold = await indexRepo(root, { workers: 0, cache: { dir } });
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), 'garbage');
    const again = await fromCacheFile(root, dir);
    expect(again.stats!.result).toBe('computed');
    expect(snapshot(again)).toBe(snapshot(cold));
    expect((await fromCacheFile(root, dir)).stats!.result).toBe('resolution');
  });
});
