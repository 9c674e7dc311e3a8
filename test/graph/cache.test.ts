import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexRepo } from '../../src/graph/mod.ts';
import { internalEdges, materialise, tempDir } from './helpers.ts';

describe('the content-hash cache', () => {
  it('re-indexes an unchanged repo without parsing, to the same graph', async () => {
    const root = materialise('ts.txtar');
    const cache = { dir: tempDir() };
    const cold = await indexRepo(root, { workers: 0, cache });
    expect(cold.stats).toMatchObject({ cacheHits: 0 });
    expect(cold.stats!.parsed).toBeGreaterThan(10);
    const warm = await indexRepo(root, { workers: 0, cache });
    expect(warm.stats).toMatchObject({ parsed: 0, cacheHits: cold.stats!.parsed });
    expect(warm.graph.nodes().sort()).toEqual(cold.graph.nodes().sort());
    expect(warm.graph.edges().sort()).toEqual(cold.graph.edges().sort());
  });

  it('parses only what changed', async () => {
    const root = materialise('ts.txtar');
    const cache = { dir: tempDir() };
    const cold = await indexRepo(root, { workers: 0, cache });
    writeFileSync(join(root, 'src/greet.ts'), "import { helper } from './util/index.js';\nexport const greet = () => helper();\n");
    const warm = await indexRepo(root, { workers: 0, cache });
    expect(warm.stats).toMatchObject({ parsed: 1, cacheHits: cold.stats!.parsed - 1 });
    expect(internalEdges(warm)).toContain('src/greet.ts -> src/util/index.ts');
    expect(internalEdges(warm)).not.toContain('src/greet.ts -> src/lib/math.ts');
  });

  it('survives a corrupt cache file', async () => {
    const root = materialise('ts.txtar');
    const dir = tempDir();
    await indexRepo(root, { workers: 0, cache: { dir } });
    const { readdirSync } = await import('node:fs');
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), 'not msgpack at all');
    const again = await indexRepo(root, { workers: 0, cache: { dir } });
    expect(again.stats!.cacheHits).toBe(0);
    expect(again.stats!.parsed).toBeGreaterThan(10);
  });
});
