/**
 * Where bench/search.ts finds real code nobody here wrote, per language: packages under
 * node_modules (JavaScript and TypeScript), the Python standard library's packages, the Go
 * sources' packages, the Rust crates of Debian's cargo registry, the JDK's java.* packages
 * (unpacked from src.zip into a scratch directory once), and C from the examples Debian ships
 * under /usr/share/doc, the C sources of the Go tree and /usr/include, and C libraries vendored
 * under node_modules. A package is a
 * directory and its source files; nothing here reads a file's text.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export type SourceKind = 'node' | 'python' | 'go' | 'rust' | 'java' | 'c';

export interface PackageSource {
  /** Unique over every source: `go:net/http`, `python:email`, `node:zod`. */
  name: string;
  kind: SourceKind;
  dir: string;
  files: string[];
}

export interface SourceOptions {
  nodeModules: string;
  /** Where the JDK's sources are unpacked (reused when already there). */
  scratch: string;
  maxFileBytes?: number;
}

/** Tests, type tests, benchmarks, fixtures and bundles are not a package's own code. */
const SKIP_DIRS = new Set(['node_modules', 'test', 'tests', '__tests__', 'idle_test', 'testdata', 'vendor', 'benchmark', 'benchmarks', 'bench', 'benches', 'types', 'example', 'examples', 'dist-types', 'fixtures', 'coverage', '__pycache__']);
const SKIP_FILE = /\.(test|spec|tst|bench)\.|\.d\.(m|c)?ts$|\.min\.|_test\.go$|^test_.*\.py$/;

const EXTENSIONS: Record<SourceKind, RegExp> = {
  node: /\.(m|c)?(j|t)sx?$/,
  python: /\.py$/,
  go: /\.go$/,
  rust: /\.rs$/,
  java: /\.java$/,
  c: /\.[ch]$/,
};

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Source files of `kind` in `dir` (and below it when `deep`), tests and oversized files left out. */
function filesIn(dir: string, kind: SourceKind, deep: boolean, maxBytes: number): string[] {
  const out: string[] = [];
  const visit = (d: string, depth: number): void => {
    if (depth > 6 || out.length >= 400) return;
    for (const name of listDir(d)) {
      if (name.startsWith('.')) continue;
      const p = join(d, name);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (deep && !SKIP_DIRS.has(name)) visit(p, depth + 1);
      } else if (st.isFile() && EXTENSIONS[kind].test(name) && !SKIP_FILE.test(name) && st.size > 200 && st.size <= maxBytes) out.push(p);
    }
  };
  visit(dir, 0);
  return out;
}

/** Every directory under `root` (itself included), skipped directories left out. */
function directoriesUnder(root: string, skip: ReadonlySet<string>, maxDepth = 8): string[] {
  const out: string[] = [];
  const visit = (d: string, depth: number): void => {
    out.push(d);
    if (depth >= maxDepth) return;
    for (const name of listDir(d)) {
      if (name.startsWith('.') || skip.has(name)) continue;
      const p = join(d, name);
      if (isDir(p)) visit(p, depth + 1);
    }
  };
  if (isDir(root)) visit(root, 0);
  return out;
}

function nodePackages(root: string, maxBytes: number): PackageSource[] {
  const dirs: string[] = [];
  for (const name of listDir(root)) {
    if (name.startsWith('.')) continue;
    const dir = join(root, name);
    if (name.startsWith('@')) for (const sub of listDir(dir)) dirs.push(join(dir, sub));
    else dirs.push(dir);
  }
  return dirs.map((dir) => ({ name: `node:${relative(root, dir)}`, kind: 'node' as const, dir, files: filesIn(dir, 'node', true, maxBytes) }));
}

function pythonPackages(maxBytes: number): PackageSource[] {
  const root = ['/usr/lib/python3.11', '/usr/lib/python3'].find(isDir);
  if (!root) return [];
  return listDir(root)
    .filter((name) => name !== 'test' && name !== 'site-packages' && name !== 'dist-packages' && existsSync(join(root, name, '__init__.py')))
    .map((name) => ({ name: `python:${name}`, kind: 'python' as const, dir: join(root, name), files: filesIn(join(root, name), 'python', true, maxBytes) }));
}

