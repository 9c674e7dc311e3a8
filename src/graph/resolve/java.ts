/**
 * Java import resolution: a file `Name.java` declaring `package a.b` defines `a.b.Name`; single
 * imports (and static imports, through their class) land on that file, `a.b.*` on every file of
 * package a.b. Other names are external (`java:<first two segments>`).
 *
 * A class of the file's own package needs no import: a type the file uses by a name that such a
 * class has is an edge too (`java-package`), unless a single-type import names another class so.
 */
import type { FileFacts, ImportSpec, ResolvedImport } from '../types.ts';
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
      if (owner) return [{ from, spec, target: owner }];
      return [{ from, spec, external: external(pkg) }];
    }
    const target = this.classFor(name);
    if (target) return [{ from, spec, target }];
    return [{ from, spec, external: external(name) }];
  }

  /** Edges to the classes of the file's own package it uses without an import. */
  samePackageUses(from: string, facts: FileFacts): ResolvedImport[] {
    const pkg = facts.packageName ?? '';
    const shadowed = new Set(facts.imports.filter((i) => i.kind === 'java' && !i.specifier.endsWith('.*')).map((i) => i.specifier.slice(i.specifier.lastIndexOf('.') + 1)));
    const out = new Map<string, ResolvedImport>();
    for (const ref of facts.references) {
      if (shadowed.has(ref.name)) continue;
      const specifier = pkg === '' ? ref.name : `${pkg}.${ref.name}`;
      const target = this.classes.get(specifier);
      if (target === undefined || target === from || out.has(target)) continue;
      out.set(target, { from, spec: { kind: 'java-package', specifier, line: ref.line }, target });
    }
    return [...out.values()];
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
