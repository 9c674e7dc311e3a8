/** Shared by the graph suites: fixture repos and edge listings. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RepoGraph } from '../../src/graph/mod.ts';
import { tempDir as removedAfterwards } from '../support/tmp.ts';

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const nodeModules = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules');

export function tempDir(prefix = 'retrace-graph-'): string {
  return removedAfterwards(prefix);
}

/** Writes a txtar fixture (`-- path --` headers; text before the first header is a comment). */
export function materialise(txtarName: string, into = tempDir()): string {
  const text = readFileSync(join(fixturesDir, txtarName), 'utf8');
  const parts = text.split(/^-- (.+) --\n/m);
  for (let i = 1; i < parts.length; i += 2) {
    const file = join(into, parts[i]!);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, parts[i + 1]!);
  }
  return into;
}

export function writeTree(root: string, files: Record<string, string | Uint8Array>): string {
  for (const [path, content] of Object.entries(files)) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
  }
  return root;
}

/** `from -> to` for every file-to-file import edge, sorted. */
export function internalEdges(g: RepoGraph): string[] {
  const out: string[] = [];
  for (const f of g.filePaths()) for (const d of g.dependencies(f)) out.push(`${f} -> ${d}`);
  return out.sort();
}

/** `from -> ext` for every import of an external package, sorted. */
export function externalEdges(g: RepoGraph): string[] {
  const out: string[] = [];
  for (const f of g.filePaths()) for (const e of g.externalDependencies(f)) out.push(`${f} -> ${e}`);
  return out.sort();
}
