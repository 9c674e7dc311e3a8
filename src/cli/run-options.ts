/**
 * The options that decide what a rebuild writes, shared by `retrace run` (one repository) and
 * `retrace corpus` (many): seed, search budget, faults, context, tokenizer, training rules,
 * policies and scorer. One definition, so a corpus's repository reads exactly as `retrace run`
 * of it with the same options.
 */
import type { Command } from 'commander';
import { policySpecSchema, type PolicySpec } from '../agents/policy.ts';
import { defaultRegistry } from '../agents/registry.ts';
import { ROLES, type Role } from '../agents/types.ts';
import { InputError, type RunJobOptions } from '../run/run-job.ts';

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
  scorer: string;
  verify: boolean;
}

/** The part of runJob's options these decide; plain data (it crosses to worker processes). */
export type RunSettings = Required<Pick<RunJobOptions, 'seed' | 'budget' | 'faultRate' | 'contextTokens' | 'tokenizer' | 'tokenIds' | 'train' | 'policies' | 'scorer' | 'verify'>>;

const repeat = (v: string, p: string[]) => [...p, v];

export function addRunSettingOptions(cmd: Command): Command {
  return cmd
    .option('--seed <n>', 'seed: the same seed gives the same dataset', '1')
    .option('--budget <calls>', 'scorer calls per refined chunk of code (0: no search)', '16')
    .option('--fault-rate <r>', 'share of files whose first draft carries a fault (debugging episodes)', '0.1')
    .option('--context-tokens <n>', "no record has more tokens than this (the trainer's context)", '65536')
    .option('--tokenizer <name|path>', 'tokens are counted and masked in this tokenizer: llama-3, or a Hugging Face tokenizer.json (or a directory holding one)', 'llama-3')
    .option('--token-ids', "keep each record's token ids (tokens.ids)")
    .option('--train <glob>', 'train on files matching this (gitignore-style) pattern even when the rules would not; repeatable', repeat, [] as string[])
    .option('--mask <glob>', 'replay but never train on files matching this pattern; repeatable', repeat, [] as string[])
    .option('--train-all', 'train on every file: no lock-file, generated, minified or data rules')
    .option('--policy <role=spec>', 'policy of a role: an id (grounded) or a JSON spec; repeatable', repeat, [] as string[])
    .option('--scorer <spec>', 'embedded, or openai:<base URL>#<model> (an OpenAI-compatible server with prompt log-probs, e.g. vLLM; key from OPENAI_API_KEY)', 'embedded')
    .option('--no-verify', 'skip replaying the dataset against the repository');
}

export function runSettingsFrom(o: RunSettingsCli): RunSettings {
  const policies: Partial<Record<Role, PolicySpec>> = {};
  for (const p of o.policy) {
    const [role, spec] = parsePolicyOption(p);
    policies[role] = spec;
  }
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
    scorer: parseScorerOption(o.scorer),
    verify: o.verify,
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

/** `role=spec`: spec is a policy id (`grounded`) or a JSON spec. */
export function parsePolicyOption(value: string): [Role, PolicySpec] {
  const eq = value.indexOf('=');
  if (eq < 0) throw new InputError(`--policy wants role=spec, got "${value}"`);
  const role = value.slice(0, eq);
  if (!(ROLES as readonly string[]).includes(role)) throw new InputError(`--policy: unknown role "${role}"`);
  const raw = value.slice(eq + 1).trim();
  let spec: unknown;
  try {
    spec = raw.startsWith('{') ? JSON.parse(raw) : { id: raw, params: {} };
  } catch (err) {
    throw new InputError(`--policy ${role}: not JSON: ${(err as Error).message}`);
  }
  const parsed = policySpecSchema.safeParse(spec);
  if (!parsed.success) throw new InputError(`--policy ${role}: ${parsed.error.message}`);
  // Known ids and their params, as `retrace policy set` checks them: a typo fails here, not mid-run.
  try {
    return [role as Role, defaultRegistry().check(parsed.data)];
  } catch (err) {
    throw new InputError(`--policy ${role}: ${(err as Error).message}`);
  }
}

/** `embedded` or `openai:<base URL>#<model>`. */
export function parseScorerOption(value: string): NonNullable<RunJobOptions['scorer']> {
  if (value === 'embedded') return { kind: 'embedded' };
  const m = /^openai:(https?:\/\/[^#\s]+)#(.+)$/.exec(value);
  if (!m) throw new InputError(`--scorer wants "embedded" or "openai:<base URL>#<model>", got "${value}"`);
  return { kind: 'openai', baseURL: m[1]!, model: m[2]! };
}
