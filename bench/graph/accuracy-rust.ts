/**
 * Rust edges against rustc and Cargo. Per crate (a directory of /usr/share/cargo/registry):
 *
 * - module recall: Cargo's own targets (`cargo metadata`) are the crate roots; rustc's dep-info
 *   (`--emit=dep-info`, every feature and `test` on) lists the files each crate loads. Ours: the
 *   files reached from that root through our resolved `mod` edges. Recall = ours ∩ rustc / rustc.
 *   (Precision is not asked of `mod` edges here: rustc drops files behind `cfg(windows)` that we
 *   rightly keep.)
 * - `use` precision: an internal edge from a `use` is right when its target file holds what is
 *   imported — the last path segment appears in the target as a word, or names the target module
 *   itself, or the target re-exports a glob (the name may come through it); for a glob (`a::*`), when the importing file uses a name the target declares and it
 *   does not declare itself (or the target re-exports a glob, or generates items by a macro: not
 *   judged, counted right). Self-imports (`use super::*` inside `mod tests {}`) make no edge.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { indexRepo, type RepoGraph } from '../../src/graph/mod.ts';

export interface RustRow {
  crate: string;
  targets: number;
  rustcFiles: number;
  reached: number;
  useEdges: number;
  rightEdges: number;
  selfImports: number;
  cycleFiles: number;
  wrong: string[];
}

interface CargoTarget {
  src_path: string;
  edition: string;
  kind: string[];
}

export async function measureRustCrate(dir: string): Promise<RustRow> {
  const g = await indexRepo(dir, { workers: 0, cache: false });
  const meta = JSON.parse(execFileSync('cargo', ['metadata', '--no-deps', '--offline', '--format-version', '1', '--manifest-path', join(dir, 'Cargo.toml')], { encoding: 'utf8' })) as {
    packages: Array<{ targets: CargoTarget[]; features: Record<string, unknown> }>;
  };
  const pkg = meta.packages[0]!;
  let rustcFiles = 0;
  let reached = 0;
  for (const t of pkg.targets) {
    const root = relative(dir, t.src_path);
    const loaded = rustcFilesOf(dir, t, Object.keys(pkg.features));
    const ours = modReach(g, root);
    rustcFiles += loaded.size;
    for (const f of loaded) if (ours.has(f)) reached++;
  }
  const { total, right, wrong } = judgeUseEdges(g, dir);
  return {
    crate: dir.slice(dir.lastIndexOf('/') + 1),
    targets: pkg.targets.length,
    rustcFiles,
    reached,
    useEdges: total,
    rightEdges: right,
    selfImports: g.data.imports.filter((i) => i.target === i.from).length,
    cycleFiles: g.cycles().reduce((n, c) => n + c.length, 0),
    wrong,
  };
}

/** The files rustc loads for one target, repo-relative. */
function rustcFilesOf(dir: string, t: CargoTarget, features: string[]): Set<string> {
  const out = mkdtempSync(join(tmpdir(), 'retrace-depinfo-'));
  try {
    const cfgs = ['test', ...features.map((f) => `feature="${f}"`)].flatMap((c) => ['--cfg', c]);
    const crateType = t.kind.includes('lib') ? 'lib' : 'bin';
    try {
      execFileSync('rustc', ['--edition', t.edition, '--crate-type', crateType, '--crate-name', 'probe', '--emit=dep-info', '-o', join(out, 'probe.d'), ...cfgs, t.src_path], { cwd: dir, stdio: 'ignore' });
    } catch {
      // Unresolved extern crates are errors, after the dep-info is written.
    }
    const text = readFileSync(join(out, 'probe.d'), 'utf8');
    const first = text.split('\n')[0]!.replace(/^[^:]*:\s*/, '');
    return new Set(first.split(/\s+/).filter((f) => f.endsWith('.rs')).map((f) => relative(dir, resolve(dir, f))));
  } catch {
    return new Set();
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Files reached from `root` through resolved `mod` declarations. */
function modReach(g: RepoGraph, root: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const i of g.data.imports) {
    if (i.spec.kind !== 'rust-mod' || i.target === undefined) continue;
    const list = children.get(i.from);
    if (list) list.push(i.target);
    else children.set(i.from, [i.target]);
  }
  const seen = new Set([root]);
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    for (const c of children.get(queue[i]!) ?? []) {
      if (!seen.has(c)) {
        seen.add(c);
        queue.push(c);
      }
    }
  }
  return seen;
}

function judgeUseEdges(g: RepoGraph, dir: string): { total: number; right: number; wrong: string[] } {
  const texts = new Map<string, string>();
  const text = (f: string) => texts.get(f) ?? texts.set(f, readFileSync(join(dir, f), 'utf8')).get(f)!;
  const verdicts = new Map<string, boolean>();
  for (const i of g.data.imports) {
    if (i.spec.kind !== 'rust-use' || i.target === undefined || i.target === i.from) continue;
    const edge = `${i.from} -> ${i.target}`;
    if (verdicts.get(edge)) continue;
    verdicts.set(edge, holdsImport(g, i.from, i.target, i.spec.specifier, text));
  }
  const wrong = [...verdicts].filter(([, ok]) => !ok).map(([e]) => e);
  return { total: verdicts.size, right: verdicts.size - wrong.length, wrong };
}

function holdsImport(g: RepoGraph, from: string, target: string, specifier: string, text: (f: string) => string): boolean {
  const segments = specifier.split('::');
  const last = segments[segments.length - 1]!;
  const body = text(target);
  if (last !== '*') return last === moduleName(target) || new RegExp(`\\b${last}\\b`).test(body) || reexportsGlob(body);
  const source = text(from);
  // A glob re-export (`pub use self::x::*`) is a use of x in itself.
  if (new RegExp(`^\\s*pub(?:\\([^)]*\\))?\\s+use\\s[^;]*\\b${moduleName(target)}::\\*`, 'm').test(source)) return true;
  // What a glob brings in that we cannot list: a glob re-export, or items a macro generates.
  if (reexportsGlob(body) || /^[a-z_]+!\s*[({]/m.test(body)) return true;
  const own = new Set(declaredNames(source));
  return [...g.symbols(target).map((s) => s.name), ...declaredNames(body)].some((n) => !own.has(n) && new RegExp(`\\b${n}\\b`).test(source));
}

function reexportsGlob(text: string): boolean {
  return /^\s*pub(?:\([^)]*\))?\s+use\s[^;]*\*\s*;/m.test(text);
}

/** Item names a file declares or re-exports, read off its text (constants and statics have no tags). */
function declaredNames(text: string): string[] {
  const declared = [...text.matchAll(/\b(?:fn|struct|enum|trait|type|const|static|mod|union|macro_rules!)\s+(?:mut\s+)?([A-Za-z_]\w*)/g)].map((m) => m[1]!);
  const reexported = [...text.matchAll(/\bpub(?:\([^)]*\))?\s+use\s+([^;]*);/g)].flatMap((m) => m[1]!.match(/[A-Za-z_]\w*/g) ?? []);
  return [...declared, ...reexported];
}

function moduleName(file: string): string {
  const parts = file.replace(/\.rs$/, '').split('/');
  const last = parts.pop()!;
  return last === 'mod' ? parts.pop() ?? '' : last;
}
