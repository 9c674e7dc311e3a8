/**
 * TS/JS import resolution: relative paths (with the extension, directory index and `.js`-for-`.ts`
 * rules of TypeScript and Node), tsconfig `paths`/`baseUrl`, and packages inside the repo through
 * their package.json. Everything else leaves the repo: Node builtins become `node:<name>`,
 * packages `npm:<name>`.
 *
 * Which file wins when several fit follows what runs, the way dependency-cruiser and bundlers
 * see it: a file named with its extension is taken as written when it exists (TypeScript's
 * `.js`-for-`.ts` rule applies only when it does not); without an extension, TypeScript importers
 * look for TypeScript sources first, then JavaScript, then declaration files (`./a` beside a.js
 * and a.d.ts is a.js); JavaScript importers never prefer a .ts file. Package entry points follow
 * the runtime conditions (import/require/node/default); the `types` condition is only a fallback,
 * for workspace packages whose built output is not in the repo.
 */
import { builtinModules } from 'node:module';
import type { ImportSpec, LanguageId, ResolvedImport } from '../types.ts';
import { type ResolveContext, dirOf, fileAt, joinInRepo } from './context.ts';
import { type RepoPackage, findRepoPackages, packageEntryCandidates, packageImportCandidates, splitPackageSpecifier } from './packages.ts';
import { TsconfigIndex, pathCandidates } from './tsconfig.ts';

const tsFirst = ['.ts', '.tsx', '.mts', '.cts', '.js', '.cjs', '.mjs', '.jsx', '.d.ts', '.d.mts', '.d.cts', '.json'];
const jsFirst = ['.js', '.cjs', '.mjs', '.jsx', '.json', '.ts', '.tsx', '.mts', '.cts', '.d.ts'];
/** What TypeScript tries for a written JS extension. */
const tsForJs: Readonly<Record<string, string[]>> = {
  '.js': ['.ts', '.tsx', '.d.ts'],
  '.jsx': ['.tsx', '.d.ts'],
  '.mjs': ['.mts', '.d.mts'],
  '.cjs': ['.cts', '.d.cts'],
};
const builtins = new Set(builtinModules);

export class ScriptResolver {
  private readonly tsconfigs: TsconfigIndex;
  private readonly packages: Map<string, RepoPackage>;
  private readonly byDir: Map<string, RepoPackage>;

  constructor(private readonly ctx: ResolveContext) {
    this.tsconfigs = new TsconfigIndex(ctx);
    const all = findRepoPackages(ctx);
    // The shallowest package of a name wins (a test fixture's copy does not shadow the real one).
    this.packages = new Map();
    for (const p of all) if (p.name !== '' && !this.packages.has(p.name)) this.packages.set(p.name, p);
    this.byDir = new Map(all.map((p) => [p.dir, p]));
  }

