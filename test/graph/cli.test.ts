import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildProgram } from '../../src/cli/program.ts';
import { fixturesDir, materialise } from './helpers.ts';

async function run(args: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    await buildProgram().exitOverride().parseAsync(['node', 'retrace', ...args]);
  } finally {
    spy.mockRestore();
  }
  return out;
}

describe('retrace graph', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints files per language, skipped files, edges, cycles and the build order', async () => {
    const out = await run(['graph', materialise('ts.txtar'), '--no-cache', '--workers', '0']);
    expect(out).toMatch(/^files 19: typescript 12, javascript 3, other 3, tsx 1$/m);
    expect(out).toMatch(/^edges: imports 16 between files, 2 to 2 external packages, 0 unresolved, 0 of a file to itself;/m);
    expect(out).toContain('cycles 1\n  src/cycle-a.ts <-> src/cycle-b.ts\n');
    expect(out).toContain('parse errors 1\n  src/broken.ts\n');
    expect(out).toMatch(/build order: 19 files in 18 steps, 3 generations/);
  });

  it('prints the summary as JSON with --json', async () => {
    const summary = JSON.parse(await run(['graph', `${fixturesDir}/go`, '--json', '--no-cache'])) as Record<string, unknown>;
    expect(summary).toMatchObject({
      files: 6,
      languages: { go: 5, other: 1 },
      externalPackages: ['go:fmt', 'go:testing'],
      edges: { imports: 4, externalImports: 2, unresolvedImports: 0, selfImports: 0 },
      cycles: [],
    });
    expect((summary.buildOrder as { order: string[] }).order).toHaveLength(6);
  });

  it('says clearly when the repository is missing or is not a directory', async () => {
    await expect(run(['graph', '/nonexistent/repo'])).rejects.toThrow('no such repository: /nonexistent/repo');
    await expect(run(['graph', `${fixturesDir}/ts.txtar`])).rejects.toThrow(/not a directory: .*ts\.txtar/);
    await expect(run(['graph-service', '/nonexistent/repo', '--nats', 'nats://127.0.0.1:1'])).rejects.toThrow('no such repository: /nonexistent/repo');
  });
});

