/**
 * A repository's licence: the one its manifest declares, normalised to SPDX, else the licence
 * files at its root matched against SPDX's reference texts, else Python's classifiers. Inputs are
 * real licence texts on this machine (Debian's common-licenses, rustup's licence files, Go's
 * vendored modules, CPython's LICENSE.txt, installed npm packages) and small hand-written manifests.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { detectLicence, matchLicenceText, normaliseDeclared, tomlAt } from '../../src/dataset/licence.ts';

const repoRoot = join(import.meta.dirname, '../..');
const modules = join(repoRoot, 'node_modules');
const common = '/usr/share/common-licenses';
const rustLicences = join(homedir(), '.rustup/toolchains/stable-x86_64-unknown-linux-gnu/share/doc/rust/licenses');
const goModLicence = '/usr/share/go-1.19/src/cmd/vendor/golang.org/x/mod/LICENSE';
const cpythonLicence = '/usr/lib/python3.11/LICENSE.txt';
const cargoRegistry = join(homedir(), '.cargo/registry/src');

const tmp = mkdtempSync(join(tmpdir(), 'retrace-licence-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let repos = 0;
/** A repository of the given files: text, or `{ from }` to copy a real file. */
function repoWith(files: Record<string, string | { from: string }>): { root: string; files: string[] } {
  const root = join(tmp, `repo-${repos++}`);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    if (typeof content === 'string') writeFileSync(join(root, path), content);
    else copyFileSync(content.from, join(root, path));
  }
  return { root, files: Object.keys(files) };
}

function detect(files: Record<string, string | { from: string }>) {
  const repo = repoWith(files);
  return detectLicence(repo.root, repo.files);
}

/** A real package's directory as a repository, with its package.json left out of the file list. */
function packageWithoutManifest(name: string): { root: string; files: string[] } {
  const root = join(modules, name);
  return { root, files: readdirSync(root).filter((f) => f !== 'package.json') };
}

const readme = '# retrace\n\nRebuilds a repository file by file. Licensed under the MIT licence: see LICENSE.\n\n## Usage\n\n    npx retrace run ./repo\n';

