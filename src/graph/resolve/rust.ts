/**
 * Rust `mod` and `use` resolution over the crates' module tree (rust-modules.ts). `mod x;` lands
 * on the file it loads. `use crate::a::b::C`, `self::`, `super::` and paths through child modules
 * start from the module the `use` stands in (inside `mod tests { .. }` that is a module of the
 * file's own) and land on the deepest module that is a file of its own: an item `C` lives in the
 * file of module `a::b`; `use super::*` in `mod tests {}` lands on the file itself (a self-import).
 * Other first segments name external crates (`rust:<crate>`).
 */
import type { ImportSpec, ResolvedImport } from '../types.ts';
import type { ResolveContext } from './context.ts';
import { type RustModule, RustModules } from './rust-modules.ts';

export class RustResolver {
  private readonly modules: RustModules;

  constructor(ctx: ResolveContext) {
    this.modules = new RustModules(ctx);
  }

  resolve(from: string, spec: ImportSpec): ResolvedImport[] {
    if (spec.kind === 'rust-extern') return [{ from, spec, external: `rust:${spec.specifier}` }];
    if (spec.kind === 'rust-mod') {
      const target = this.modules.declared(from, spec);
      return [target ? { from, spec, target } : { from, spec, unresolved: true }];
    }
    const segments = spec.specifier.split('::').filter((s) => s !== '' && s !== '*');
    if (segments.length === 0) return [];
    const mod = this.modules.moduleOf(from);
    const here = [...mod.path, ...(spec.scope ?? [])];
    const start = this.startOf(segments, here, mod, from);
    if (start === 'unresolved') return [{ from, spec, unresolved: true }];
    if (start === undefined) return [{ from, spec, external: `rust:${segments[0]}` }];
    return [{ from, spec, target: this.deepest(mod, start.path, start.file, start.rest) }];
  }

  /**
   * Where the path starts: the module it names first (its path, and the file that module lies in)
   * and the segments after it; undefined for another crate, 'unresolved' for `super` past the root.
   */
  private startOf(segments: string[], here: string[], mod: RustModule, from: string): { path: string[]; file: string; rest: string[] } | 'unresolved' | undefined {
    const first = segments[0]!;
    if (first === 'crate') return { path: [], file: mod.crate, rest: segments.slice(1) };
    if (first === 'self' || first === 'super') {
      let path = here;
      let i = 0;
      for (; segments[i] === 'self' || segments[i] === 'super'; i++) {
        if (segments[i] === 'self') continue;
        if (path.length === 0) return 'unresolved';
        path = path.slice(0, -1);
      }
      // Still within the file's own module (or its inline modules): the file itself.
      const file = path.length >= mod.path.length ? from : this.deepest(mod, [], mod.crate, path);
      return { path, file, rest: segments.slice(i) };
    }
    const scope = here.slice(mod.path.length);
    if (this.modules.fileOf(mod.crate, [...here, first]) !== undefined || this.childByName(from, first, scope)) return { path: here, file: from, rest: segments };
    return undefined;
  }

  /** Down from module `path` (lying in `file`) along `rest`, to the deepest module with a file. */
  private deepest(mod: RustModule, path: string[], file: string, rest: string[]): string {
    let deepest = file;
    let exact: string | undefined = this.modules.fileOf(mod.crate, path) ?? (path.length === mod.path.length ? file : undefined);
    let cur = path;
    for (const seg of rest) {
      cur = [...cur, seg];
      exact = this.modules.fileOf(mod.crate, cur) ?? (exact === undefined ? undefined : this.childByName(exact, seg, []));
      if (exact !== undefined) deepest = exact;
    }
    return deepest;
  }

  /** A child module's file found by its name alone (its `mod` hidden from us, as in `cfg_if!`). */
  private childByName(file: string, name: string, scope: string[]): string | undefined {
    return this.modules.declared(file, { kind: 'rust-mod', specifier: name, line: 0, scope });
  }
}
