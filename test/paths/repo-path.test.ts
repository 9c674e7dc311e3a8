/**
 * A path from a message or a dataset names a file inside its repository, or it is refused before
 * anything is read: absolute paths, `..` and symlinks out of the root, at every entry point — the
 * checker itself, a workspace's reads, a coder's work message, a replay, verify and stats.
 */
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/bus/mod.ts';
import { openResultQueue, openRoleQueue } from '../../src/agents/host.ts';
import { MSG, workSubject, type Work, type WorkResult } from '../../src/agents/protocol.ts';
import type { Step } from '../../src/agents/types.ts';
import { Workspace } from '../../src/agents/workspace.ts';
import { DatasetFormatError, verifyDataset } from '../../src/dataset/verify.ts';
import { checkRepoPath, RepoPathError, resolveInRepo } from '../../src/paths/repo-path.ts';
import { startTeam } from '../../src/run/embedded.ts';
import { ReplayError, Replayer, verifyFiles } from '../../src/run/replay.ts';
import { computeStats, DatasetInputError } from '../../src/stats/mod.ts';
import { dataset, write } from '../stats/helpers.ts';
import { tempDir } from '../support/tmp.ts';

const SECRET = 'the secret outside the repository\n';
const fixture = join(import.meta.dirname, '../agents/fixtures/mini');
let root: string;

/** A copy of the mini fixture with a secret beside it and a symlink inside it leading to the secret. */
beforeAll(() => {
  const dir = tempDir('retrace-paths-');
  root = join(dir, 'repo');
  cpSync(fixture, root, { recursive: true });
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  symlinkSync(join(dir, 'secret.txt'), join(root, 'leak.txt'));
  mkdirSync(join(dir, 'outside'));
  symlinkSync(join(dir, 'outside'), join(root, 'door'));
  writeFileSync(join(dir, 'outside', 'secret.txt'), SECRET);
});

const escapes = ['../secret.txt', '../../../etc/passwd', '/etc/passwd', 'src/../../secret.txt', 'C:\\Windows\\win.ini', '..\\secret.txt', ''];

describe('checkRepoPath and resolveInRepo', () => {
  it('accept relative paths inside the root', () => {
    expect(checkRepoPath('src/math.ts')).toBe('src/math.ts');
    expect(checkRepoPath('..hidden/x')).toBe('..hidden/x');
    expect(resolveInRepo(root, 'src/math.ts')).toBe(join(root, 'src/math.ts'));
    expect(resolveInRepo(root, 'src/not-there.ts')).toBe(join(root, 'src/not-there.ts'));
  });

  it('refuse absolute paths, ".." segments, NUL and the empty path', () => {
    for (const p of [...escapes, 'a\0b']) expect(() => checkRepoPath(p), p).toThrow(RepoPathError);
    expect(() => checkRepoPath('../../../etc/passwd')).toThrow(/"..\/..\/..\/etc\/passwd" is not a path inside the repository: it climbs out/);
    expect(() => checkRepoPath('/etc/passwd')).toThrow(/it is absolute/);
  });

  it('refuse a symlink, or a directory symlink, that leads out of the root', () => {
    expect(() => resolveInRepo(root, 'leak.txt')).toThrow(/a symlink leads out of the repository/);
    expect(() => resolveInRepo(root, 'door/secret.txt')).toThrow(RepoPathError);
  });
});

describe('a workspace', () => {
  it('refuses to read a path out of the repository, and reads the ones inside', async () => {
    const ws = await Workspace.open({ name: 'mini', root }, { cacheDir: join(root, '..', 'cache') });
    expect(ws.read('src/math.ts')).toContain('export');
    for (const p of [...escapes, 'leak.txt', 'door/secret.txt']) expect(() => ws.read(p), p).toThrow(RepoPathError);
    expect(() => ws.facts('../secret.txt')).toThrow(RepoPathError);
  });
});

describe("a coder's work message", () => {
  it('naming a path out of the repository ends in an error result with no steps', async () => {
    const bus = new MemoryBus();
    const team = await startTeam({ bus, roles: ['coder'], queue: { ackWaitMs: 5000, maxDeliver: 1 } });
    const results = await openResultQueue(bus, 'r1', { ackWaitMs: 5000, maxDeliver: 1 });
    const got: WorkResult[] = [];
    const consumer = results.consume<WorkResult>(async (job) => void got.push(job.body));
    const work = (path: string, job: string): Work => ({
      run: 'r1', job, seed: 1, budget: 0, role: 'coder', path, faultRate: 0,
      repo: { name: 'mini', root },
      design: { path, responsibility: 'r', publicInterface: [], dependencies: [] },
    });
    const queue = await openRoleQueue(bus, 'coder', { ackWaitMs: 5000, maxDeliver: 1 });
    const paths = ['../../../etc/passwd', '../secret.txt', 'leak.txt'];
    for (const [i, p] of paths.entries()) await queue.enqueue(workSubject('r1', 'coder'), { type: MSG.work, body: work(p, `j${i}`), run: 'r1' });
    await expect.poll(() => got.length, { timeout: 20_000 }).toBe(paths.length);
    for (const r of got) {
      expect(r.error).toMatch(/is not a path inside the repository/);
      expect(r.steps).toEqual([]);
    }
    await consumer.stop();
    await team.stop();
    await bus.close();
  });
});

const passwd = write('../../../etc/passwd', 'root:x:0:0\n');

describe('a replay', () => {
  it('refuses a write or an edit whose path leaves the repository', () => {
    const r = new Replayer();
    r.apply(write('src/a.ts', 'a\n'));
    expect(() => r.apply(passwd)).toThrow(ReplayError);
    expect(() => r.apply({ ...write('/etc/hosts', ''), tool: 'edit', edit: { old: 'a', new: 'b' } })).toThrow(/step 2: "\/etc\/hosts" is not a path inside the repository/);
    expect([...r.files.keys()]).toEqual(['src/a.ts']);
  });

  it('compares nothing outside the root it verifies against', () => {
    expect(() => verifyFiles(new Map([['../secret.txt', SECRET]]), root, ['../secret.txt'])).toThrow(RepoPathError);
    expect(() => verifyFiles(new Map([['leak.txt', SECRET]]), root, ['leak.txt'])).toThrow(RepoPathError);
  });
});

describe('verify and stats of a dataset', () => {
  let file: string;
  beforeAll(async () => {
    const steps: Step[] = [write('src/math.ts', 'x\n'), passwd];
    file = await dataset(steps);
  });

  it('verify refuses the dataset, naming the record and the path', async () => {
    await expect(verifyDataset(file, root)).rejects.toThrow(DatasetFormatError);
    await expect(verifyDataset(file, root)).rejects.toThrow(/"..\/..\/..\/etc\/passwd" is not a path inside the repository/);
  });

  it('stats refuses the dataset as bad input', async () => {
    await expect(computeStats([file])).rejects.toThrow(DatasetInputError);
    await expect(computeStats([file])).rejects.toThrow(/is not a path inside the repository/);
  });
});
