/**
 * End-to-end runs over real packages nobody here wrote (from node_modules: ESM and CJS, JS and
 * TS declarations, docs and manifests): every dataset verifies byte for byte.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runJob } from '../../src/run/run-job.ts';

const tmp = mkdtempSync(join(tmpdir(), 'retrace-real-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const root = join(import.meta.dirname, '../..');

describe('real packages', () => {
  it.each(['commander', 'ignore', 'p-limit', 'pathe'])('%s rebuilds byte for byte', async (pkg) => {
    const s = await runJob({ repoPath: join(root, 'node_modules', pkg), out: join(tmp, `${pkg}.jsonl`), seed: 1, budget: 4, faultRate: 0.2, contextTokens: 8192, resume: false });
    expect(s.failures).toEqual([]);
    expect(s.verify?.[0]).toMatchObject({ ok: true, different: [], missing: [], extra: [] });
    expect(s.files).toBeGreaterThan(2);
    expect(s.searches).toBeGreaterThan(0);
    // pathe ships ESM and CJS builds with their declarations, as lru-cache does in 30 times the bytes.
  }, 300_000);
});
