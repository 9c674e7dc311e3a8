import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileParser, indexRepo, startParsePool } from '../../src/graph/mod.ts';
import { nodeModules } from './helpers.ts';

describe('parsing in worker threads', () => {
  it('gives exactly the facts of parsing inline, on a real package', async () => {
    const root = join(nodeModules, 'commander');
    const inline = await indexRepo(root, { workers: 0, cache: false });
    const threaded = await indexRepo(root, { workers: 2, cache: false, batchChars: 16 * 1024 });
    expect(threaded.stats!.workers).toBe(2);
    expect([...threaded.data.facts.entries()]).toEqual([...inline.data.facts.entries()]);
    expect(threaded.graph.edges().sort()).toEqual(inline.graph.edges().sort());
  });

  it('sends only plain data back: facts survive structured cloning unchanged', async () => {
    const pool = await startParsePool(1);
    try {
      const text = 'export class A { m(): void {} }\nimport { b } from "./b";\n';
      const [result] = await pool.parse([{ path: 'a.ts', language: 'typescript', text }]);
      expect(result).toEqual({ path: 'a.ts', facts: new FileParser().parse('typescript', text) });
      expect(structuredClone(result)).toEqual(result);
    } finally {
      await pool.close();
    }
  });
});
