/**
 * `--config FILE` and `--llm`: the file is read (JSON or TOML) and checked, an unknown key named
 * by its path; the shared options of `retrace run` and `retrace corpus` take it under the command
 * line, through commander as the commands parse it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addRunSettingOptions, runSettingsFrom, type RunSettings, type RunSettingsCli } from '../../src/cli/run-options.ts';
import { ConfigError, readRunConfig } from '../../src/config/run-config.ts';
import { tempDir } from '../support/tmp.ts';

const dir = tempDir('retrace-config-');
const GPU = 'http://gpu1:8000/v1';
const LLM = `openai:${GPU}#Qwen/Qwen2.5-Coder-7B`;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const TOML = `
seed = 7
llm = "${LLM}"
scorer = { kind = "openai", baseURL = "${GPU}", model = "Qwen/Qwen2.5-Coder-7B" }

[policies]
tester = "grounded"

[search]
budget = 32

[output]
format = "parquet"
contextTokens = 4096
train = ["docs/**"]
out = "data/out"
`;

/** The settings a command with the shared options takes from `args`. */
async function settings(name: 'run' | 'corpus', args: string[]): Promise<RunSettings & { out?: string }> {
  let got: (RunSettings & { out?: string }) | undefined;
  const cmd = new Command(name).exitOverride().option('-o, --out <path>');
  addRunSettingOptions(cmd).action((o: RunSettingsCli & { out?: string }) => {
    got = { ...runSettingsFrom(o), ...(o.out !== undefined ? { out: o.out } : {}) };
  });
  await cmd.parseAsync(args, { from: 'user' });
  return got!;
}

describe('reading a config file', () => {
  it('reads TOML and the same settings as JSON alike', () => {
    const toml = readRunConfig(file('a.toml', TOML), 'run');
    const json = readRunConfig(file('a.json', JSON.stringify(toml)), 'run');
    expect(json).toEqual(toml);
    expect(toml).toMatchObject({ seed: 7, search: { budget: 32 }, output: { format: 'parquet', contextTokens: 4096, out: 'data/out' } });
  });

  it('names an unknown key by its path, with the keys its table takes', () => {
    const path = file('typo.toml', '[output]\nfromat = "parquet"\n');
    expect(() => readRunConfig(path, 'run')).toThrow(ConfigError);
    expect(() => readRunConfig(path, 'run')).toThrow(/unknown key "output\.fromat" \(output takes: card, contextTokens, format, mask, out, /);
  });

  it('names an unknown top-level key and an unknown role', () => {
    expect(() => readRunConfig(file('top.json', '{"budget": 4}'), 'run')).toThrow(/unknown key "budget" \(the file takes: faultRate, llm, models, output, policies, prices, scorer, search, seed, verify\)/);
    expect(() => readRunConfig(file('role.json', '{"policies": {"reviewer": "grounded"}}'), 'run')).toThrow(/unknown key "policies\.reviewer"/);
  });

  it('refuses the output of `retrace run` in the config of `retrace corpus`', () => {
    expect(() => readRunConfig(file('corpus.json', '{"output": {"out": "x.jsonl"}}'), 'corpus')).toThrow(/unknown key "output\.out"/);
  });

  it('names a value of the wrong kind by its path, and a file that does not parse', () => {
    expect(() => readRunConfig(file('kind.json', '{"search": {"budget": -1}}'), 'run')).toThrow(/search\.budget: /);
    expect(() => readRunConfig(file('bad.toml', 'seed = = 1'), 'run')).toThrow(/not TOML/);
    expect(() => readRunConfig(join(dir, 'missing.json'), 'run')).toThrow(/cannot read it \(ENOENT\)/);
  });
});

describe('--llm and --config under the command line', () => {
  const served = { id: 'openai', params: { baseURL: GPU, model: 'Qwen/Qwen2.5-Coder-7B' } };

  it('--llm puts the model behind every role; --policy still sets one', async () => {
    const s = await settings('run', ['--llm', LLM, '--policy', 'coder=grounded']);
    expect(s.policies).toEqual({ planner: served, architect: served, coder: { id: 'grounded', params: {} }, tester: served, debugger: served });
  });

  it('takes the file: its llm for every role, its policies over it, scorer, budget and output', async () => {
    const s = await settings('run', ['--config', file('b.toml', TOML)]);
    expect(s.policies).toEqual({ planner: served, architect: served, coder: served, tester: { id: 'grounded', params: {} }, debugger: served });
    expect(s).toMatchObject({ seed: 7, budget: 32, contextTokens: 4096, scorer: { kind: 'openai', baseURL: GPU, model: 'Qwen/Qwen2.5-Coder-7B' }, out: 'data/out' });
    expect(s.train.train).toEqual(['docs/**']);
  });

  it('flags override the file, and --llm overrides its policies', async () => {
    const other = 'openai:http://gpu2:8000/v1#small';
    const s = await settings('run', ['--config', file('c.toml', TOML), '--budget', '0', '--seed', '3', '--llm', other]);
    expect(s).toMatchObject({ budget: 0, seed: 3, contextTokens: 4096 });
    expect(Object.values(s.policies).map((p) => p.params.baseURL)).toEqual(Array(5).fill('http://gpu2:8000/v1'));
  });

  it('keeps the defaults of what neither gives', async () => {
    const s = await settings('corpus', ['--config', file('d.json', '{"seed": 2}')]);
    expect(s).toMatchObject({ seed: 2, budget: 16, faultRate: 0.1, scorer: { kind: 'embedded' }, policies: {} });
  });

  it('reports a misspelt policy param as unknown, not as a missing model', async () => {
    const misspelt = settings('run', ['--policy', 'coder={"id":"openai","params":{"modle":"x"}}']);
    await expect(misspelt).rejects.toThrow('unknown param "modle"');
    await expect(misspelt).rejects.not.toThrow('model:');
    await expect(settings('run', ['--policy', 'coder={"id":"openai","params":{}}'])).rejects.toThrow('model: required');
  });

  it('refuses an --llm that is not openai:<base URL>#<model>', async () => {
    await expect(settings('run', ['--llm', 'gpt-4o'])).rejects.toThrow(/--llm wants "openai:<base URL>#<model>"/);
  });
});
