/**
 * Rust module resolution. A crate root is `src/lib.rs`/`src/main.rs` beside a Cargo.toml (each
 * file directly in src/bin, tests, examples and benches is a root of its own). `mod x;` lands on
 * `x.rs` or `x/mod.rs` in the declaring module's directory; `use crate::a::b::C`, `self::`,
 * `super::` and paths through child modules walk module files as far as they exist, and land on
 * the deepest one (an item `C` lives in the file of module `a::b`). Other first segments name
 * external crates (`rust:<crate>`).
 */
import type { ImportSpec, ResolvedImport } from '../types.ts';
import { type ResolveContext, dirOf, fileAt } from './context.ts';

interface Crate {
  root: string;
  /** Directory module paths are relative to; '' when the root stands alone. */
  srcDir: string;
}

const ownRootDirs = ['tests', 'examples', 'benches', 'src/bin'];

export class RustResolver {
  constructor(private readonly ctx: ResolveContext) {}

  resolve(from: string, spec: ImportSpec): ResolvedImport[] {
    if (spec.kind === 'rust-extern') return [{ from, spec, external: `rust:${spec.specifier}` }];
    if (spec.kind === 'rust-mod') {
      const target = this.childModule(from, spec.specifier);
      return [target ? { from, spec, target } : { from, spec, unresolved: true }];
    }
    const segments = spec.specifier.split('::').filter((s) => s !== '' && s !== '*');
    if (segments.length === 0) return [];
    const crate = this.crateOf(from);
    let start: string | undefined;
    let rest = segments;
    const first = segments[0]!;
    if (first === 'crate') {
      start = crate?.root;
      rest = segments.slice(1);
    } else if (first === 'self' || first === 'super') {
      let path = crate ? this.modulePath(from, crate) : [];
      let i = 0;
      for (; segments[i] === 'self' || segments[i] === 'super'; i++) {
        if (segments[i] === 'super') {
          if (path.length === 0) return [{ from, spec, unresolved: true }];
          path = path.slice(0, -1);
        }
      }
      start = crate ? this.walk(crate.root, path).file : from;
      rest = segments.slice(i);
    } else if (this.childModule(from, first)) {
      start = from;
    } else {
      return [{ from, spec, external: `rust:${first}` }];
    }
    if (!start) return [{ from, spec, unresolved: true }];
    const target = this.walk(start, rest).file;
    return target === from ? [] : [{ from, spec, target }];
  }

  /** Follows module segments from `file` while module files exist; the deepest file reached. */
  private walk(file: string, segments: string[]): { file: string; consumed: number } {
    let cur = file;
    let i = 0;
    for (; i < segments.length; i++) {
      const next = this.childModule(cur, segments[i]!);
      if (!next) break;
      cur = next;
    }
    return { file: cur, consumed: i };
  }

  private childModule(file: string, name: string): string | undefined {
    const dir = this.moduleDir(file);
    const prefix = dir === '' ? '' : `${dir}/`;
    return fileAt(this.ctx, `${prefix}${name}.rs`) ?? fileAt(this.ctx, `${prefix}${name}/mod.rs`);
  }

  /** Where the child modules of `file` live. */
  private moduleDir(file: string): string {
    const base = file.slice(file.lastIndexOf('/') + 1);
    if (base === 'mod.rs' || base === 'lib.rs' || base === 'main.rs' || this.isOwnRoot(file)) return dirOf(file);
    return file.slice(0, -'.rs'.length);
  }

  private isOwnRoot(file: string): boolean {
    const dir = dirOf(file);
    return ownRootDirs.some((d) => dir === d || dir.endsWith(`/${d}`));
  }

  private crateOf(file: string): Crate | undefined {
    if (this.isOwnRoot(file)) return { root: file, srcDir: '' };
    for (let dir = dirOf(file); ; dir = dirOf(dir)) {
      const prefix = dir === '' ? '' : `${dir}/`;
      if (this.ctx.files.has(`${prefix}Cargo.toml`)) {
        const srcDir = `${prefix}src`;
        const root = fileAt(this.ctx, `${srcDir}/lib.rs`) ?? fileAt(this.ctx, `${srcDir}/main.rs`);
        return root ? { root, srcDir } : undefined;
      }
      const root = fileAt(this.ctx, `${prefix}lib.rs`) ?? fileAt(this.ctx, `${prefix}main.rs`);
      if (root) return { root, srcDir: dir };
      if (dir === '') return undefined;
    }
  }

  private modulePath(file: string, crate: Crate): string[] {
    if (file === crate.root || crate.srcDir === '' && this.isOwnRoot(file)) return [];
    const rel = crate.srcDir === '' ? file : file.slice(crate.srcDir.length + 1);
    const segments = rel.replace(/\.rs$/, '').split('/');
    if (segments[segments.length - 1] === 'mod') segments.pop();
    return segments;
  }
}