/** One package per directory of files (Go, Java, C): a directory's own files, not its subdirectories'. */
function directoryPackages(kind: SourceKind, roots: readonly string[], label: (dir: string) => string, maxBytes: number): PackageSource[] {
  const out: PackageSource[] = [];
  // Vendored C libraries are what C packages ship; vendored Go is someone else's Go.
  const skip = kind === 'c' ? new Set([...SKIP_DIRS].filter((d) => d !== 'vendor')) : SKIP_DIRS;
  for (const root of roots) {
    for (const dir of directoriesUnder(root, skip)) {
      const files = filesIn(dir, kind, false, maxBytes);
      // A directory of C headers alone holds declarations, not code to cut targets from.
      if (kind === 'c' && files.filter((f) => f.endsWith('.c')).length < 2) continue;
      if (files.length >= 4) out.push({ name: `${kind}:${label(dir)}`, kind, dir, files });
    }
  }
  return out;
}

function goRoot(): string | undefined {
  const dir = listDir('/usr/share').filter((d) => /^go-\d/.test(d)).sort().pop();
  return dir ? `/usr/share/${dir}` : undefined;
}

function rustPackages(maxBytes: number): PackageSource[] {
  const root = '/usr/share/cargo/registry';
  return listDir(root)
    .filter((crate) => isDir(join(root, crate, 'src')))
    .map((crate) => ({ name: `rust:${crate}`, kind: 'rust' as const, dir: join(root, crate), files: filesIn(join(root, crate, 'src'), 'rust', true, maxBytes) }));
}

/** The JDK's java.* sources, unpacked once from the first src.zip found. */
function javaRoot(scratch: string): string | undefined {
  const out = join(scratch, 'jdk');
  const root = join(out, 'java.base', 'java');
  if (isDir(join(root, 'util'))) return root;
  const jvm = '/usr/lib/jvm';
  const zip = ['/usr/lib/jvm/openjdk-17/src.zip', ...listDir(jvm).map((d) => join(jvm, d, 'lib', 'src.zip'))].find((z) => existsSync(z));
  if (!zip) return undefined;
  mkdirSync(out, { recursive: true });
  execFileSync('unzip', ['-q', '-o', zip, 'java.base/java/*', '-d', out]);
  return isDir(root) ? root : undefined;
}

/** Where C lies: Debian's examples, the Go tree's C, /usr/include, and C vendored under node_modules. */
function cRoots(nodeModules: string): string[] {
  const doc = '/usr/share/doc';
  const examples = listDir(doc).flatMap((pkg) => listDir(join(doc, pkg)).filter((d) => d.startsWith('examples')).map((d) => join(doc, pkg, d)));
  const go = goRoot();
  const vendored = listDir(nodeModules).map((name) => join(nodeModules, name));
  return [...examples, ...(go ? [join(go, 'src'), join(go, 'misc')] : []), '/usr/include', ...vendored];
}

/** Every package of every source, in a stable order (the split decides the order taken). */
export function packageSources(opts: SourceOptions): PackageSource[] {
  const maxBytes = opts.maxFileBytes ?? 60_000;
  const go = goRoot();
  const java = javaRoot(opts.scratch);
  const all = [
    ...nodePackages(opts.nodeModules, maxBytes),
    ...pythonPackages(maxBytes),
    ...(go ? directoryPackages('go', [join(go, 'src')], (d) => relative(join(go, 'src'), d), maxBytes) : []),
    ...rustPackages(maxBytes),
    ...(java ? directoryPackages('java', [java], (d) => `java.${relative(java, d).replace(/\//g, '.')}`, maxBytes) : []),
    ...directoryPackages('c', cRoots(opts.nodeModules), (d) => d.replace(/^\/usr\/(share\/)?(doc\/)?/, '').replace(/^.*node_modules\//, 'node_modules/'), maxBytes),
  ];
  const seen = new Set<string>();
  return all.filter((p) => p.files.length >= 4 && !seen.has(p.name) && (seen.add(p.name), true));
}
