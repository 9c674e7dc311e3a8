/**
 * The module tree of a repository's Rust crates, built the way rustc loads modules: from each
 * crate root (cargo.ts), every `mod x;` is followed to its file, `x.rs` or `x/mod.rs` in the
 * declaring module's directory (inside `mod a { .. }` blocks, under `a/` too), or to its
 * `#[path]`. A file loaded by `#[path]` is a directory owner, as mod.rs is.
 *
 * Invariant: each file has one place of its own, the first reached (sorted roots, breadth first),
 * and is a module of every crate that reaches it. A file
 * no declaration reaches (one `mod`-ed inside a macro such as `cfg_if!`) is placed by its path
 * below the nearest crate root, or is a root of its own.
 */
import type { ImportSpec } from '../types.ts';
import { cargoCrateRoots } from './cargo.ts';
import { type ResolveContext, dirOf, fileAt, joinInRepo } from './context.ts';

export interface RustModule {
  /** The crate root file. */
  crate: string;
  /** Module path from the crate root; [] for the root. */
  path: string[];
  /** Where `mod x;` in this file (outside inline modules) looks for x.rs and x/mod.rs. */
  childDir: string;
}

export class RustModules {
  private readonly placed = new Map<string, RustModule>();
  /** `crate \0 a::b` -> the file of module a::b. */
  private readonly files = new Map<string, string>();
  private readonly rustFiles = new Map<string, string[]>();
  /** `crate \0 file`: the file is placed in that crate. */
  private readonly visited = new Set<string>();

  constructor(private readonly ctx: ResolveContext) {
    for (const path of [...ctx.facts.keys()].sort()) {
      if (ctx.facts.get(path)!.language !== 'rust') continue;
      const list = this.rustFiles.get(dirOf(path));
      if (list) list.push(path);
      else this.rustFiles.set(dirOf(path), [path]);
    }
    for (const root of cargoCrateRoots(ctx, this.rustFiles)) this.place(root, { crate: root, path: [], childDir: dirOf(root) });
    this.followFrom([...this.placed.keys()]);
    for (const files of this.rustFiles.values()) {
      for (const f of files) {
        if (this.placed.has(f)) continue;
        this.place(f, this.inferred(f));
        this.followFrom([f]);
      }
    }
  }

  moduleOf(file: string): RustModule {
    return this.placed.get(file) ?? this.inferred(file);
  }

  /** The file of module `path` of `crate`, if it is a file of its own. */
  fileOf(crate: string, path: readonly string[]): string | undefined {
    return path.length === 0 ? crate : this.files.get(key(crate, path));
  }

  /** The file a `mod x;` declared in `file` loads, if it is there. */
  declared(file: string, spec: ImportSpec): string | undefined {
    return this.declaration(file, this.moduleOf(file), spec)?.file;
  }

  private declaration(file: string, mod: RustModule, spec: ImportSpec): { file: string; module: RustModule } | undefined {
    const scope = spec.scope ?? [];
    const path = [...mod.path, ...scope, spec.specifier];
    if (spec.path !== undefined) {
      const base = scope.length === 0 ? dirOf(file) : joinDirs(mod.childDir, scope);
      const target = this.at(joinInRepo(base, spec.path));
      return target === undefined ? undefined : { file: target, module: { crate: mod.crate, path, childDir: dirOf(target) } };
    }
    const dir = joinDirs(mod.childDir, [...scope, spec.specifier]);
    const target = this.at(`${dir}.rs`) ?? this.at(`${dir}/mod.rs`);
    return target === undefined ? undefined : { file: target, module: { crate: mod.crate, path, childDir: dir } };
  }

  /**
   * Breadth first through `mod` declarations. A file shared by several crates (tests/common/mod.rs,
   * src/x.rs `#[path]`-ed into a test) is a module of each: its children are followed per crate.
   */
  private followFrom(start: string[]): void {
    const queue = start.map((file) => ({ file, module: this.placed.get(file)! }));
    for (let i = 0; i < queue.length; i++) {
      const { file, module } = queue[i]!;
      for (const spec of this.ctx.facts.get(file)?.imports ?? []) {
        if (spec.kind !== 'rust-mod') continue;
        const hit = this.declaration(file, module, spec);
        if (!hit || this.visited.has(`${hit.module.crate}\0${hit.file}`)) continue;
        this.place(hit.file, hit.module);
        queue.push(hit);
      }
    }
  }

  private place(file: string, mod: RustModule): void {
    this.visited.add(`${mod.crate}\0${file}`);
    if (!this.placed.has(file)) this.placed.set(file, mod);
    const k = key(mod.crate, mod.path);
    if (mod.path.length > 0 && !this.files.has(k)) this.files.set(k, file);
  }

  /** A file no declaration reached: a module by its path below the nearest crate root, or a root. */
  private inferred(file: string): RustModule {
    const root = this.nearestRoot(file);
    const own = { crate: file, path: [], childDir: childDirByName(file) };
    if (root === undefined || root === file) return own;
    const rootDir = dirOf(root);
    const rel = rootDir === '' ? file : file.startsWith(`${rootDir}/`) ? file.slice(rootDir.length + 1) : undefined;
    if (rel === undefined) return own;
    const path = rel.replace(/\.rs$/, '').split('/');
    if (path[path.length - 1] === 'mod') path.pop();
    return { crate: root, path, childDir: childDirByName(file) };
  }

  /** lib.rs or main.rs in the file's directory or above; a package's src/lib.rs or src/main.rs. */
  private nearestRoot(file: string): string | undefined {
    for (let dir = dirOf(file); ; dir = dirOf(dir)) {
      const prefix = dir === '' ? '' : `${dir}/`;
      const root = this.at(`${prefix}lib.rs`) ?? this.at(`${prefix}main.rs`);
      if (root) return root;
      if (this.ctx.files.has(`${prefix}Cargo.toml`)) return this.at(`${prefix}src/lib.rs`) ?? this.at(`${prefix}src/main.rs`);
      if (dir === '') return undefined;
    }
  }

  private at(path: string | undefined): string | undefined {
    return path === undefined ? undefined : fileAt(this.ctx, path);
  }
}

function key(crate: string, path: readonly string[]): string {
  return `${crate}\0${path.join('::')}`;
}

function joinDirs(dir: string, names: readonly string[]): string {
  return [dir, ...names].filter((s) => s !== '').join('/');
}

/** mod.rs, lib.rs and main.rs own their directory; `a/b.rs` keeps its children in `a/b/`. */
function childDirByName(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return base === 'mod.rs' || base === 'lib.rs' || base === 'main.rs' ? dirOf(file) : file.slice(0, -'.rs'.length);
}
