/**
 * tsconfig.json `baseUrl` and `paths`, as TypeScript applies them: the nearest tsconfig.json above
 * a file governs it; `extends` chains (relative paths) are followed; `paths` are relative to
 * `baseUrl`, or to the tsconfig that declares them when there is no baseUrl.
 */
import { type ResolveContext, dirOf, joinInRepo, parseJsonc } from './context.ts';

export interface PathMapping {
  /** Directory that `paths` targets are relative to. */
  pathsBase: string;
  paths: ReadonlyArray<{ pattern: string; targets: string[] }>;
  /** Directory bare specifiers are also tried in, when baseUrl is set. */
  baseUrl?: string;
}

interface RawCompilerOptions {
  baseUrl?: string;
  paths?: Record<string, string[]>;
}

export class TsconfigIndex {
  private readonly byDir = new Map<string, PathMapping | null>();

  constructor(private readonly ctx: ResolveContext) {}

  /** The mapping that governs `file`, or null if no tsconfig with baseUrl/paths applies. */
  mappingFor(file: string): PathMapping | null {
    return this.forDir(dirOf(file));
  }

  private forDir(dir: string): PathMapping | null {
    const cached = this.byDir.get(dir);
    if (cached !== undefined) return cached;
    const config = dir === '' ? 'tsconfig.json' : `${dir}/tsconfig.json`;
    let mapping: PathMapping | null;
    if (this.ctx.files.has(config)) mapping = this.load(config, 0);
    else mapping = dir === '' ? null : this.forDir(dirOf(dir));
    this.byDir.set(dir, mapping);
    return mapping;
  }

  private load(config: string, depth: number): PathMapping | null {
    const json = parseJsonc(this.ctx.readText(config)) as { extends?: string | string[]; compilerOptions?: RawCompilerOptions } | undefined;
    if (!json || typeof json !== 'object') return null;
    let inherited: PathMapping | null = null;
    const parents = typeof json.extends === 'string' ? [json.extends] : Array.isArray(json.extends) ? json.extends : [];
    for (const parent of parents) {
      if (depth > 8 || !parent.startsWith('.')) continue;
      let path = joinInRepo(dirOf(config), parent);
      if (path === undefined) continue;
      if (!path.endsWith('.json')) path += this.ctx.files.has(`${path}.json`) ? '.json' : '/tsconfig.json';
      inherited = this.load(path, depth + 1) ?? inherited;
    }
    const opts = json.compilerOptions ?? {};
    const configDir = dirOf(config);
    const baseUrl = typeof opts.baseUrl === 'string' ? joinInRepo(configDir, opts.baseUrl) : inherited?.baseUrl;
    if (opts.paths && typeof opts.paths === 'object') {
      const paths = Object.entries(opts.paths).map(([pattern, targets]) => ({ pattern, targets: Array.isArray(targets) ? targets : [] }));
      return { pathsBase: baseUrl ?? configDir, paths, ...(baseUrl !== undefined ? { baseUrl } : {}) };
    }
    if (inherited) return { ...inherited, ...(baseUrl !== undefined ? { baseUrl, pathsBase: inherited.paths.length ? inherited.pathsBase : baseUrl } : {}) };
    return baseUrl !== undefined ? { pathsBase: baseUrl, paths: [], baseUrl } : null;
  }
}

/** Candidate repo paths for `specifier` under `mapping.paths`, best pattern first. */
export function pathCandidates(mapping: PathMapping, specifier: string): string[] {
  let best: { prefixLen: number; captured: string; targets: string[] } | undefined;
  for (const { pattern, targets } of mapping.paths) {
    const star = pattern.indexOf('*');
    if (star < 0) {
      if (pattern === specifier) return targets.flatMap((t) => orEmpty(joinInRepo(mapping.pathsBase, t)));
      continue;
    }
    const prefix = pattern.slice(0, star);
    const suffix = pattern.slice(star + 1);
    if (specifier.length >= prefix.length + suffix.length && specifier.startsWith(prefix) && specifier.endsWith(suffix)) {
      // TypeScript picks the pattern with the longest prefix.
      if (!best || prefix.length > best.prefixLen) best = { prefixLen: prefix.length, captured: specifier.slice(prefix.length, specifier.length - suffix.length), targets };
    }
  }
  if (!best) return [];
  const { captured, targets } = best;
  return targets.flatMap((t) => orEmpty(joinInRepo(mapping.pathsBase, t.replace('*', captured))));
}

function orEmpty(path: string | undefined): string[] {
  return path === undefined ? [] : [path];
}
