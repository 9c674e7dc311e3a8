/**
 * Packages that live in the repo (the root package and workspace packages), found by their
 * package.json, and how a specifier `name[/subpath]` maps into them: the `exports` map (subpath
 * patterns and conditions, in the object's key order as Node does), else `types`/`module`/`main`,
 * else the subpath as a path inside the package.
 */
import { type ResolveContext, dirOf, joinInRepo, parseJsonc } from './context.ts';

export interface RepoPackage {
  name: string;
  dir: string;
  exports?: unknown;
  /** Subpath imports (`#x`), private to the package. */
  imports?: unknown;
  main?: string;
  module?: string;
  types?: string;
}

/** Every package.json in the repo, shallowest first; `name` is '' for a manifest without one. */
export function findRepoPackages(ctx: ResolveContext): RepoPackage[] {
  const out: RepoPackage[] = [];
  const manifests = [...ctx.files].filter((f) => f === 'package.json' || f.endsWith('/package.json')).sort((a, b) => a.split('/').length - b.split('/').length || (a < b ? -1 : 1));
  for (const manifest of manifests) {
    const json = parseJsonc(ctx.readText(manifest)) as Record<string, unknown> | undefined;
    if (!json || typeof json !== 'object') continue;
    const pkg: RepoPackage = { name: typeof json.name === 'string' ? json.name : '', dir: dirOf(manifest) };
    if (json.exports !== undefined) pkg.exports = json.exports;
    if (json.imports !== undefined) pkg.imports = json.imports;
    if (typeof json.main === 'string') pkg.main = json.main;
    if (typeof json.module === 'string') pkg.module = json.module;
    const types = typeof json.types === 'string' ? json.types : typeof json.typings === 'string' ? json.typings : undefined;
    if (types !== undefined) pkg.types = types;
    out.push(pkg);
  }
  return out;
}

/** `@scope/name/sub/path` -> [`@scope/name`, `./sub/path`]; `name` -> [`name`, `.`]. */
export function splitPackageSpecifier(specifier: string): [string, string] {
  const parts = specifier.split('/');
  const n = specifier.startsWith('@') ? 2 : 1;
  const name = parts.slice(0, n).join('/');
  const rest = parts.slice(n).join('/');
  return [name, rest === '' ? '.' : `./${rest}`];
}

/**
 * Paths inside the repo that `subpath` of `pkg` points to (to be tried with extensions), best
 * first. `conditions` are the export conditions that apply, e.g. types/import/require/default.
 */
export function packageEntryCandidates(pkg: RepoPackage, subpath: string, conditions: ReadonlySet<string>): string[] {
  if (pkg.exports !== undefined) {
    // With an exports map, only exported subpaths resolve (Node's encapsulation). The runtime
    // target first; the `types` target after it, for packages whose build output is absent.
    const targets = [exportsTarget(pkg.exports, subpath, conditions), exportsTarget(pkg.exports, subpath, new Set([...conditions, 'types']))];
    return [...new Set(targets.flatMap((t) => (t === undefined ? [] : orEmpty(joinInRepo(pkg.dir, t)))))];
  }
  if (subpath !== '.') return orEmpty(joinInRepo(pkg.dir, subpath));
  const fields = [pkg.main, pkg.module, pkg.types];
  const out: string[] = [];
  for (const f of fields) if (f !== undefined) out.push(...orEmpty(joinInRepo(pkg.dir, f)));
  out.push(...orEmpty(joinInRepo(pkg.dir, 'index')));
  return out;
}

/** `#name` through the package's `imports` map; the same pattern rules as `exports`. */
export function packageImportCandidates(pkg: RepoPackage, specifier: string, conditions: ReadonlySet<string>): string[] {
  if (!pkg.imports || typeof pkg.imports !== 'object') return [];
  const map = pkg.imports as Record<string, unknown>;
  const targets = [exportsTarget(map, specifier, conditions, map), exportsTarget(map, specifier, new Set([...conditions, 'types']), map)];
  // A target that is not relative names another package; not followed here.
  return [...new Set(targets.flatMap((t) => (t === undefined || !t.startsWith('./') ? [] : orEmpty(joinInRepo(pkg.dir, t)))))];
}

function exportsTarget(exports: unknown, subpath: string, conditions: ReadonlySet<string>, preNormalised?: Record<string, unknown>): string | undefined {
  const map = preNormalised ?? normaliseExports(exports);
  if (!map) return undefined;
  const exact = map[subpath];
  if (exact !== undefined) return conditionTarget(exact, conditions, undefined);
  // Subpath patterns: the longest matching prefix wins.
  let best: { key: string; captured: string } | undefined;
  for (const key of Object.keys(map)) {
    const star = key.indexOf('*');
    if (star < 0) {
      // Legacy folder mappings: "./dir/".
      if (key.endsWith('/') && subpath.startsWith(key) && (!best || key.length > best.key.length)) best = { key, captured: subpath.slice(key.length) };
      continue;
    }
    const prefix = key.slice(0, star);
    const suffix = key.slice(star + 1);
    if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= key.length - 1) {
      if (!best || prefix.length > best.key.indexOf('*')) best = { key, captured: subpath.slice(prefix.length, subpath.length - suffix.length) };
    }
  }
  if (!best) return undefined;
  const target = conditionTarget(map[best.key], conditions, best.captured);
  return target === undefined ? undefined : best.key.includes('*') ? target : target + best.captured;
}

/** `exports` as a subpath map: a string, an array or a pure conditions object means ".". */
function normaliseExports(exports: unknown): Record<string, unknown> | undefined {
  if (typeof exports === 'string' || Array.isArray(exports)) return { '.': exports };
  if (exports && typeof exports === 'object') {
    const keys = Object.keys(exports);
    if (keys.length > 0 && keys.every((k) => !k.startsWith('.'))) return { '.': exports };
    return exports as Record<string, unknown>;
  }
  return undefined;
}

function conditionTarget(value: unknown, conditions: ReadonlySet<string>, captured: string | undefined): string | undefined {
  if (typeof value === 'string') return captured === undefined ? value : value.replaceAll('*', captured);
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = conditionTarget(v, conditions, captured);
      if (t !== undefined) return t;
    }
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [cond, v] of Object.entries(value)) {
      if (cond === 'default' || conditions.has(cond)) {
        const t = conditionTarget(v, conditions, captured);
        if (t !== undefined) return t;
      }
    }
  }
  return undefined;
}

function orEmpty(path: string | undefined): string[] {
  return path === undefined ? [] : [path];
}
