/**
 * Go import resolution: every go.mod in the repo maps its module path to its directory; an import
 * path under a module is a package directory, and a file depends on every non-test .go file of
 * that package. Other paths are external (`go:<path>`: the standard library by package, modules
 * by their first three path elements).
 */
import type { ImportSpec, ResolvedImport } from '../types.ts';
import { type ResolveContext, dirOf } from './context.ts';

export class GoResolver {
  private readonly modules: Array<{ path: string; dir: string }> = [];
  private readonly packages = new Map<string, string[]>();

  constructor(ctx: ResolveContext) {
    for (const f of ctx.files) {
      if (f === 'go.mod' || f.endsWith('/go.mod')) {
        const m = /^\s*module\s+("?)([^\s"]+)\1/m.exec(ctx.readText(f) ?? '');
        if (m) this.modules.push({ path: m[2]!, dir: dirOf(f) });
      } else if (f.endsWith('.go') && !f.endsWith('_test.go')) {
        const dir = dirOf(f);
        const list = this.packages.get(dir);
        if (list) list.push(f);
        else this.packages.set(dir, [f]);
      }
    }
    // Longest module path first: nested modules win over their parents.
    this.modules.sort((a, b) => b.path.length - a.path.length);
    for (const list of this.packages.values()) list.sort();
  }

  resolve(from: string, spec: ImportSpec): ResolvedImport[] {
    const p = spec.specifier;
    for (const mod of this.modules) {
      if (p !== mod.path && !p.startsWith(`${mod.path}/`)) continue;
      const rest = p.slice(mod.path.length + 1);
      const dir = mod.dir === '' ? rest : rest === '' ? mod.dir : `${mod.dir}/${rest}`;
      const files = (this.packages.get(dir) ?? []).filter((f) => f !== from);
      if (files.length === 0) return [{ from, spec, unresolved: true }];
      return files.map((target) => ({ from, spec, target }));
    }
    return [{ from, spec, external: external(p) }];
  }
}

function external(path: string): string {
  const parts = path.split('/');
  return parts[0]!.includes('.') ? `go:${parts.slice(0, 3).join('/')}` : `go:${path}`;
}
