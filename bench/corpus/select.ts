/**
 * Real repositories nobody here wrote, for the corpus bench: packages of node_modules, Python's
 * standard library, Go's sources and Debian's Rust crates, each copied into a folder of its own
 * outside this checkout (nested node_modules, __pycache__, .git and Go testdata left out), named
 * `<source>-<name>` so names never collide. Small to medium: a whole corpus of 100 must fit in
 * minutes on a 2-core machine.
 */
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';

export type Source = 'npm' | 'python' | 'go' | 'rust';

export interface Candidate {
  source: Source;
  /** Where it is: a folder of node_modules, /usr/lib/python3.11, the Go tree or the Cargo registry. */
  from: string;
  /** `<source>-<name>`, made of [A-Za-z0-9_-] (the repository's name and corpus key alike). */
  key: string;
  files: number;
  bytes: number;
}

export interface SizeLimits {
  minFiles: number;
  maxFiles: number;
  maxBytes: number;
}

const LEFT_OUT = new Set(['node_modules', '__pycache__', '.git', 'testdata']);

/** Files and bytes under `dir`, following symbolic links, with the folders left out skipped. */
function measure(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      if (LEFT_OUT.has(e)) continue;
      const p = join(d, e);
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        files++;
        bytes += st.size;
      }
    }
  };
  walk(dir);
  return { files, bytes };
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9_-]+/g, '_');

function npmPackages(nodeModules: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const e of readdirSync(nodeModules).sort()) {
    if (e.startsWith('.')) continue;
    const p = join(nodeModules, e);
    if (e.startsWith('@')) {
      for (const s of readdirSync(p).sort()) out.push([`${e.slice(1)}_${s}`, join(p, s)]);
    } else out.push([e, p]);
  }
  return out.filter(([, p]) => existsSync(join(p, 'package.json')));
}

function pythonPackages(lib: string): Array<[string, string]> {
  const skip = new Set(['test', 'lib-dynload', 'pydoc_data', 'ensurepip', 'encodings', 'idlelib', 'tkinter', 'turtledemo']);
  return readdirSync(lib)
    .sort()
    .filter((e) => !skip.has(e) && !e.startsWith('config-') && !e.startsWith('__') && existsSync(join(lib, e, '__init__.py')))
    .map((e) => [e, join(lib, e)]);
}

/** Every Go package folder below src (not cmd, vendor or testdata): `encoding/json` is `encoding_json`. */
function goPackages(src: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (!statSync(p).isDirectory() || LEFT_OUT.has(e) || e === 'vendor' || e === 'cmd' || e === 'internal') continue;
      if (readdirSync(p).some((f) => f.endsWith('.go'))) out.push([relative(src, p), p]);
      walk(p);
    }
  };
  walk(src);
  return out;
}

function rustCrates(registry: string): Array<[string, string]> {
  return readdirSync(registry)
    .sort()
    .filter((c) => existsSync(join(registry, c, 'Cargo.toml')) && !c.startsWith('rustc-std-workspace'))
    .map((c) => [c, join(registry, c)]);
}

export const ROOTS = {
  npm: resolve(import.meta.dirname, '../../node_modules'),
  python: '/usr/lib/python3.11',
  go: '/usr/share/go-1.19/src',
  rust: '/usr/share/cargo/registry',
} as const;

/** The candidates of every source within the limits, each source's in name order. */
export function candidates(limits: SizeLimits): Record<Source, Candidate[]> {
  const lists: Record<Source, Array<[string, string]>> = {
    npm: existsSync(ROOTS.npm) ? npmPackages(ROOTS.npm) : [],
    python: existsSync(ROOTS.python) ? pythonPackages(ROOTS.python) : [],
    go: existsSync(ROOTS.go) ? goPackages(ROOTS.go) : [],
    rust: existsSync(ROOTS.rust) ? rustCrates(ROOTS.rust) : [],
  };
  const out = {} as Record<Source, Candidate[]>;
  for (const source of Object.keys(lists) as Source[]) {
    out[source] = lists[source]
      .map(([name, from]) => ({ source, from, key: `${source}-${safe(name)}`, ...measure(from) }))
      .filter((c) => c.files >= limits.minFiles && c.files <= limits.maxFiles && c.bytes <= limits.maxBytes);
  }
  return out;
}

/**
 * `n` repositories, the sources taken in turn (a source that runs out drops out), so the corpus
 * mixes the four languages evenly as far as each has candidates. Within a source, candidates are
 * spread over its name order (every k-th), not the first n alphabetically.
 */
export function pickMix(all: Record<Source, Candidate[]>, n: number): Candidate[] {
  const sources = (Object.keys(all) as Source[]).filter((s) => all[s].length > 0);
  const share = Math.ceil(n / Math.max(1, sources.length));
  const spread = (list: Candidate[], k: number): Candidate[] => {
    if (list.length <= k) return list;
    const step = list.length / k;
    return Array.from({ length: k }, (_, i) => list[Math.floor(i * step)]!);
  };
  // Each source's share, evenly spread; what a short source cannot give, the others give.
  const queues = sources.map((s) => spread(all[s], Math.min(all[s].length, share * 2)));
  const picked: Candidate[] = [];
  while (picked.length < n && queues.some((q) => q.length > 0)) {
    for (const q of queues) {
      const c = picked.length < n ? q.shift() : undefined;
      if (c) picked.push(c);
    }
  }
  return picked;
}

/** Copies a candidate to `<into>/<key>` (links followed; the left-out folders not copied). */
export function copyRepository(c: Candidate, into: string): string {
  const to = join(into, c.key);
  cpSync(c.from, to, { recursive: true, dereference: true, filter: (src) => !LEFT_OUT.has(basename(src)) || src === c.from });
  return to;
}