describe('licence texts → SPDX ids', () => {
  it.skipIf(!existsSync(common))('names Debian common-licenses texts; a bare GNU text is the -only id', () => {
    const cases: Array<[string, string]> = [
      ['GPL-3', 'GPL-3.0-only'],
      ['GPL-2', 'GPL-2.0-only'],
      ['LGPL-2.1', 'LGPL-2.1-only'],
      ['Apache-2.0', 'Apache-2.0'],
      ['MPL-2.0', 'MPL-2.0'],
      ['BSD', 'BSD-3-Clause'],
      ['CC0-1.0', 'CC0-1.0'],
    ];
    for (const [file, id] of cases) {
      const found = detect({ COPYING: { from: join(common, file) } });
      expect(found, file).toMatchObject({ licence: id, source: 'COPYING' });
      expect(found.confidence!, file).toBeGreaterThan(0.95);
    }
  });

  it.skipIf(!existsSync(common))('COPYING + COPYING.LESSER is the LGPL (SPDX appends the GPL to its LGPL-3.0 text)', () => {
    const found = detect({ COPYING: { from: join(common, 'GPL-3') }, 'COPYING.LESSER': { from: join(common, 'LGPL-3') } });
    expect(found).toMatchObject({ licence: 'LGPL-3.0-only', source: 'COPYING.LESSER' });
  });

  it('names the MIT, ISC, Apache-2.0 and BlueOak licence files of installed packages, manifests left out', () => {
    const cases: Array<[string, string, string]> = [
      ['commander', 'MIT', 'LICENSE'],
      ['pino', 'MIT', 'LICENSE'],
      ['zod', 'MIT', 'LICENSE'],
      ['graphology', 'MIT', 'LICENSE.txt'],
      ['p-limit', 'MIT', 'license'],
      ['ignore', 'MIT', 'LICENSE-MIT'],
      ['once', 'ISC', 'LICENSE'], // ISC, not 0BSD: the "provided that ... appear in all copies" clause
      ['semver', 'ISC', 'LICENSE'],
      ['typescript', 'Apache-2.0', 'LICENSE.txt'], // Apache-2.0 without its appendix, not Pixar
      ['lru-cache', 'BlueOak-1.0.0', 'LICENSE.md'],
    ];
    for (const [name, id, file] of cases) {
      const pkg = packageWithoutManifest(name);
      expect(detectLicence(pkg.root, pkg.files), name).toMatchObject({ licence: id, source: file });
    }
  });

  it('agrees with the declared licence for nearly every installed package with one licence file', () => {
    let compared = 0;
    let agreed = 0;
    for (const name of readdirSync(modules).filter((n) => !n.startsWith('.') && !n.startsWith('@'))) {
      const manifest = join(modules, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const declared = (JSON.parse(readFileSync(manifest, 'utf8')) as { license?: unknown }).license;
      const files = readdirSync(join(modules, name)).filter((f) => /^(licen[cs]e|copying)/i.test(f));
      if (typeof declared !== 'string' || files.length !== 1) continue;
      compared++;
      if (detectLicence(join(modules, name), files).licence === normaliseDeclared(declared)) agreed++;
    }
    expect(compared).toBeGreaterThan(50);
    expect(agreed / compared).toBeGreaterThan(0.95);
  });

  it.skipIf(!existsSync(goModLicence))("names Go's LICENSE BSD-3-Clause", () => {
    const root = dirname(goModLicence);
    expect(detectLicence(root, readdirSync(root))).toMatchObject({ licence: 'BSD-3-Clause', source: 'LICENSE' });
  });

  it.skipIf(!existsSync(cpythonLicence))("names CPython's licence stack Python-2.0.1 (PSF + BeOpen + CNRI + CWI), not PSF-2.0 alone", () => {
    const found = detect({ 'LICENSE.txt': { from: cpythonLicence } });
    expect(found.licence).toBe('Python-2.0.1');
    expect(found.confidence!).toBeGreaterThanOrEqual(0.8);
  });

  it.skipIf(!existsSync(rustLicences))('LICENSE-MIT + LICENSE-APACHE is a choice: OR; only when both are there', () => {
    const mit = { from: join(rustLicences, 'MIT.txt') };
    const apache = { from: join(rustLicences, 'Apache-2.0.txt') };
    expect(detect({ 'LICENSE-MIT': mit, 'LICENSE-APACHE': apache, 'src/lib.rs': 'pub fn f() {}\n' })).toMatchObject({
      licence: 'Apache-2.0 OR MIT',
      source: 'LICENSE-APACHE, LICENSE-MIT',
    });
    expect(detect({ 'LICENSE-MIT': mit })).toMatchObject({ licence: 'MIT', source: 'LICENSE-MIT' });
    // Two licences in files not named per licence both apply.
    expect(detect({ LICENSE: mit, 'COPYING.txt': apache }).licence).toBe('Apache-2.0 AND MIT');
  });

  it('finds nothing without a licence, and nothing in a README, even one saved as LICENSE', () => {
    expect(detect({ 'src/main.ts': 'export {};\n', 'README.md': readme })).toEqual({ licence: null, source: null });
    expect(detect({ LICENSE: readme }).licence).toBeNull();
    expect(detect({ LICENSE: readFileSync(join(modules, 'commander/Readme.md'), 'utf8') }).licence).toBeNull();
    expect(matchLicenceText(readFileSync(join(repoRoot, 'package.json'), 'utf8'))).toBeNull();
  });

  it('looks for licence files at the root only', () => {
    expect(detect({ 'vendor/commander/LICENSE': { from: join(modules, 'commander/LICENSE') } }).licence).toBeNull();
  });

  it('detects in well under a second, the reference index included', async () => {
    vi.resetModules(); // a fresh module: its first detection builds the reference index
    const fresh = (await import('../../src/dataset/licence.ts')).detectLicence;
    const pkg = packageWithoutManifest('pino');
    const start = performance.now();
    expect(fresh(pkg.root, pkg.files).licence).toBe('MIT');
    const first = performance.now() - start;
    const again = performance.now();
    for (const name of ['commander', 'zod', 'typescript', 'once']) {
      const p = packageWithoutManifest(name);
      expect(fresh(p.root, p.files).licence).not.toBeNull();
    }
    const perRepo = (performance.now() - again) / 4;
    expect(first).toBeLessThan(1000);
    expect(perRepo).toBeLessThan(50);
  });
});

describe('declared licences', () => {
  it('normalises declared strings to SPDX expressions and keeps expressions', () => {
    const cases: Array<[string, string | null]> = [
      ['MIT', 'MIT'],
      ['mit', 'MIT'],
      ['Apache License 2.0', 'Apache-2.0'],
      ['MIT OR Apache-2.0', 'MIT OR Apache-2.0'],
      ['mit or apache-2.0', 'MIT OR Apache-2.0'],
      ['MIT/Apache-2.0', 'MIT OR Apache-2.0'],
      ['(MIT OR Apache-2.0) AND BSD-3-Clause', '(MIT OR Apache-2.0) AND BSD-3-Clause'],
      ['Apache-2.0 WITH LLVM-exception', 'Apache-2.0 WITH LLVM-exception'],
      ['GPL-2.0', 'GPL-2.0-only'],
      ['GPL-3.0', 'GPL-3.0-only'],
      ['GPL-3.0+', 'GPL-3.0-or-later'],
      ['LGPL-2.1-or-later', 'LGPL-2.1-or-later'],
      ['UNLICENSED', null],
      ['SEE LICENSE IN LICENSE.txt', null],
      ['Proprietary', null],
      ['', null],
    ];
    for (const [raw, expected] of cases) expect(normaliseDeclared(raw), raw).toBe(expected);
  });

  it("reads this repository's package.json", () => {
    expect(detectLicence(repoRoot, readdirSync(repoRoot))).toEqual({ licence: 'MIT', source: 'package.json' });
  });

  it('reads package.json, old npm forms included, before any licence file', () => {
    const gpl = existsSync(common) ? { from: join(common, 'GPL-3') } : 'GNU GENERAL PUBLIC LICENSE';
    expect(detect({ 'package.json': '{"name":"a","license":"MIT"}', LICENSE: gpl })).toEqual({ licence: 'MIT', source: 'package.json' });
    expect(detect({ 'package.json': '{"license":{"type":"ISC","url":"x"}}' }).licence).toBe('ISC');
    expect(detect({ 'package.json': '{"licenses":[{"type":"MIT"},{"type":"Apache-2.0"}]}' }).licence).toBe('MIT OR Apache-2.0');
    expect(detect({ 'package.json': '{"license":"MIT"}' }).confidence).toBeUndefined();
    expect(detect({ 'package.json': '{ not json' }).licence).toBeNull();
  });

  it('matches the file package.json points to, and reads past UNLICENSED to the licence files', () => {
    const mit = join(modules, 'commander/LICENSE');
    const gpl = existsSync(common) ? { from: join(common, 'GPL-2') } : { from: mit };
    expect(detect({ 'package.json': '{"license":"SEE LICENSE IN TERMS.md"}', 'TERMS.md': { from: mit }, LICENSE: gpl })).toMatchObject({
      licence: 'MIT',
      source: 'TERMS.md',
    });
    expect(detect({ 'package.json': '{"license":"UNLICENSED"}', LICENSE: { from: mit } })).toMatchObject({ licence: 'MIT', source: 'LICENSE' });
  });

  it('reads Cargo.toml: [package] license, the workspace’s, expressions kept', () => {
    const crate = '[package]\nname = "fx"\nversion = "0.1.0"\nlicense = "MIT OR Apache-2.0" # dual\n\n[dependencies]\nserde = { version = "1" }\n';
    expect(detect({ 'Cargo.toml': crate })).toEqual({ licence: 'MIT OR Apache-2.0', source: 'Cargo.toml' });
    const workspace = '[workspace]\nmembers = [\n  "a",\n  "b",\n]\n\n[workspace.package]\nlicense = "Apache-2.0 WITH LLVM-exception"\n\n[package]\nname = "root"\nlicense.workspace = true\n';
    expect(detect({ 'Cargo.toml': workspace }).licence).toBe('Apache-2.0 WITH LLVM-exception');
    const fixture = readFileSync(join(repoRoot, 'test/graph/fixtures/rust/Cargo.toml'), 'utf8');
    expect(detect({ 'Cargo.toml': fixture }).licence).toBeNull(); // a real manifest without a licence
  });

  it.skipIf(!existsSync(cargoRegistry))('reads the declared expression of real crates in the Cargo registry', () => {
    const crates = readdirSync(cargoRegistry).flatMap((index) => readdirSync(join(cargoRegistry, index)).map((c) => join(cargoRegistry, index, c)));
    let checked = 0;
    for (const crate of crates.slice(0, 40)) {
      const manifest = join(crate, 'Cargo.toml');
      const declared = existsSync(manifest) ? /^license\s*=\s*"([^"]+)"/m.exec(readFileSync(manifest, 'utf8'))?.[1] : undefined;
      if (!declared) continue;
      checked++;
      expect(detectLicence(crate, readdirSync(crate)), crate).toMatchObject({ licence: normaliseDeclared(declared), source: 'Cargo.toml' });
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('reads pyproject.toml, setup.cfg, setup.py, composer.json, gemspecs and pom.xml', () => {
    expect(detect({ 'pyproject.toml': '[project]\nname = "p"\nlicense = "MIT"\n' }).licence).toBe('MIT');
    expect(detect({ 'pyproject.toml': '[project]\nname = "p"\nlicense = { text = "Apache 2.0" }\n' }).licence).toBe('Apache-2.0');
    expect(detect({ 'pyproject.toml': '[project.license]\ntext = "BSD-3-Clause"\n' }).licence).toBe('BSD-3-Clause');
    expect(detect({ 'pyproject.toml': '[tool.poetry]\nname = "p"\nlicense = "GPL-3.0-or-later"\n' }).licence).toBe('GPL-3.0-or-later');
    expect(detect({ 'setup.cfg': '[metadata]\nname = p\nlicense = Apache-2.0\nclassifiers =\n    License :: OSI Approved :: MIT License\n' })).toEqual({
      licence: 'Apache-2.0',
      source: 'setup.cfg',
    });
    expect(detect({ 'setup.py': 'from setuptools import setup\nsetup(\n    name="p",\n    license="BSD-2-Clause",\n    license_files=["LICENSE"],\n)\n' }).licence).toBe('BSD-2-Clause');
    expect(detect({ 'composer.json': '{"name":"a/b","license":["MIT","GPL-3.0-or-later"]}' }).licence).toBe('MIT OR GPL-3.0-or-later');
    expect(detect({ 'thing.gemspec': "Gem::Specification.new do |spec|\n  spec.name = 'thing'\n  spec.licenses = ['MIT']\nend\n" })).toEqual({
      licence: 'MIT',
      source: 'thing.gemspec',
    });
    const pom = '<project><licenses><license><name>Apache License, Version 2.0</name><url>https://www.apache.org/licenses/LICENSE-2.0</url></license></licenses></project>';
    expect(detect({ 'pom.xml': pom }).licence).toBe('Apache-2.0');
  });

  it('takes Python classifiers last: a licence file says more than "BSD License"', () => {
    const classified = '[project]\nname = "p"\nclassifiers = [\n  "Programming Language :: Python :: 3",\n  "License :: OSI Approved :: MIT License",\n]\n';
    expect(detect({ 'pyproject.toml': classified })).toEqual({ licence: 'MIT', source: 'pyproject.toml' });
    const bsd = '[project]\nname = "p"\nclassifiers = ["License :: OSI Approved :: BSD License"]\n';
    expect(detect({ 'pyproject.toml': bsd }).licence).toBeNull();
    if (existsSync(goModLicence)) expect(detect({ 'pyproject.toml': bsd, LICENSE: { from: goModLicence } }).licence).toBe('BSD-3-Clause');
  });

  it('reads manifests in TOML with a TOML parser: comments, literal strings, arrays, inline tables', () => {
    const at = tomlAt(
      '[package]\nname = "x" # the "name"\nlicense = \'MIT\'\nlicense-file = "LICENSE.txt"\nkeywords = ["a", "b#c",\n  "d"]\n[[bin]]\nname = "ignored"\n[project]\nlicense = { text = "Apache-2.0", extra = [1, 2] }\n',
    );
    expect(at('package.name')).toBe('x');
    expect(at('package.license')).toBe('MIT');
    expect(at('package.keywords')).toEqual(['a', 'b#c', 'd']);
    expect(at('project.license.text')).toBe('Apache-2.0');
    expect(at('package.missing')).toBeUndefined();
    expect(tomlAt('[package\nlicense = ')('package.license')).toBeUndefined();
  });

  it('reads setup.cfg with an INI parser', () => {
    expect(detect({ 'setup.cfg': '[metadata]\nname = p\nlicense = BSD-3-Clause\n\n[options]\npackages = find:\n' })).toEqual({ licence: 'BSD-3-Clause', source: 'setup.cfg' });
  });

});
