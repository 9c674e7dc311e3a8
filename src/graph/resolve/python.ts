/**
 * Python import resolution. Package roots are the directories that hold top-level packages or
 * modules: the repo root, `src/`, and the parent of every outermost package (a directory with
 * `__init__.py` whose parent has none). `import a.b` and `from a.b import c` resolve against the
 * roots; `from .x import y` against the importing file's package. `from p import m` lands on the
 * module `p/m.py` when `m` is a module, else on `p` itself.
 */
import type { ImportSpec, ResolvedImport } from '../types.ts';
import { type ResolveContext, dirOf, fileAt } from './context.ts';

export class PythonResolver {
  private readonly roots: string[];

  constructor(private readonly ctx: ResolveContext) {
    const roots = new Set<string>(['']);
    if (ctx.dirs.has('src')) roots.add('src');
    for (const f of ctx.files) {
      if (!f.endsWith('/__init__.py')) continue;
      let pkg = dirOf(f);
      while (pkg !== '' && ctx.files.has(`${dirOf(pkg) === '' ? '' : dirOf(pkg) + '/'}__init__.py`)) pkg = dirOf(pkg);
      roots.add(dirOf(pkg));
    }
    // Deeper roots first: a project under src/ shadows a same-named directory higher up.
    this.roots = [...roots].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  }

  resolve(from: string, spec: ImportSpec): ResolvedImport[] {
    const s = spec.specifier;
    const dots = /^\.*/.exec(s)![0].length;
    const dotted = s.slice(dots);
    if (spec.kind === 'python') {
      const target = this.absolute(dotted, true, from);
      return [target ? { from, spec, target } : { from, spec, external: external(dotted) }];
    }
    let base: string | undefined;
    if (dots > 0) {
      base = dirOf(from);
      for (let i = 1; i < dots; i++) {
        if (base === '') return [{ from, spec, unresolved: true }];
        base = dirOf(base);
      }
    }
    const moduleDir = base === undefined ? undefined : join(base, dotted.replaceAll('.', '/'));
    const out: ResolvedImport[] = [];
    const seen = new Set<string>();
    const add = (target: string) => {
      if (!seen.has(target)) {
        seen.add(target);
        out.push({ from, spec, target });
      }
    };
    let needsModule = false;
    for (const name of spec.names ?? []) {
      const sub = name === '*' ? undefined : moduleDir !== undefined ? this.moduleAt(join(moduleDir, name)) : this.absolute(`${dotted}.${name}`, false, from);
      if (sub) add(sub);
      else needsModule = true;
    }
    if (needsModule || (spec.names ?? []).length === 0) {
      const mod = moduleDir === undefined ? this.absolute(dotted, true, from) : dotted === '' ? this.packageAt(moduleDir) : this.moduleAt(moduleDir);
      if (mod) add(mod);
      else if (out.length === 0) return [dots > 0 ? { from, spec, unresolved: true } : { from, spec, external: external(dotted) }];
    }
    return out;
  }

  /**
   * `a.b.c` against the package roots, then (for a script outside any package, which Python runs
   * with its own directory on sys.path) the importer's directory. With `prefixes`, the longest
   * resolvable prefix counts: `import a.b.c` where c is not a file lands on a/b.
   */
  private absolute(dotted: string, prefixes: boolean, from?: string): string | undefined {
    const parts = dotted.split('.');
    const roots = [...this.roots];
    if (from !== undefined && !this.ctx.files.has(join(dirOf(from), '__init__.py')) && !roots.includes(dirOf(from))) roots.push(dirOf(from));
    for (let n = parts.length; n >= (prefixes ? 1 : parts.length); n--) {
      const rel = parts.slice(0, n).join('/');
      for (const root of roots) {
        const hit = this.moduleAt(join(root, rel));
        if (hit) return hit;
      }
    }
    return undefined;
  }

  private packageAt(dir: string): string | undefined {
    return fileAt(this.ctx, join(dir, '__init__.py')) ?? fileAt(this.ctx, join(dir, '__init__.pyi'));
  }

  /** `dir/name` as a module file or a package. */
  private moduleAt(path: string): string | undefined {
    if (path === '') return fileAt(this.ctx, '__init__.py');
    return fileAt(this.ctx, `${path}.py`) ?? fileAt(this.ctx, `${path}/__init__.py`) ?? fileAt(this.ctx, `${path}.pyi`) ?? fileAt(this.ctx, `${path}/__init__.pyi`);
  }
}

function join(dir: string, rel: string): string {
  if (dir === '') return rel;
  if (rel === '') return dir;
  return `${dir}/${rel}`;
}

function external(dotted: string): string {
  return `python:${dotted.split('.')[0]}`;
}
