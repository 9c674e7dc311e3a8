/** Real code as test input: source files of installed packages, read in a fixed order. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOTS = ['node_modules/commander/lib', 'node_modules/zod/v4/core', 'node_modules/pino/lib', 'node_modules/p-limit', 'node_modules/zod/v4/classic'];

export interface CodeFile {
  path: string;
  text: string;
}

let cached: CodeFile[] | undefined;

function allFiles(): CodeFile[] {
  if (cached) return cached;
  const out: CodeFile[] = [];
  for (const root of ROOTS) {
    let names: string[];
    try {
      names = readdirSync(root).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (!/\.(js|ts|mjs)$/.test(name) || name.includes('.min.') || name.endsWith('.d.ts') || name.endsWith('.map')) continue;
      const path = join(root, name);
      const text = readFileSync(path, 'utf8');
      if (text.length > 1000 && text.length < 200_000) out.push({ path, text });
    }
  }
  cached = out;
  return out;
}

/** Up to `n` real source files (at least a few: the suite depends on them). */
export function realCode(n: number): CodeFile[] {
  const files = allFiles();
  if (files.length < 32) throw new Error('test/score needs real code from node_modules (commander, zod, lru-cache)');
  return files.slice(0, n);
}
