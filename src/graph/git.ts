/**
 * Asking git about a directory, read-only. Commands run without a shell, with a timeout, never
 * prompting, taking no index lock, with no fsmonitor hook (a repository's own config must not make
 * us run its programs) and with the repository's owner trusted: a corpus of checkouts owned by
 * another user is read, not refused as "dubious ownership". A missing `git`, a failing or timed-out
 * command read as null, never as an error: the caller falls back to what the disk says.
 */
import { execFile, execFileSync } from 'node:child_process';

export interface GitOptions {
  /** The git executable; `git` on PATH by default. */
  git?: string;
  /** Per git command. */
  timeoutMs?: number;
}

const SAFE = ['-c', 'core.fsmonitor=false', '-c', 'safe.directory=*'];
const ENV = { GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' };
const MAX_BUFFER = 256 * 1024 * 1024;

function execOptions(cwd: string, opts: GitOptions) {
  return { cwd, timeout: opts.timeoutMs ?? 10_000, maxBuffer: MAX_BUFFER, windowsHide: true, env: { ...process.env, ...ENV } };
}

/** stdout trimmed, or null when git is missing, fails or times out. */
export function runGit(cwd: string, args: readonly string[], opts: GitOptions = {}): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(opts.git ?? 'git', [...SAFE, ...args], execOptions(cwd, opts), (err, stdout) => resolve(err ? null : String(stdout).trim()));
  });
}

/** stdout as is (NUL-separated output stays intact), or null when git is missing or fails. */
export function runGitSync(cwd: string, args: readonly string[], opts: GitOptions = {}): string | null {
  try {
    return execFileSync(opts.git ?? 'git', [...SAFE, ...args], { ...execOptions(cwd, opts), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return null;
  }
}

/** What git's index holds under a directory: the truth of which files a repository has. */
export interface TrackedFiles {
  /** Root-relative paths of tracked files (regular files and symlinks). */
  files: Set<string>;
  /** Every directory holding a tracked file, at any depth (root-relative, no trailing slash). */
  dirs: Set<string>;
  /** Submodules (gitlinks): another repository's files, not this one's. */
  submodules: Set<string>;
}

const GITLINK = '160000';

/**
 * The files git tracks under `root`, from its index; null when `root` is not in a work tree, git
 * is missing, or nothing under `root` is tracked (a fresh `git init`, or a directory its enclosing
 * repository ignores, such as a package under node_modules): that directory is walked as a
 * directory.
 */
export function trackedFiles(root: string, opts: GitOptions = {}): TrackedFiles | null {
  if (runGitSync(root, ['rev-parse', '--is-inside-work-tree'], opts)?.trim() !== 'true') return null;
  const listing = runGitSync(root, ['ls-files', '-z', '--stage', '--', '.'], opts);
  if (!listing) return null;
  const tracked: TrackedFiles = { files: new Set(), dirs: new Set(), submodules: new Set() };
  for (const entry of listing.split('\0')) {
    // `<mode> <object> <stage>\t<path>`; a conflicted path comes once per stage.
    const tab = entry.indexOf('\t');
    if (tab < 0) continue;
    const path = entry.slice(tab + 1);
    if (entry.startsWith(GITLINK)) tracked.submodules.add(path);
    else tracked.files.add(path);
    addParents(tracked.dirs, path);
  }
  return tracked.files.size + tracked.submodules.size > 0 ? tracked : null;
}

/** Adds every parent directory of `path`; one already there has its own parents there too. */
function addParents(dirs: Set<string>, path: string): void {
  for (let slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
    const dir = path.slice(0, slash);
    if (dirs.has(dir)) return;
    dirs.add(dir);
  }
}
