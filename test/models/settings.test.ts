/**
 * The model-call options as `retrace run` and `retrace corpus` parse them: `--model-cache DIR`,
 * `--no-model-cache`, `--max-in-flight`, `--tokens-per-minute`, and the `models` table of a
 * `--config` file under them (an unknown key named); the cache's default place beside the output.
 */
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addRunSettingOptions, runSettingsFrom, type RunSettings, type RunSettingsCli } from '../../src/cli/run-options.ts';
import { cacheDirBeside } from '../../src/models/mod.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir('retrace-model-settings-');

async function settings(args: string[]): Promise<RunSettings> {
  let parsed: RunSettings | undefined;
  const cmd = new Command('run').exitOverride();
  addRunSettingOptions(cmd).action((o: RunSettingsCli) => {
    parsed = runSettingsFrom(o);
  });
  await cmd.parseAsync(args, { from: 'user' });
  return parsed!;
}

describe('model-call settings', () => {
  it('by default: the cache beside the output, no limits', async () => {
    expect((await settings([])).models).toEqual({ cache: null, maxInFlight: null, tokensPerMinute: null });
    expect(cacheDirBeside('/data/mini.retrace.jsonl')).toBe('/data/mini.retrace.jsonl.model-calls');
    expect(cacheDirBeside('/data/mini.retrace/')).toBe('/data/mini.retrace.model-calls');
  });

  it('from the flags: a folder (made absolute), or none; the limits', async () => {
    expect((await settings(['--model-cache', 'calls', '--max-in-flight', '4', '--tokens-per-minute', '90000'])).models).toEqual({ cache: resolve('calls'), maxInFlight: 4, tokensPerMinute: 90_000 });
    expect((await settings(['--no-model-cache'])).models?.cache).toBe(false);
  });

  it('from a config file, the flags over it', async () => {
    const path = join(dir, 'run.toml');
    writeFileSync(path, '[models]\ncache = false\nmaxInFlight = 8\ntokensPerMinute = 1000\n');
    expect((await settings(['--config', path])).models).toEqual({ cache: false, maxInFlight: 8, tokensPerMinute: 1000 });
    expect((await settings(['--config', path, '--max-in-flight', '2', '--model-cache', '/tmp/c'])).models).toEqual({ cache: '/tmp/c', maxInFlight: 2, tokensPerMinute: 1000 });
  });

  it('names an unknown key of the models table, with the keys it takes', async () => {
    const path = join(dir, 'typo.json');
    writeFileSync(path, JSON.stringify({ models: { maxInflight: 2 } }));
    await expect(settings(['--config', path])).rejects.toThrow('unknown key "models.maxInflight" (models takes: cache, maxInFlight, tokensPerMinute)');
  });
});
