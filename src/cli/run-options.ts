/**
 * The options that decide what a rebuild writes, shared by `retrace run` (one repository) and
 * `retrace corpus` (many): seed, search budget, faults, context, tokenizer, training rules,
 * policies and scorer. One definition, so a corpus's repository reads exactly as `retrace run`
 * of it with the same options.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { PolicySpec } from '../agents/policy.ts';
import { defaultRegistry } from '../agents/registry.ts';
import { ROLES, type Role } from '../agents/types.ts';
import { applyConfigFile, type RolePolicies } from '../config/apply-config.ts';
import type { ConfigCommand } from '../config/run-config.ts';
import { llmPolicySpec, policySpecFrom, scorerSpecFrom, type ScorerSpec } from '../config/specs.ts';
import { InputError, type RunJobOptions } from '../run/run-job.ts';
import type { ModelCallSettings } from '../models/settings.ts';
import { readPriceTable, type PriceTable } from '../accounting/prices.ts';

export const EXIT = { ok: 0, error: 1, input: 2, failures: 3, mismatch: 4 } as const;

/** What commander hands over for the shared options. */
export interface RunSettingsCli {
  seed: string;
  budget: string;
  faultRate: string;
  contextTokens: string;
  tokenizer: string;
  tokenIds?: boolean;
  train: string[];
  mask: string[];
  trainAll?: boolean;
  policy: string[];
  /** `openai:<base URL>#<model>`, from the command line: every role's policy. */
  llm?: string;
  scorer: string;
  /** `--max-context-tokens`: a served scorer's context cap. */
  maxContextTokens?: string;
  verify: boolean;
  /** A folder, or false (`--no-model-cache`); undefined or true: the default place. */
  modelCache?: string | boolean;
  maxInFlight?: string;
  tokensPerMinute?: string;
  config?: string;
  /** `--prices FILE`, or the config file's `prices` (a path or the table). */
  prices?: string | PriceTable;
  /** The `--config` file's policies (set by its hook; see src/config/apply-config.ts). */
  configPolicies?: RolePolicies;
}

/** The part of runJob's options these decide; plain data (it crosses to worker processes). */
export type RunSettings = Required<Pick<RunJobOptions, 'seed' | 'budget' | 'faultRate' | 'contextTokens' | 'tokenizer' | 'tokenIds' | 'train' | 'policies' | 'scorer' | 'verify'>> &
  Pick<RunJobOptions, 'models' | 'prices'>;

const repeat = (v: string, p: string[]) => [...p, v];

/** Names joined into lines of at most `width` characters, each after `indent`. */
function wrapped(names: readonly string[], indent: string, width = 100): string[] {
  const lines: string[] = [];
  let line = '';
  for (const n of names) {
    if (line && indent.length + line.length + n.length + 2 > width) {
      lines.push(`${indent}${line},`);
      line = '';
    }
    line = line ? `${line}, ${n}` : n;
  }
  return line ? [...lines, `${indent}${line}`] : lines;
}

/** What `--help` says of the policies: their ids and params, and where those are described. */
function policyHelp(): string {
  const registry = defaultRegistry();
  const lines = registry.ids().flatMap((id) => {
    const params = registry.paramsOf(id);
    if (params === undefined || params.length === 0) return [`  ${id.padEnd(10)} ${params ? 'no params' : 'any params'}`];
    return [`  ${id.padEnd(10)} params:`, ...wrapped(params, '    ')];
  });
  return [
    '',
    `Policies (--policy role=spec; roles: ${ROLES.join(', ')}):`,
    ...lines,
    '  A spec is a policy id, openai:<base URL>#<model>, or {"id": ..., "params": {...}}.',
    '  The policies and their params are described in docs/policies.md, the scorers in docs/scoring.md.',
    '',
    '--config FILE (JSON, or TOML when it ends in .toml) holds these settings; flags given here override it.',
  ].join('\n');
}

export function addRunSettingOptions(cmd: Command): Command {
  const command: ConfigCommand = cmd.name() === 'corpus' ? 'corpus' : 'run';
  return cmd
    .option('--config <file>', 'the settings of the run (policies, scorer, search budget, output options) from a JSON or TOML file; flags override it')
    .option('--llm <spec>', 'openai:<base URL>#<model>: that model behind every role (--policy still sets one role; key from OPENAI_API_KEY)')
    .option('--seed <n>', 'seed: the same seed gives the same dataset', '1')
    .option('--budget <calls>', 'scorer calls per refined chunk of code (0: no search)', '16')
    .option('--fault-rate <r>', 'share of files whose first draft carries a fault (debugging episodes)', '0.1')
    .option('--context-tokens <n>', "no record has more tokens than this (the trainer's context)", '65536')
    .option('--tokenizer <name|path>', 'tokens are counted and masked in this tokenizer: llama-3, or a Hugging Face tokenizer.json (or a directory holding one)', 'llama-3')
    .option('--token-ids', "keep each record's token ids (tokens.ids)")
    .option('--train <glob>', 'train on files matching this (gitignore-style) pattern even when the rules would not; repeatable', repeat, [] as string[])
    .option('--mask <glob>', 'replay but never train on files matching this pattern; repeatable', repeat, [] as string[])
    .option('--train-all', 'train on every file: no lock-file, generated, minified or data rules')
    .option('--policy <role=spec>', 'policy of a role: an id (grounded), openai:<base URL>#<model>, or a JSON spec; repeatable (overrides --llm for that role)', repeat, [] as string[])
    .option('--scorer <spec>', 'embedded, openai:<base URL>#<model> (an OpenAI-compatible server with prompt log-probs, e.g. vLLM), or sglang:<server URL>#<model> (SGLang\'s /generate: keeps the shared context in its prefix cache); key from OPENAI_API_KEY', 'embedded')
    .option('--max-context-tokens <n>', 'a served scorer is sent at most the last N tokens of the context before the target (cut from the left; the target is never cut)')
    .option('--no-verify', 'skip replaying the dataset against the repository')
    .option('--model-cache <dir>', 'where answers of model calls are kept, so a repeated or resumed run pays no call twice (default: <out>.model-calls beside the output)')
    .option('--no-model-cache', 'keep no answers of model calls')
    .option('--max-in-flight <n>', 'requests in flight at once per model endpoint (default: no limit)')
    .option('--tokens-per-minute <n>', 'prompt + completion tokens per minute per model endpoint (default: no limit)')
    .option('--prices <file>', 'a JSON price table, {"<model>": {"prompt": $/Mtok, "completion": $/Mtok, "scored": $/Mtok}}: the cost of the model calls in the summary and the card')
    .addHelpText('after', policyHelp)
    .hook('preAction', (self) => applyConfigFile(self, command));
}

