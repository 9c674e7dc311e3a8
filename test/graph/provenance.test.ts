/**
 * A repository's git provenance: HEAD's commit, the origin without credentials, whether tracked
 * files changed. Real git repositories made in a temp dir; outside a checkout, or without git,
 * every field is null and nothing throws.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitProvenance, withoutCredentials } from '../../src/graph/provenance.ts';
import { git } from '../support/git.ts';

const tmp = mkdtempSync(join(tmpdir(), 'retrace-provenance-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));


let repos = 0;
function repo(opts: { origin?: string; commit?: boolean } = {}): string {
  const root = join(tmp, `repo-${repos++}`);
  mkdirSync(join(root, 'src'), { recursive: true });
  git(root, 'init', '-q');
  writeFileSync(join(root, 'src/main.ts'), 'export const x = 1;\n');
  writeFileSync(join(root, 'README.md'), '# r\n');
  if (opts.commit !== false) {
    git(root, 'add', '.');
    git(root, 'commit', '-q', '-m', 'first');
  }
  if (opts.origin) git(root, 'remote', 'add', 'origin', opts.origin);
  return root;
}

describe('gitProvenance', () => {
  it("reads HEAD's commit and the origin of a clean checkout", async () => {
    const root = repo({ origin: 'https://example.com/team/project.git' });
    const head = git(root, 'rev-parse', 'HEAD');
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    expect(await gitProvenance(root)).toEqual({ commit: head, origin: 'https://example.com/team/project.git', dirty: false });
  });

  it('removes credentials from the origin', async () => {
    const root = repo({ origin: 'https://someone:ghp_s3cretT0ken@github.com/team/project.git' });
    const found = await gitProvenance(root);
    expect(found.origin).toBe('https://github.com/team/project.git');
    expect(JSON.stringify(found)).not.toContain('ghp_s3cretT0ken');
  });

  it('a changed tracked file is dirty, staged or not; an untracked file is not', async () => {
    const root = repo();
    writeFileSync(join(root, 'notes.txt'), 'untracked\n');
    expect((await gitProvenance(root)).dirty).toBe(false);
    writeFileSync(join(root, 'src/main.ts'), 'export const x = 2;\n');
    expect((await gitProvenance(root)).dirty).toBe(true);
    git(root, 'add', 'src/main.ts');
    expect((await gitProvenance(root)).dirty).toBe(true);
    git(root, 'commit', '-q', '-m', 'second');
    expect(await gitProvenance(root)).toMatchObject({ commit: git(root, 'rev-parse', 'HEAD'), dirty: false });
  });

  it('a subdirectory of a checkout has its commit; its dirtiness is its own files’', async () => {
    const root = repo();
    writeFileSync(join(root, 'README.md'), '# changed outside src\n');
    expect(await gitProvenance(join(root, 'src'))).toEqual({ commit: git(root, 'rev-parse', 'HEAD'), origin: null, dirty: false });
    expect((await gitProvenance(root)).dirty).toBe(true);
  });

  it('a directory the checkout ignores or never added is not its commit', async () => {
    const root = repo();
    writeFileSync(join(root, '.gitignore'), 'vendor/\n');
    mkdirSync(join(root, 'vendor', 'pkg'), { recursive: true });
    writeFileSync(join(root, 'vendor', 'pkg', 'index.js'), 'module.exports = 1;\n');
    mkdirSync(join(root, 'loose'));
    writeFileSync(join(root, 'loose', 'a.js'), 'a\n');
    const none = { commit: null, origin: null, dirty: null };
    expect(await gitProvenance(join(root, 'vendor', 'pkg'))).toEqual(none);
    expect(await gitProvenance(join(root, 'loose'))).toEqual(none);
  });

  it('a checkout with no commit yet has no commit', async () => {
    const root = repo({ commit: false, origin: 'git@github.com:team/project.git' });
    expect(await gitProvenance(root)).toEqual({ commit: null, origin: 'git@github.com:team/project.git', dirty: false });
  });

  it("reads this repository's own checkout", async () => {
    const root = join(import.meta.dirname, '../..');
    const found = await gitProvenance(root);
    expect(found.commit).toBe(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim());
    expect(typeof found.dirty).toBe('boolean'); // others edit this tree while tests run: either is right
  });

  it('outside a checkout, or without git, every field is null', async () => {
    const plain = join(tmp, 'plain');
    mkdirSync(plain);
    writeFileSync(join(plain, 'a.txt'), 'a\n');
    const none = { commit: null, origin: null, dirty: null };
    expect(await gitProvenance(plain)).toEqual(none);
    expect(await gitProvenance(join(tmp, 'does-not-exist'))).toEqual(none);
    expect(await gitProvenance(repo(), { git: join(tmp, 'no-such-git') })).toEqual(none);
  });
});

describe('withoutCredentials', () => {
  it('drops user info that can hold a secret and keeps what cannot', () => {
    const cases: Array<[string, string]> = [
      ['https://user:token@github.com/o/r.git', 'https://github.com/o/r.git'],
      ['https://ghp_token@github.com/o/r.git', 'https://github.com/o/r.git'],
      ['http://u:p@host:8080/r', 'http://host:8080/r'],
      ['ssh://git:pw@host/o/r.git', 'ssh://host/o/r.git'],
      ['ssh://git@host/o/r.git', 'ssh://git@host/o/r.git'],
      ['git@github.com:o/r.git', 'git@github.com:o/r.git'],
      ['https://github.com/o/r.git', 'https://github.com/o/r.git'],
      ['https://github.com/o/r@v1', 'https://github.com/o/r@v1'],
      ['/srv/git/r.git', '/srv/git/r.git'],
    ];
    for (const [url, safe] of cases) expect(withoutCredentials(url), url).toBe(safe);
  });
});
