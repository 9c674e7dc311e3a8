/**
 * A dataset verifies against a repository on disk or against a repository's files as served (a
 * graph service's texts): the same report either way, and a served file that differs, is missing
 * or is extra is reported as such.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyDataset } from '../../src/dataset/verify.ts';
import { indexRepo } from '../../src/graph/mod.ts';
import { runJob } from '../../src/run/run-job.ts';

const root = join(import.meta.dirname, '../agents/fixtures/mini');
const tmp = mkdtempSync(join(tmpdir(), 'retrace-verify-src-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('verifyDataset against served files', () => {
  it('agrees with the disk, and reports a served file that differs, is missing, or is extra', async () => {
    const out = join(tmp, 'mini.jsonl');
    await runJob({ repoPath: root, out, seed: 2, budget: 0, faultRate: 0, resume: false, verify: false });
    const files = (await indexRepo(root)).data.files.map((f) => f.path);
    const read = (p: string) => readFileSync(join(root, p));
    const [onDisk] = await verifyDataset(out, root);
    const [served] = await verifyDataset(out, { files, read });
    expect(served).toEqual(onDisk);
    expect(served).toMatchObject({ ok: true, identical: files.length });

    const changed = files[files.length - 1]!;
    const [different] = await verifyDataset(out, { files, read: (p) => (p === changed ? Buffer.from('something else\n') : read(p)) });
    expect(different).toMatchObject({ ok: false, different: [changed] });
    const [fewer] = await verifyDataset(out, { files: files.slice(1), read });
    expect(fewer).toMatchObject({ ok: false, extra: [files[0]] });
    const [more] = await verifyDataset(out, { files: [...files, 'src/new.ts'], read });
    expect(more).toMatchObject({ ok: false, missing: ['src/new.ts'] });
  });
});
