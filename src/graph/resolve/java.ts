/**
 * Java import resolution: a file `Name.java` declaring `package a.b` defines `a.b.Name`; single
 * imports (and static imports, through their class) land on that file, `a.b.*` on every file of
 * package a.b. Other names are external (`java:<first two segments>`).
 */
import type { ImportSpec, ResolvedImport } from '../types.ts';
import type { ResolveContext } from './context.ts';

export class JavaResolver {
  private readonly classes = new Map<string, string>();
  private readonly packages = new Map<string, string[]>();

  constructor(ctx: ResolveContext) {
    for (const [path, facts] of ctx.facts) {
      if (facts.language !== 'java') continue;
      const stem = path.slice(path.lastIndexOf('/') + 1).replace(/\.java$/, '');
      const pkg = facts.packageName ?? '';
      this.classes.set(pkg === '' ? stem : `${pkg}.${stem}`, path);
      const list = this.packages.get(pkg);
      if (list) list.push(path);
      else this.packages.set(pkg, [path]);
    }
    for (const list of this.packages.values()) list.sort();
  }

  resolve(from: string, spec: ImportSpec): ResolvedImport[] {
    const name = spec.specifier;
    if (name.endsWith('.*')) {
      const pkg = name.slice(0, -2);
      const files = this.packages.get(pkg);
      if (files) return files.filter((f) => f !== from).map((target) => ({ from, spec, target }));
      // `import a.b.C.*` imports C's nested classes.
      const owner = this.classFor(pkg);
      if (owner) return owner === from ? [] : [{ from, spec, target: owner }];
      return [{ from, spec, external: external(pkg) }];
    }
    const target = this.classFor(name);
    if (target) return target === from ? [] : [{ from, spec, target }];
    return [{ from, spec, external: external(name) }];
  }

  /** `a.b.C`, `a.b.C.Inner`, `a.b.C.member` -> the file of a.b.C. */
  private classFor(name: string): string | undefined {
    const parts = name.split('.');
    for (let n = parts.length; n >= 1; n--) {
      const hit = this.classes.get(parts.slice(0, n).join('.'));
      if (hit) return hit;
    }
    return undefined;
  }
}

function external(name: string): string {
  return `java:${name.split('.').slice(0, 2).join('.')}`;
}
