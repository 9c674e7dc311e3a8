/** Real git repositories for tests: commands with an identity (the machine's git config may have none). */
import { execFileSync } from 'node:child_process';

const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' };

/** Runs git in `cwd`; its stdout, trimmed. Throws when git fails. */
export const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env: gitEnv, encoding: 'utf8' }).trim();

/**
 * `git init` + one commit of every file in `root`, those a .gitignore matches included (as when a
 * rule was written after the files were added, or they were added with -f); returns HEAD.
 */
export function commitAll(root: string, message = 'first'): string {
  git(root, 'init', '-q');
  git(root, 'add', '-A', '-f');
  git(root, 'commit', '-q', '-m', message);
  return git(root, 'rev-parse', 'HEAD');
}