  resolve(from: string, language: LanguageId, spec: ImportSpec): ResolvedImport {
    const s = spec.specifier;
    const preferTs = language !== 'javascript';
    if (s.startsWith('./') || s.startsWith('../') || s === '.' || s === '..') {
      const base = joinInRepo(dirOf(from), s);
      const target = base === undefined ? undefined : this.asFileOrDir(base, preferTs);
      return target ? { from, spec, target } : { from, spec, unresolved: true };
    }
    if (s.startsWith('/')) return { from, spec, unresolved: true };
    if (s.startsWith('node:') || builtins.has(s) || builtins.has(s.split('/')[0]!)) {
      return { from, spec, external: `node:${s.replace(/^node:/, '').split('/')[0]}` };
    }
    if (s.startsWith('#')) {
      const owner = this.owningPackage(from);
      const conditions = new Set(['import', 'require', 'node']);
      for (const candidate of owner ? packageImportCandidates(owner, s, conditions) : []) {
        const target = this.asFileOrDir(candidate, preferTs);
        if (target) return { from, spec, target };
      }
      return { from, spec, unresolved: true };
    }
    const mapping = this.tsconfigs.mappingFor(from);
    if (mapping) {
      for (const candidate of pathCandidates(mapping, s)) {
        const target = this.asFileOrDir(candidate, true);
        if (target) return { from, spec, target };
      }
      if (mapping.baseUrl !== undefined) {
        const base = joinInRepo(mapping.baseUrl, s);
        const target = base === undefined ? undefined : this.asFileOrDir(base, true);
        if (target) return { from, spec, target };
      }
    }
    // Deno names registries in the specifier: `npm:zod@3/mini`, `jsr:@std/path@1`.
    const registry = /^(npm|jsr):\/?/.exec(s);
    if (registry) return { from, spec, external: `${registry[1]}:${splitPackageSpecifier(withoutVersion(s.slice(registry[0].length)))[0]}` };
    const [name, subpath] = splitPackageSpecifier(s);
    const pkg = this.packages.get(name);
    if (pkg) {
      const conditions = new Set(spec.kind === 'require' ? ['require', 'node'] : ['import', 'node', 'require']);
      for (const candidate of packageEntryCandidates(pkg, subpath, conditions)) {
        const target = this.asFileOrDir(candidate, preferTs);
        if (target) return { from, spec, target };
      }
    }
    return { from, spec, external: `npm:${name}` };
  }

  /** The package whose directory holds `file` (the nearest package.json above it). */
  private owningPackage(file: string): RepoPackage | undefined {
    let best: RepoPackage | undefined;
    for (const pkg of this.byDir.values()) {
      if ((pkg.dir === '' || file.startsWith(`${pkg.dir}/`)) && (!best || pkg.dir.length > best.dir.length)) best = pkg;
    }
    return best;
  }

  /** A file at `base` (as written, or with an extension), else the directory's entry. */
  private asFileOrDir(base: string, preferTs: boolean): string | undefined {
    return this.asFile(base, preferTs) ?? this.asDir(base, preferTs);
  }

  private asFile(base: string, preferTs: boolean): string | undefined {
    const written = extensionOf(base);
    if (written) {
      const hit = fileAt(this.ctx, base);
      if (hit) return hit;
    }
    if (written && preferTs && tsForJs[written]) {
      const stem = base.slice(0, -written.length);
      for (const ext of tsForJs[written]!) {
        const hit = fileAt(this.ctx, stem + ext);
        if (hit) return hit;
      }
    }
    for (const ext of preferTs ? tsFirst : jsFirst) {
      const hit = fileAt(this.ctx, base + ext);
      if (hit) return hit;
    }
    return undefined;
  }

  private asDir(base: string, preferTs: boolean): string | undefined {
    if (!this.ctx.dirs.has(base)) return undefined;
    const manifest = base === '' ? 'package.json' : `${base}/package.json`;
    if (this.ctx.files.has(manifest)) {
      try {
        const json = JSON.parse(this.ctx.readText(manifest) ?? '{}') as { main?: unknown; types?: unknown };
        const field = json.main ?? (preferTs ? json.types : undefined);
        if (typeof field === 'string') {
          const entry = joinInRepo(base, field);
          const hit = entry === undefined ? undefined : (this.asFile(entry, preferTs) ?? this.indexOf(entry, preferTs));
          if (hit) return hit;
        }
      } catch {
        // A broken package.json: fall back to the index file, as Node does.
      }
    }
    return this.indexOf(base, preferTs);
  }

  private indexOf(dir: string, preferTs: boolean): string | undefined {
    return this.asFile(dir === '' ? 'index' : `${dir}/index`, preferTs);
  }
}

/** `@scope/name@^1.2/sub` -> `@scope/name/sub`. */
function withoutVersion(specifier: string): string {
  return specifier.replace(/^((?:@[^/]+\/)?[^/@]+)@[^/]*/, '$1');
}

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}
