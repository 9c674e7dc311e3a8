/**
 * What a corpus is made of: the repositories its inputs name, in input order, each once.
 *
 * An input is a repository (a directory with `.git` or a build manifest), a directory holding
 * repositories (each subdirectory that is one; a directory holding none is taken as one
 * repository), a list file (one path per line, `#` comments, relative to the list's folder), or a
 * JSONL manifest (`.jsonl`: one `{"path", "name"?, "origin"?, "commit"?}` per line). Paths in a
 * list or a manifest are repositories as they are. The same directory named twice is one
 * repository; two repositories with one name get distinct keys (`name`, `name-2`, ...).
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { repoName } from '../graph/mod.ts';
import { InputError } from '../run/run-job.ts';

export class CorpusInputError extends InputError {
  override name = 'CorpusInputError';
}

export interface CorpusEntry {
  /** Unique in the corpus, safe as a file name: the repository's folder under `<out-dir>/repos/`. */
  key: string;
  /** The repository's name in its records (its folder's name unless a manifest names it). */
  name: string;
  /** Absolute, real path. */
  path: string;
  /** From a manifest: where it came from, and the commit it must be at. */
  origin?: string;
  commit?: string;
}

/** Files whose presence makes a directory a project of its own. */
const MANIFESTS = [
  'package.json', 'deno.json', 'pyproject.toml', 'setup.py', 'setup.cfg', 'go.mod', 'Cargo.toml', 'pom.xml',
  'build.gradle', 'build.gradle.kts', 'CMakeLists.txt', 'meson.build', 'configure.ac', 'Makefile',
];

const manifestLine = z.strictObject({
  path: z.string().min(1),
  name: z.string().min(1).optional(),
  origin: z.string().min(1).optional(),
  commit: z.string().regex(/^[0-9a-f]{7,64}$/, 'a hex commit id').optional(),
});
type ManifestLine = z.infer<typeof manifestLine>;

export function isRepository(dir: string): boolean {
  return existsSync(join(dir, '.git')) || MANIFESTS.some((m) => existsSync(join(dir, m)));
}

export function corpusEntries(inputs: readonly string[]): CorpusEntry[] {
  if (inputs.length === 0) throw new CorpusInputError('give at least one repository, directory of repositories, list file or manifest');
  const found: ManifestLine[] = inputs.flatMap((input) => expandInput(resolve(input), input));
  return uniqueEntries(found);
}

function expandInput(path: string, given: string): ManifestLine[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new CorpusInputError(`no such repository, directory, list or manifest: ${given}`);
  if (st.isFile()) return path.endsWith('.jsonl') ? readManifest(path) : readList(path);
  if (!st.isDirectory()) throw new CorpusInputError(`not a directory or a file: ${given}`);
  if (isRepository(path)) return [{ path }];
  const repos = subdirectories(path).filter(isRepository);
  return repos.length > 0 ? repos.map((p) => ({ path: p })) : [{ path }];
}

function subdirectories(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .map((d) => join(dir, d.name))
    .sort();
}

function readList(file: string): ManifestLine[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.flatMap((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return [];
    return [{ path: existingDir(file, i + 1, line) }];
  });
}

function readManifest(file: string): ManifestLine[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  return lines.flatMap((raw, i) => {
    if (raw.trim() === '') return [];
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch (err) {
      throw new CorpusInputError(`${file}:${i + 1}: not JSON: ${(err as Error).message}`);
    }
    const parsed = manifestLine.safeParse(json);
    if (!parsed.success) throw new CorpusInputError(`${file}:${i + 1}: ${z.prettifyError(parsed.error).replace(/\n\s*/g, '; ')}`);
    return [{ ...parsed.data, path: existingDir(file, i + 1, parsed.data.path) }];
  });
}

/** A path from a list or manifest, relative to its folder, that must be a directory. */
function existingDir(file: string, line: number, path: string): string {
  const full = isAbsolute(path) ? path : resolve(dirname(file), path);
  if (!statSync(full, { throwIfNoEntry: false })?.isDirectory()) throw new CorpusInputError(`${file}:${line}: no such directory: ${path}`);
  return full;
}

function uniqueEntries(found: readonly ManifestLine[]): CorpusEntry[] {
  const seen = new Set<string>();
  const keys = new Set<string>();
  const entries: CorpusEntry[] = [];
  for (const f of found) {
    const path = realpathSync(f.path);
    if (seen.has(path)) continue;
    seen.add(path);
    const name = f.name ?? repoName(path);
    const key = uniqueKey(safeKey(name), keys);
    entries.push({ key, name, path, ...(f.origin ? { origin: f.origin } : {}), ...(f.commit ? { commit: f.commit } : {}) });
  }
  return entries;
}

const safeKey = (name: string): string => basename(name).replace(/[^\w.-]+/g, '_').replace(/^\.+/, '_') || 'repo';

function uniqueKey(base: string, taken: Set<string>): string {
  let key = base;
  for (let n = 2; taken.has(key); n++) key = `${base}-${n}`;
  taken.add(key);
  return key;
}
