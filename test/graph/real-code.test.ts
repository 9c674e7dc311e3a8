/**
 * Real code as input: packages installed under node_modules (TS and JS, ESM and CJS) and the
 * Python standard library and Go sources Debian ships, when present. No crash, every skipped file
 * has a reason, and imports that point into the package resolve.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexRepo, type RepoGraph, type SkipReason } from '../../src/graph/mod.ts';
import { nodeModules } from './helpers.ts';

const reasons: ReadonlySet<SkipReason> = new Set(['binary', 'too-large', 'vendored', 'generated', 'unreadable', 'non-utf8', 'symlink', 'symlink-outside', 'symlink-broken', 'special']);

function checkSane(g: RepoGraph): void {
  for (const s of g.data.skipped) expect(reasons.has(s.reason), `${s.path}: ${s.reason}`).toBe(true);
  expect(g.buildOrder().order).toHaveLength(g.filePaths().length);
  for (const f of g.data.facts.values()) expect(f.parseFailed).toBeUndefined();
}

const packages: Array<[string, string]> = [
  ['commander', 'CJS JS with .d.ts'],
  ['zod', 'ESM + CJS builds and TS sources'],
  ['graphology', 'CJS/ESM bundles'],
  ['ignore', 'small CJS'],
  ['p-limit', 'ESM'],
  ['pino', 'CJS with tests and TS types'],
];

describe('indexing real packages', () => {
  for (const [pkg, what] of packages) {
    it(`indexes ${pkg} (${what})`, async () => {
      const g = await indexRepo(join(nodeModules, pkg), { workers: 0, cache: false });
      checkSane(g);
      expect(g.data.facts.size).toBeGreaterThan(0);
      const internal = g.data.imports.filter((i) => i.target !== undefined).length;
      const unresolved = g.data.imports.filter((i) => i.unresolved).length;
      // Relative imports in published packages almost always point at shipped files.
      expect(unresolved).toBeLessThanOrEqual(Math.max(2, internal * 0.02));
    });
  }

  const pythonLib = ['/usr/lib/python3.11/json', '/usr/lib/python3.11/email', '/usr/lib/python3.11/importlib'].filter(existsSync);
  it.skipIf(pythonLib.length === 0)('indexes Python packages from the standard library', async () => {
    for (const dir of pythonLib) {
      const g = await indexRepo(dir, { workers: 0, cache: false });
      checkSane(g);
      expect(g.data.facts.size).toBeGreaterThan(3);
      // Relative imports inside a stdlib package resolve to its modules.
      expect(g.data.imports.filter((i) => i.spec.specifier.startsWith('.') && i.target === undefined)).toEqual([]);
    }
  });

  const goDir = '/usr/share/doc/git/contrib/persistent-https';
  it.skipIf(!existsSync(goDir))('indexes Go sources shipped by Debian', async () => {
    const g = await indexRepo(goDir, { workers: 0, cache: false });
    checkSane(g);
    expect([...g.data.facts.values()].every((f) => f.language === 'go' && f.packageName === 'main')).toBe(true);
  });
});
