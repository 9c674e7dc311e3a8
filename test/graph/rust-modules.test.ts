/**
 * Rust module places: inline modules, `#[path]`, and Cargo's crate roots. Real crates Debian
 * ships under /usr/share/cargo/registry (librust-regex-syntax-dev, librust-serde-json-dev,
 * librust-syn-dev, librust-getrandom-dev), and a hand-written package for the manifest's target paths.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexRepo, summarize, type RepoGraph } from '../../src/graph/mod.ts';
import { tempDir, writeTree } from './helpers.ts';

const registry = '/usr/share/cargo/registry';

/** The installed version of a crate, e.g. `serde_json` -> /usr/share/cargo/registry/serde_json-1.0.87. */
function crateDir(name: string): string | undefined {
  if (!existsSync(registry)) return undefined;
  const dir = readdirSync(registry).find((d) => d.startsWith(`${name}-`) && /^\d/.test(d.slice(name.length + 1)));
  return dir === undefined ? undefined : join(registry, dir);
}

function resolvedUse(g: RepoGraph, from: string, specifier: string) {
  return g.importsOf(from).find((i) => i.spec.specifier === specifier);
}

const regexSyntax = crateDir('regex-syntax');
describe.skipIf(!regexSyntax)('use super:: inside mod tests {} (regex-syntax)', () => {
  let g: RepoGraph;
  beforeAll(async () => {
    g = await indexRepo(regexSyntax!, { workers: 0, cache: false });
  });

  it('resolves to the file itself, not to the parent module', () => {
    const imp = resolvedUse(g, 'src/hir/print.rs', 'super::Printer');
    expect(imp?.spec.scope).toEqual(['tests']);
    expect(imp?.target).toBe('src/hir/print.rs');
  });

  it('counts such imports as imports of a file to itself, with no edge', () => {
    expect(summarize(g).edges.selfImports).toBeGreaterThan(0);
    for (const f of g.filePaths()) expect(g.dependencies(f)).not.toContain(f);
  });
});

const serdeJson = crateDir('serde_json');
describe.skipIf(!serdeJson)('#[path] on mod declarations (serde_json tests/lexical.rs)', () => {
  let g: RepoGraph;
  beforeAll(async () => {
    g = await indexRepo(serdeJson!, { workers: 0, cache: false });
  });

  it('loads the file the attribute names', () => {
    expect(g.dependencies('tests/lexical.rs')).toEqual(expect.arrayContaining(['src/lexical/mod.rs', 'tests/lexical/float.rs', 'tests/lexical/math.rs']));
  });

  it('resolves crate:: paths of a #[path] module within the test crate that loads it', () => {
    expect(resolvedUse(g, 'tests/lexical/float.rs', 'crate::lexical::float::ExtendedFloat')?.target).toBe('src/lexical/float.rs');
  });
});

const getrandom = crateDir('getrandom');
describe.skipIf(!getrandom)('mod declarations inside cfg_if! (getrandom src/lib.rs)', () => {
  it('load their files, #[path] ones included', async () => {
    const g = await indexRepo(getrandom!, { workers: 0, cache: false });
    expect(g.dependencies('src/lib.rs')).toEqual(expect.arrayContaining(['src/util_libc.rs', 'src/use_file.rs', 'src/linux_android.rs', 'src/bsd_arandom.rs']));
  });
});

const syn = crateDir('syn');
describe.skipIf(!syn)('modules in a tests/ subdirectory (syn tests/repo/mod.rs)', () => {
  it('are modules of the test crate: their children and self:: paths resolve beside them', async () => {
    const g = await indexRepo(syn!, { workers: 0, cache: false });
    expect(g.dependencies('tests/repo/mod.rs')).toEqual(['tests/repo/progress.rs']);
  });
});

describe('crate roots by Cargo conventions and manifest target paths', () => {
  let g: RepoGraph;
  beforeAll(async () => {
    const root = writeTree(tempDir(), {
      'Cargo.toml': '[package]\nname = "demo"\nversion = "0.1.0"\n\n[[bin]]\nname = "tool"\npath = "tools/tool.rs"\n\n[[test]]\nname = "it"\npath = "checks/it.rs"\n',
      'src/lib.rs': 'pub mod util;\n#[cfg(test)]\nmod tests;\n',
      'src/util.rs': 'pub fn f() {}\n',
      'src/tests/mod.rs': 'use crate::util::f;\n',
      'tools/tool.rs': 'mod cli;\nfn main() { cli::run() }\n',
      'tools/cli.rs': 'pub fn run() {}\n',
      'checks/it.rs': 'mod common;\nuse common::setup;\n',
      'checks/common.rs': 'pub fn setup() {}\n',
    });
    g = await indexRepo(root, { workers: 0, cache: false });
  });

  it('takes a [[bin]] and a [[test]] path as crate roots: their mod children lie beside them', () => {
    expect(g.dependencies('tools/tool.rs')).toEqual(['tools/cli.rs']);
    expect(g.dependencies('checks/it.rs')).toEqual(['checks/common.rs']);
  });

  it('does not take a tests directory inside src as a crate root', () => {
    expect(g.dependencies('src/tests/mod.rs')).toEqual(['src/util.rs']);
  });
});
