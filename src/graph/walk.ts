/**
 * Walks a repository: in a git work tree, the files git's index tracks; elsewhere every regular
 * file under the root that .gitignore does not exclude; sorted by path. Files the graph cannot use
 * are recorded with a reason instead of silently dropped, and so are the untracked, ignored and
 * deleted paths of a work tree.
 *
 * Invariants: symlinks are never followed (so no walk leaves the root and no loop is possible;
 * a symlink inside the root is recorded, and its target is walked where it really lies); the walk
 * is iterative (deep trees cannot overflow the stack); `.git` is never walked.
 */
import { lstatSync, readdirSync, realpathSync, type Dirent } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { trackedFiles, type TrackedFiles } from './git.ts';
import { GitignoreStack } from './gitignore.ts';
import { languageOf } from './languages.ts';
import { isGeneratedPath, isVendoredDir } from './path-rules.ts';
import type { SkippedFile, WalkedFile, WalkResult } from './types.ts';

export interface WalkOptions {
  /** Files larger than this are skipped as `too-large`; 1 MiB by default. */
  maxFileBytes?: number;
  /** Walk node_modules, vendor, third_party, ...; false by default. */
  includeVendored?: boolean;
  /** Honour .gitignore files; true by default. */
  gitignore?: boolean;
  /**
   * In a git work tree, the repository is the files git's index tracks (a tracked file a
   * .gitignore line matches stays; untracked files are excluded with their reason); true by
   * default. False: the directory, less what .gitignore excludes.
   */
  gitIndex?: boolean;
}

export const defaultMaxFileBytes = 1024 * 1024;

export function walkRepo(rootPath: string, opts: WalkOptions = {}): WalkResult {
  const root = realpathSync(rootPath);
  const tracked = opts.gitIndex === false ? null : trackedFiles(root);
  return new Walk(root, opts, tracked).run();
}

/** One walk's state: the directories still to visit and what was found. */
class Walk {
  private readonly maxBytes: number;
  private readonly ignores: GitignoreStack | null;
  private readonly files: WalkedFile[] = [];
  private readonly skipped: SkippedFile[] = [];
  private readonly excluded: SkippedFile[] = [];
  private readonly seen = new Set<string>();
  private ignoredCount = 0;

  constructor(
    private readonly root: string,
    private readonly opts: WalkOptions,
    private readonly tracked: TrackedFiles | null,
  ) {
    this.maxBytes = opts.maxFileBytes ?? defaultMaxFileBytes;
    // With git's index, .gitignore only tells ignored from untracked; it still must be read.
    this.ignores = opts.gitignore === false && !tracked ? null : new GitignoreStack(root);
  }

  run(): WalkResult {
    const stack: string[] = [''];
    while (stack.length > 0) {
      const subdirs = this.visitDir(stack.pop()!);
      // Reverse-sorted onto the stack so directories pop in order; the final sort makes order exact.
      stack.push(...subdirs.sort().reverse());
    }
    if (this.tracked) this.excludeMissing();
    const byPath = (a: { path: string }, b: { path: string }) => compareText(a.path, b.path);
    return {
      root: this.root,
      files: this.files.sort(byPath),
      skipped: this.skipped.sort(byPath),
      excluded: this.excluded.sort(byPath),
      ignoredCount: this.ignoredCount,
      gitIndex: this.tracked !== null,
    };
  }

  /** Records the files of `dir`; returns the subdirectories to walk. */
  private visitDir(dir: string): string[] {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir === '' ? this.root : join(this.root, dir), { withFileTypes: true });
    } catch (err) {
      this.skipped.push({ path: dir === '' ? '.' : `${dir}/`, reason: 'unreadable', detail: errorCode(err) });
      return [];
    }
    this.ignores?.enter(dir);
    const subdirs: string[] = [];
    for (const entry of entries) {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (!entry.isDirectory()) this.visitFile(entry, path);
      else if (entry.name !== '.git' && this.walksInto(entry.name, path)) subdirs.push(path);
    }
    return subdirs;
  }

  private walksInto(name: string, path: string): boolean {
    const tracked = this.tracked;
    if (tracked?.submodules.has(path)) {
      this.excluded.push({ path: `${path}/`, reason: 'submodule' });
      return false;
    }
    // A directory holding tracked files is walked whatever .gitignore says of it.
    if (!tracked?.dirs.has(path) && this.ignores?.ignores(path, true)) {
      this.ignore(`${path}/`);
      return false;
    }
    if (!this.opts.includeVendored && isVendoredDir(name)) {
      this.skipped.push({ path: `${path}/`, reason: 'vendored', detail: 'directory' });
      return false;
    }
    return true;
  }

  private visitFile(entry: Dirent, path: string): void {
    if (this.tracked) {
      if (!this.tracked.files.has(path)) {
        if (this.ignores?.ignores(path, false)) this.ignore(path);
        else this.excluded.push({ path, reason: 'untracked' });
        return;
      }
      this.seen.add(path);
    } else if (this.ignores?.ignores(path, false)) {
      this.ignoredCount++;
      return;
    }
    if (entry.isSymbolicLink()) this.skipped.push(classifySymlink(this.root, path));
    else if (!entry.isFile()) this.skipped.push({ path, reason: 'special' });
    else this.keepRegularFile(path);
  }

  private keepRegularFile(path: string): void {
    let size: number;
    try {
      size = lstatSync(join(this.root, path)).size;
    } catch (err) {
      this.skipped.push({ path, reason: 'unreadable', detail: errorCode(err) });
      return;
    }
    if (isGeneratedPath(path)) this.skipped.push({ path, reason: 'generated', detail: 'by name' });
    else if (size > this.maxBytes) this.skipped.push({ path, reason: 'too-large', detail: `${size} bytes > ${this.maxBytes}` });
    else this.files.push({ path, size, language: languageOf(path) });
  }

  private ignore(path: string): void {
    this.ignoredCount++;
    if (this.tracked) this.excluded.push({ path, reason: 'ignored' });
  }

  /** Tracked files the walk never met: deleted from the work tree, unless under a skipped directory. */
  private excludeMissing(): void {
    const skippedDirs = this.skipped.filter((s) => s.path.endsWith('/')).map((s) => s.path);
    for (const path of this.tracked!.files) {
      if (this.seen.has(path) || skippedDirs.some((d) => path.startsWith(d))) continue;
      this.excluded.push({ path, reason: 'missing', detail: 'tracked, not in the work tree' });
    }
  }
}

function classifySymlink(root: string, path: string): SkippedFile {
  let target: string;
  try {
    target = realpathSync(join(root, path));
  } catch (err) {
    return { path, reason: 'symlink-broken', detail: errorCode(err) };
  }
  const rel = relative(root, target);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    return { path, reason: 'symlink-outside', detail: target };
  }
  return { path, reason: 'symlink', detail: rel === '' ? '.' : rel.split(sep).join('/') };
}

function errorCode(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? String(err);
}

/** Byte-order comparison, independent of locale, so orders are the same on every machine. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
