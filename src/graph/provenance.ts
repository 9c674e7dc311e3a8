/**
 * Where a repository came from, as git knows it: HEAD's commit, the origin's URL without
 * credentials, and whether the tracked files under `root` differ from HEAD.
 *
 * git is asked read-only (./git.ts); a missing `git`, a directory outside any
 * work tree or one its work tree does not track (an ignored `node_modules/x`), or a failing command
 * reads as null, never as an error. A repository with no commit
 * yet has no HEAD: `commit` is null while `dirty` is still answered.
 */
import { runGit, type GitOptions } from './git.ts';

export interface GitProvenance {
  commit: string | null;
  origin: string | null;
  /** Tracked files under `root` differ from HEAD (staged or not); untracked files do not count. */
  dirty: boolean | null;
}

export type GitProvenanceOptions = GitOptions;

const NONE: GitProvenance = { commit: null, origin: null, dirty: null };

export async function gitProvenance(root: string, opts: GitProvenanceOptions = {}): Promise<GitProvenance> {
  const git = (...args: string[]) => runGit(root, args, opts);
  if ((await git('rev-parse', '--is-inside-work-tree')) !== 'true') return NONE;
  // A directory the enclosing repository does not track (ignored, or never added: a package under
  // node_modules, a vendored copy) is not that repository's commit.
  const [prefix, tracked] = await Promise.all([git('rev-parse', '--show-prefix'), git('ls-files', '--', '.')]);
  if (prefix !== '' && !tracked) return NONE;
  const [commit, origin, status] = await Promise.all([
    git('rev-parse', '--verify', '--quiet', 'HEAD^{commit}'),
    git('config', '--get', 'remote.origin.url'),
    git('status', '--porcelain', '--untracked-files=no', '--', '.'),
  ]);
  return {
    commit: commit && /^[0-9a-f]{40,64}$/.test(commit) ? commit : null,
    origin: origin ? withoutCredentials(origin) : null,
    dirty: status === null ? null : status !== '',
  };
}

/**
 * A remote URL safe to publish. `scheme://user:secret@host/...` loses its user info; over http(s)
 * a bare user goes too (it is how a token is usually passed: `https://<token>@github.com/...`).
 * An ssh user without a password (`ssh://git@host/x`, `git@host:x`) is not a secret and stays.
 */
export function withoutCredentials(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^@/?#]*)@(.*)$/i.exec(url);
  if (!m) return url;
  const [, scheme, userInfo, rest] = m as unknown as [string, string, string, string];
  const web = /^(https?|ftps?):\/\/$/i.test(scheme);
  return web || userInfo.includes(':') ? `${scheme}${rest}` : url;
}
