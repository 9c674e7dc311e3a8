/**
 * Replaying a trajectory's writes and edits, and comparing the result with the repository: the
 * check that a reconstruction rebuilt the repository byte for byte.
 */
import { readFileSync } from 'node:fs';
import type { Step } from '../agents/types.ts';
import { checkRepoPath, RepoPathError, resolveInRepo } from '../paths/repo-path.ts';

export class ReplayError extends Error {
  override name = 'ReplayError';
}

/** Refuses (as a ReplayError) a step's path that leaves the repository. */
function assertStepPath(i: number, path: string): void {
  try {
    checkRepoPath(path);
  } catch (err) {
    if (err instanceof RepoPathError) throw new ReplayError(`step ${i}: ${err.message}`, { cause: err });
    throw err;
  }
}

/**
 * Applies writes and edits one step at a time, so a dataset can be replayed as it is read. Every
 * path a write or an edit names stays inside the repository (src/paths/repo-path.ts).
 */
export class Replayer {
  readonly files = new Map<string, string>();
  private index = 0;

  apply(s: Step): void {
    const i = this.index++;
    if (s.kind !== 'action' || !s.path) return;
    if (s.tool === 'write' || s.tool === 'edit') assertStepPath(i, s.path);
    if (s.tool === 'write') {
      const mode = s.write?.mode ?? 'create';
      if (mode === 'append' && !this.files.has(s.path)) throw new ReplayError(`step ${i}: append to ${s.path}, which was never created`);
      this.files.set(s.path, mode === 'append' ? this.files.get(s.path)! + s.text : s.text);
    } else if (s.tool === 'edit') {
      if (!s.edit) throw new ReplayError(`step ${i}: edit of ${s.path} without its old and new text`);
      const text = this.files.get(s.path);
      if (text === undefined) throw new ReplayError(`step ${i}: edit of ${s.path}, which was never written`);
      const at = text.indexOf(s.edit.old);
      if (at < 0 || text.indexOf(s.edit.old, at + 1) >= 0) {
        throw new ReplayError(`step ${i}: the text an edit of ${s.path} replaces occurs ${at < 0 ? 'nowhere' : 'more than once'}`);
      }
      this.files.set(s.path, text.slice(0, at) + s.edit.new + text.slice(at + s.edit.old.length));
    }
  }
}

export function replay(steps: readonly Step[]): Map<string, string> {
  const r = new Replayer();
  for (const s of steps) r.apply(s);
  return r.files;
}

export interface VerifyReport {
  ok: boolean;
  identical: number;
  missing: string[];
  different: string[];
  /** Written but not part of the expected files. */
  extra: string[];
}

/**
 * Compares replayed files with `expected` paths of the repository, byte for byte. `repo`: the
 * repository's root on disk (an expected path leaving it is a RepoPathError), or a reader of its
 * files' bytes (a graph service's texts).
 */
export function verifyFiles(files: ReadonlyMap<string, string>, repo: string | ((path: string) => Buffer), expected: readonly string[]): VerifyReport {
  const bytes = typeof repo === 'string' ? (path: string) => readFileSync(resolveInRepo(repo, path)) : repo;
  const report: VerifyReport = { ok: true, identical: 0, missing: [], different: [], extra: [] };
  const want = new Set(expected);
  for (const path of expected) {
    const got = files.get(path);
    if (got === undefined) report.missing.push(path);
    else if (!Buffer.from(got, 'utf8').equals(bytes(path))) report.different.push(path);
    else report.identical++;
  }
  for (const path of files.keys()) if (!want.has(path)) report.extra.push(path);
  report.ok = report.missing.length === 0 && report.different.length === 0 && report.extra.length === 0;
  return report;
}