/** Every role's policy: the file's, under `--llm`, under each `--policy role=spec`. */
function policiesFrom(o: Pick<RunSettingsCli, 'policy' | 'llm' | 'configPolicies'>): RolePolicies {
  const policies: RolePolicies = { ...o.configPolicies };
  if (o.llm !== undefined) {
    const spec = llmPolicySpec(o.llm);
    for (const role of ROLES) policies[role] = spec;
  }
  for (const p of o.policy) {
    const [role, spec] = parsePolicyOption(p);
    policies[role] = spec;
  }
  return policies;
}

export function runSettingsFrom(o: RunSettingsCli): RunSettings {
  const policies = policiesFrom(o);
  const rate = Number(o.faultRate);
  if (!(rate >= 0 && rate <= 1)) throw new InputError(`--fault-rate must be between 0 and 1, got "${o.faultRate}"`);
  return {
    seed: int('--seed', o.seed),
    budget: int('--budget', o.budget),
    faultRate: rate,
    contextTokens: int('--context-tokens', o.contextTokens, 64),
    tokenizer: o.tokenizer,
    tokenIds: o.tokenIds === true,
    train: { train: o.train, noTrain: o.mask, trainAll: o.trainAll === true },
    policies,
    scorer: withContextCap(parseScorerOption(o.scorer), o.maxContextTokens),
    verify: o.verify,
    models: modelCallSettings(o),
    ...(o.prices !== undefined ? { prices: typeof o.prices === 'string' ? readPriceTable(o.prices) : o.prices } : {}),
  };
}

/** `--model-cache`, `--no-model-cache`, `--max-in-flight`, `--tokens-per-minute` (src/models/settings.ts). */
export function modelCallSettings(o: Pick<RunSettingsCli, 'modelCache' | 'maxInFlight' | 'tokensPerMinute'>): ModelCallSettings {
  const cache = o.modelCache === false ? false : typeof o.modelCache === 'string' ? resolve(o.modelCache) : null;
  return {
    cache,
    maxInFlight: o.maxInFlight === undefined ? null : int('--max-in-flight', o.maxInFlight, 1),
    tokensPerMinute: o.tokensPerMinute === undefined ? null : int('--tokens-per-minute', o.tokensPerMinute, 1),
  };
}

export function parseFormat(value: string): 'jsonl' | 'parquet' {
  if (value !== 'jsonl' && value !== 'parquet') throw new InputError(`--format is jsonl or parquet, got "${value}"`);
  return value;
}

export function int(name: string, value: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InputError(`${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

/** `role=spec`: spec is a policy id (`grounded`), `openai:<base URL>#<model>`, or a JSON spec. */
export function parsePolicyOption(value: string): [Role, PolicySpec] {
  const eq = value.indexOf('=');
  if (eq < 0) throw new InputError(`--policy wants role=spec, got "${value}"`);
  const role = value.slice(0, eq);
  if (!(ROLES as readonly string[]).includes(role)) throw new InputError(`--policy: unknown role "${role}"`);
  // Known ids and their params, as `retrace policy set` checks them: a typo fails here, not mid-run.
  return [role as Role, policySpecFrom(value.slice(eq + 1), `--policy ${role}`)];
}

/** `embedded`, `openai:<base URL>#<model>` or `sglang:<server URL>#<model>`. */
export function parseScorerOption(value: string): ScorerSpec {
  return scorerSpecFrom(value);
}

/** `--max-context-tokens` on a served scorer (docs/scoring.md, "Context cap"). */
function withContextCap(scorer: ScorerSpec, value: string | undefined): ScorerSpec {
  if (value === undefined) return scorer;
  const max = int('--max-context-tokens', value, 1);
  if (scorer.kind === 'embedded') throw new InputError('--max-context-tokens caps what a served scorer is sent (--scorer openai:... or sglang:...); the embedded scorer is sent nothing');
  return { ...scorer, maxContextTokens: max };
}
