/**
 * Rust crate roots by Cargo's rules, per package manifest (a Cargo.toml with a `[package]`): the
 * library (`[lib] path`, else src/lib.rs), binaries (src/main.rs, each .rs file in src/bin and
 * each src/bin/NAME/main.rs), integration tests (each .rs file in tests, each tests/NAME/main.rs),
 * examples/ and benches/ alike, the targets a
 * manifest lists with a `path` (`[[bin]]`, `[[test]]`, `[[example]]`, `[[bench]]`), and the build
 * script. Any other file is a module of some crate, wherever it lies (tests/common/mod.rs too).
 */
import { parse as parseToml } from 'smol-toml';
import { type ResolveContext, dirOf, fileAt, joinInRepo } from './context.ts';

type TargetKind = 'bin' | 'test' | 'example' | 'bench';

/** Where Cargo discovers each kind of target, and the manifest key that turns discovery off. */
const discovery: ReadonlyArray<{ kind: TargetKind; dir: string; auto: string }> = [
  { kind: 'bin', dir: 'src/bin', auto: 'autobins' },
  { kind: 'test', dir: 'tests', auto: 'autotests' },
  { kind: 'example', dir: 'examples', auto: 'autoexamples' },
  { kind: 'bench', dir: 'benches', auto: 'autobenches' },
];

type Manifest = Record<string, unknown>;

/** Every crate root of every package in the repo, sorted. `rustFiles`: dir -> .rs files in it. */
export function cargoCrateRoots(ctx: ResolveContext, rustFiles: ReadonlyMap<string, readonly string[]>): string[] {
  const roots = new Set<string>();
  for (const file of ctx.files) {
    if (file !== 'Cargo.toml' && !file.endsWith('/Cargo.toml')) continue;
    const manifest = readManifest(ctx, file);
    if (manifest === undefined || !isRecord(manifest.package)) continue;
    for (const root of packageRoots(ctx, dirOf(file), manifest, rustFiles)) roots.add(root);
  }
  return [...roots].sort();
}

function packageRoots(ctx: ResolveContext, dir: string, manifest: Manifest, rustFiles: ReadonlyMap<string, readonly string[]>): string[] {
  const at = (rel: string | undefined) => {
    const path = rel === undefined ? undefined : joinInRepo(dir, rel);
    return path === undefined ? undefined : fileAt(ctx, path);
  };
  const out: Array<string | undefined> = [at(stringAt(manifest.lib, 'path') ?? 'src/lib.rs'), at(buildScript(manifest))];
  if (manifest.autobins !== false) out.push(at('src/main.rs'));
  for (const { kind, dir: sub, auto } of discovery) {
    if (manifest[auto] !== false) out.push(...discovered(joinInRepo(dir, sub), rustFiles, ctx));
    for (const target of listed(manifest, kind)) out.push(at(target));
  }
  return out.filter((f): f is string => f !== undefined);
}

/** Each .rs file in `dir`, and each `dir/NAME/main.rs`. */
function discovered(dir: string | undefined, rustFiles: ReadonlyMap<string, readonly string[]>, ctx: ResolveContext): string[] {
  if (dir === undefined) return [];
  const out = [...(rustFiles.get(dir) ?? [])];
  for (const [sub, files] of rustFiles) {
    if (dirOf(sub) === dir && files.includes(`${sub}/main.rs`)) out.push(`${sub}/main.rs`);
  }
  return out.filter((f) => ctx.files.has(f));
}

/** The paths of `[[kind]]` targets: as given, else where Cargo looks for one of that name. */
function listed(manifest: Manifest, kind: TargetKind): string[] {
  const tables = manifest[kind];
  if (!Array.isArray(tables)) return [];
  const dir = discovery.find((d) => d.kind === kind)!.dir;
  return tables.flatMap((t: unknown) => {
    const path = stringAt(t, 'path');
    if (path !== undefined) return [path];
    const name = stringAt(t, 'name');
    return name === undefined ? [] : [`${dir}/${name}.rs`, `${dir}/${name}/main.rs`];
  });
}

/** `package.build`: a path, `false` for none, else build.rs. */
function buildScript(manifest: Manifest): string | undefined {
  const build = isRecord(manifest.package) ? manifest.package.build : undefined;
  if (build === false) return undefined;
  return typeof build === 'string' ? build : 'build.rs';
}

function readManifest(ctx: ResolveContext, path: string): Manifest | undefined {
  try {
    return parseToml(ctx.readText(path) ?? '') as Manifest;
  } catch {
    return undefined;
  }
}

function stringAt(table: unknown, key: string): string | undefined {
  const v = isRecord(table) ? table[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
