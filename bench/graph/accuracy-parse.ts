/**
 * Definitions on files that do not parse cleanly.
 *
 * - c: the example programs Debian ships with -dev packages (zlib, nettle, libxmlsec1, liblzma,
 *   libidn2) and Go's runtime/cgo C sources: files with parse errors, and definitions found
 *   (of them, `#define` macros).
 * - typescript: every .ts file under node_modules where tree-sitter reports errors. Reference:
 *   the names declared at the start of a line by `export interface|type|class|enum|function|const`
 *   (and `export declare ...`), read off the text; recall = those our definitions hold.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FileParser } from '../../src/graph/mod.ts';

export const cDirs = [
  '/usr/share/doc/zlib1g-dev/examples',
  '/usr/share/doc/nettle-dev/examples',
  '/usr/share/doc/libxmlsec1-dev/examples',
  '/usr/share/doc/liblzma-dev/examples',
  '/usr/share/doc/libidn2-dev/examples',
  '/usr/share/go-1.19/src/runtime/cgo',
];

export interface CRow {
  dir: string;
  files: number;
  parseErrors: number;
  definitions: number;
  macros: number;
}

export function measureC(dir: string): CRow | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirC(dir);
  const parser = new FileParser();
  const row: CRow = { dir, files: files.length, parseErrors: 0, definitions: 0, macros: 0 };
  for (const f of files) {
    const facts = parser.parse('c', readFileSync(f, 'utf8'));
    if (facts.parseError) row.parseErrors++;
    row.definitions += facts.definitions.length;
    row.macros += facts.definitions.filter((d) => d.kind === 'macro').length;
  }
  return row;
}

function readdirC(dir: string): string[] {
  return execFileSync('find', [dir, '-maxdepth', '1', '-name', '*.[ch]'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
}

export interface TsRow {
  files: number;
  declared: number;
  found: number;
  worst: Array<{ file: string; declared: number; found: number }>;
}

export function measureTypeScriptErrors(nodeModules: string): TsRow {
  const files = execFileSync('find', ['-L', nodeModules, '-name', '*.ts', '-size', '-1000k'], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
  const parser = new FileParser();
  const row: TsRow = { files: 0, declared: 0, found: 0, worst: [] };
  for (const f of files) {
    const text = readFileSync(f, 'utf8');
    const facts = parser.parse('typescript', text);
    if (!facts.parseError) continue;
    const names = new Set(facts.definitions.map((d) => d.name));
    const declared = [...text.matchAll(/^export (?:declare )?(?:abstract )?(?:interface|type|class|enum|function|const) ([\w$]+)/gm)].map((m) => m[1]!);
    const found = declared.filter((n) => names.has(n)).length;
    row.files++;
    row.declared += declared.length;
    row.found += found;
    row.worst.push({ file: f.slice(nodeModules.length + 1), declared: declared.length, found });
  }
  row.worst.sort((a, b) => b.declared - b.found - (a.declared - a.found));
  return row;
}

export const defaultNodeModules = join(import.meta.dirname, '..', '..', 'node_modules');
