/**
 * Walks a repository: every regular file under the root that .gitignore does not exclude, sorted
 * by path. Files the graph cannot use are recorded with a reason instead of silently dropped.
 *
 * Invariants: symlinks are never followed (so no walk leaves the root and no loop is possible;
 * a symlink inside the root is recorded, and its target is walked where it really lies); the walk
 * is iterative (deep trees cannot overflow the stack); `.git` is never walked.
 */
import { lstatSync, readdirSync, realpathSync, type Dirent } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
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
}

export const defaultMaxFileBytes = 1024 * 1024;

export function walkRepo(rootPath: string, opts: WalkOptions = {}): WalkResult {
  const root = realpathSync(rootPath);
  const maxBytes = opts.maxFileBytes ?? defaultMaxFileBytes;
  const ignores = opts.gitignore === false ? null : new GitignoreStack(root);
  const files: WalkedFile[] = [];
  const skipped: SkippedFile[] = [];
  let ignoredCount = 0;

  const stack: string[] = [''];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir === '' ? root : join(root, dir), { withFileTypes: true });
    } catch (err) {
      skipped.push({ path: dir === '' ? '.' : `${dir}/`, reason: 'unreadable', detail: errorCode(err) });
      continue;
    }
    ignores?.enter(dir);
    const subdirs: string[] = [];
    for (const entry of entries) {
      const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name === '.git') continue;
        if (ignores?.ignores(path, true)) {
          ignoredCount++;
          continue;
        }
        if (!opts.includeVendored && isVendoredDir(entry.name)) {
          skipped.push({ path: `${path}/`, reason: 'vendored', detail: 'directory' });
          continue;
        }
        subdirs.push(path);
        continue;
      }
      if (ignores?.ignores(path, false)) {
        ignoredCount++;
        continue;
      }
      if (entry.isSymbolicLink()) {
        skipped.push(classifySymlink(root, path));
        continue;
      }
      if (!entry.isFile()) {
        skipped.push({ path, reason: 'special' });
        continue;
      }
      let size: number;
      try {
        size = lstatSync(join(root, path)).size;
      } catch (err) {
        skipped.push({ path, reason: 'unreadable', detail: errorCode(err) });
        continue;
      }
      if (isGeneratedPath(path)) skipped.push({ path, reason: 'generated', detail: 'by name' });
      else if (size > maxBytes) skipped.push({ path, reason: 'too-large', detail: `${size} bytes > ${maxBytes}` });
      else files.push({ path, size, language: languageOf(path) });
    }
    // Reverse-sorted onto the stack so directories pop in order; the final sort makes order exact.
    subdirs.sort().reverse();
    stack.push(...subdirs);
  }
  files.sort((a, b) => compareText(a.path, b.path));
  skipped.sort((a, b) => compareText(a.path, b.path));
  return { root, files, skipped, ignoredCount };
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
