/**
 * `retrace run --scorer sglang:<url>#<model>`: the spec and `--max-context-tokens` as the command
 * line and a config file give them, and a run whose search scores on the fake SGLang server: the
 * dataset still replays, every `/generate` is in the accounting, and the shared context is found
 * in the server's radix cache.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScorerOption, runSettingsFrom, type RunSettingsCli } from '../../src/cli/run-options.ts';
import { readRunConfig } from '../../src/config/run-config.ts';
import { InputError, runJob } from '../../src/run/run-job.ts';
import { FakeSglang } from './support/fake-sglang.ts';

const tmp = mkdtempSync(join(tmpdir(), 'retrace-sglang-run-'));
let server: FakeSglang;
beforeAll(async () => {
  server = await FakeSglang.start({ model: 'coder-1b' });
});
afterAll(async () => {
  await server?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const cli = (o: Partial<RunSettingsCli>): RunSettingsCli => ({
  seed: '1', budget: '4', faultRate: '0', contextTokens: '65536', tokenizer: 'llama-3', train: [], mask: [], policy: [], scorer: 'embedded', verify: true, ...o,
});

describe('the sglang scorer spec', () => {
  it('reads sglang:<url>#<model> and a context cap on it', () => {
    expect(parseScorerOption('sglang:http://gpu1:30000#Qwen/Qwen2.5-Coder-7B')).toEqual({ kind: 'sglang', baseURL: 'http://gpu1:30000', model: 'Qwen/Qwen2.5-Coder-7B' });
    expect(runSettingsFrom(cli({ scorer: 'sglang:http://gpu1:30000#m', maxContextTokens: '8192' })).scorer).toEqual({ kind: 'sglang', baseURL: 'http://gpu1:30000', model: 'm', maxContextTokens: 8192 });
    expect(runSettingsFrom(cli({ scorer: 'openai:http://gpu1:8000/v1#m', maxContextTokens: '100' })).scorer).toMatchObject({ kind: 'openai', maxContextTokens: 100 });
  });

  it('refuses a cap on the embedded scorer, a cap below 1, and a spec of no known kind', () => {
    expect(() => runSettingsFrom(cli({ maxContextTokens: '100' }))).toThrow(/served scorer/);
    expect(() => runSettingsFrom(cli({ scorer: 'sglang:http://h:1#m', maxContextTokens: '0' }))).toThrow(InputError);
    expect(() => parseScorerOption('sglang:gpu1#m')).toThrow(/sglang:<server URL>#<model>/);
  });

  it('takes the scorer table and search.maxContextTokens from a config file', () => {
    const file = join(tmp, 'run.toml');
    writeFileSync(file, '[scorer]\nkind = "sglang"\nbaseURL = "http://gpu1:30000"\nmodel = "m"\n\n[search]\nbudget = 8\nmaxContextTokens = 4096\n');
    expect(readRunConfig(file, 'run')).toMatchObject({ scorer: { kind: 'sglang' }, search: { maxContextTokens: 4096 } });
  });
});

describe('a run scored by SGLang', () => {
  it('searches on /generate, rebuilds the fixture exactly and counts every request', async () => {
    const s = await runJob({
      repoPath: join(import.meta.dirname, '../agents/fixtures/mini'),
      out: join(tmp, 'out.jsonl'),
      seed: 3,
      budget: 4,
      faultRate: 0,
      resume: false,
      scorer: { kind: 'sglang', baseURL: server.url, model: 'coder-1b', maxContextTokens: 2048 },
    });
    expect(s.verify?.[0]?.ok).toBe(true);
    expect(s.failures).toEqual([]);
    expect(s.scorerCalls).toBeGreaterThan(0);
    const generates = server.count('generate');
    expect(s.models.scorer).toMatchObject({ model: 'coder-1b', requests: generates, errors: 0 });
    expect(server.cachedTokens).toBeGreaterThan(0);
    expect((s.models.scorer as unknown as { cachedTokens: number }).cachedTokens).toBe(server.cachedTokens);
  }, 60_000);
});
