/**
 * TS/JS import resolution: relative paths (with the extension, directory index and `.js`-for-`.ts`
 * rules of TypeScript and Node), tsconfig `paths`/`baseUrl`, and packages inside the repo through
 * their package.json. Everything else leaves the repo: Node builtins become `node:<name>`,
 * packages `npm:<name>`.
 *
 * Extension order follows the importer: TypeScript files look for TypeScript first (`./a` from
 * a.ts is a.ts, or a.d.ts beside a.js), JavaScript files for JavaScript first (Node never loads
 * a .ts file).
 */
import { builtinModules } from 'node:module';
import type { ImportSpec, LanguageId, ResolvedImport } from '../types.ts';
import { type ResolveContext, dirOf, fileAt, joinInRepo } from './context.ts';
import { type RepoPackage, findRepoPackages, packageEntryCandidates, splitPackageSpecifier } from './packages.ts';
import { TsconfigIndex, pathCandidates } from './tsconfig.ts';

const tsFirst = ['.ts', '.tsx', '.d.ts', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '.json'];
const jsFirst = ['.js', '.jsx', '.mjs', '.cjs', '.json', '.ts', '.tsx', '.d.ts', '.mts', '.cts'];
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

  constructor(private readonly ctx: ResolveContext) {
    this.tsconfigs = new TsconfigIndex(ctx);
    this.packages = findRepoPackages(ctx);
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
    const [name, subpath] = splitPackageSpecifier(s);
    const pkg = this.packages.get(name);
    if (pkg) {
      const conditions = new Set(preferTs ? ['types', 'import', 'require', 'node'] : spec.kind === 'require' ? ['require', 'node'] : ['import', 'node', 'require']);
      for (const candidate of packageEntryCandidates(pkg, subpath, conditions)) {
        const target = this.asFileOrDir(candidate, preferTs);
        if (target) return { from, spec, target };
      }
    }
    return { from, spec, external: `npm:${name}` };
  }

  /** A file at `base` (as written, or with an extension), else the directory's entry. */
  private asFileOrDir(base: string, preferTs: boolean): string | undefined {
    return this.asFile(base, preferTs) ?? this.asDir(base, preferTs);
  }

  private asFile(base: string, preferTs: boolean): string | undefined {
    const written = extensionOf(base);
    if (written && preferTs && tsForJs[written]) {
      const stem = base.slice(0, -written.length);
      for (const ext of tsForJs[written]!) {
        const hit = fileAt(this.ctx, stem + ext);
        if (hit) return hit;
      }
    }
    if (written) {
      const hit = fileAt(this.ctx, base);
      if (hit) return hit;
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
        const field = preferTs && typeof json.types === 'string' ? json.types : json.main;
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

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}
