/**
 * Paths that come from outside the process (a work message, a dataset record, a request) name
 * files of a repository. Each is checked here, in one place, before it is used:
 *
 * - `checkRepoPath`: the path is relative and stays inside its repository: not empty, no NUL, not
 *   absolute (POSIX or Windows form), and no `..` segment (so `a/../b` is refused too: a path in
 *   a run is written plainly, and one spelling per file keeps replays comparable).
 * - `resolveInRepo`: the same, and the file on disk is inside the root once symlinks are followed.
 */
import { realpathSync } from 'node:fs';
import { join, posix, relative, sep, win32 } from 'node:path';

/** A path that does not stay inside its repository. */
export class RepoPathError extends Error {
  override name = 'RepoPathError';
  constructor(
    readonly path: string,
    reason: string,
    options?: ErrorOptions,
  ) {
    super(`${JSON.stringify(path)} is not a path inside the repository: ${reason}`, options);
  }
}

/** Why `path` cannot name a file inside a repository, or null when it can. */
function lexicalFault(path: string): string | null {
  if (path.length === 0) return 'it is empty';
  if (path.includes('\0')) return 'it holds a NUL character';
  if (posix.isAbsolute(path) || win32.isAbsolute(path)) return 'it is absolute';
  if (path.split(/[/\\]/).includes('..')) return 'it climbs out with ".."';
  return null;
}

/** Returns `path` when it is relative and has no `..` segment; throws RepoPathError otherwise. */
export function checkRepoPath(path: string): string {
  const fault = lexicalFault(path);
  if (fault !== null) throw new RepoPathError(path, fault);
  return path;
}

/** Whether `inner` is `outer` or lies under it (both absolute and resolved). */
function isWithin(outer: string, inner: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !posix.isAbsolute(rel) && !win32.isAbsolute(rel));
}

/** The real path of `file`, or null when it does not exist (reading it then fails on its own). */
function realPathOrNull(file: string): string | null {
  try {
    return realpathSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return null;
    throw err;
  }
}

/**
 * The absolute path of the file `path` names under `root`; throws RepoPathError when `path` fails
 * checkRepoPath or when the file, followed through its symlinks, lies outside the root.
 */
export function resolveInRepo(root: string, path: string): string {
  checkRepoPath(path);
  const file = join(root, path);
  const real = realPathOrNull(file);
  if (real !== null && !isWithin(realpathSync(root), real)) throw new RepoPathError(path, 'a symlink leads out of the repository');
  return file;
}
