/**
 * `retrace run --scorer openai:<url>#<model>`: the search scores with an OpenAI-compatible server
 * (a fake vLLM speaking the real wire format, through the real `openai` client); the dataset
 * still replays to the repository.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScorerOption } from '../../src/cli/run-options.ts';
import { runJob } from '../../src/run/run-job.ts';
import { FakeVllm } from '../score/support/fake-vllm.ts';

const tmp = mkdtempSync(join(tmpdir(), 'retrace-openai-run-'));
let server: FakeVllm;

beforeAll(async () => {
  server = await FakeVllm.start({ model: 'fake-coder' });
});
afterAll(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('a run scored by an OpenAI-compatible server', () => {
  it('searches with the served model and rebuilds the fixture exactly', async () => {
    const scorer = parseScorerOption(`openai:${server.baseURL}#fake-coder`);
    expect(scorer).toEqual({ kind: 'openai', baseURL: server.baseURL, model: 'fake-coder' });
    const s = await runJob({
      repoPath: join(import.meta.dirname, '../agents/fixtures/mini'),
      out: join(tmp, 'out.jsonl'),
      seed: 3,
      budget: 4,
      faultRate: 0,
      resume: false,
      scorer: { kind: 'openai', baseURL: server.baseURL, model: 'fake-coder', apiKey: 'test-key' },
    });
    expect(s.verify?.[0]?.ok).toBe(true);
    expect(s.failures).toEqual([]);
    expect(s.searches).toBeGreaterThan(0);
    expect(s.scorerCalls).toBeGreaterThan(0);
    const completions = server.requests.filter((r) => r.path === 'completions').length;
    expect(completions).toBeGreaterThan(0);
    // Every scoring request the server received is in the summary's accounting.
    expect(s.models.scorer).toMatchObject({ model: 'fake-coder', requests: completions, errors: 0 });
    expect(s.models.roles).toEqual({});
  }, 60_000);

  it('reports work the scorer refuses (wrong key) as failures, with the reason', async () => {
    const s = await runJob({
      repoPath: join(import.meta.dirname, '../agents/fixtures/mini'),
      out: join(tmp, 'denied.jsonl'),
      seed: 3,
      budget: 4,
      faultRate: 0,
      resume: false,
      scorer: { kind: 'openai', baseURL: server.baseURL, model: 'fake-coder', apiKey: 'wrong' },
    });
    expect(s.failures.length).toBeGreaterThan(0);
    expect(s.failures[0]!.error).toMatch(/refused the API key \(401\)/);
    expect(JSON.stringify(s)).not.toContain('wrong');
    expect(s.verify?.[0]?.ok).toBe(false);
  }, 60_000);

  it('refuses a malformed scorer option', () => {
    expect(() => parseScorerOption('openai:nope')).toThrow(/openai:<base URL>#<model>/);
  });
});
