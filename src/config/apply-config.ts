/**
 * A `--config FILE` laid under the command line: each setting the file holds becomes the value of
 * its option unless that option was given on the command line (commander's value source `cli`), so
 * flags override the file. The file's policies travel apart (`configPolicies`), because the
 * command line's `--llm` overrides them as a whole: a role's policy is, first found,
 * `--policy role=...`, `--llm`, the file's `policies.<role>`, the file's `llm`, grounded.
 */
import type { Command } from 'commander';
import type { PolicySpec } from '../agents/policy.ts';
import { ROLES, type Role } from '../agents/types.ts';
import { readRunConfig, type ConfigCommand, type RunConfig } from './run-config.ts';
import { llmPolicySpec, policySpecFrom, scorerSpecFrom } from './specs.ts';

export type RolePolicies = Partial<Record<Role, PolicySpec>>;

const text = (n: number | undefined) => (n === undefined ? undefined : String(n));

function scorerText(scorer: NonNullable<RunConfig['scorer']>, what: string): string {
  const value = typeof scorer === 'string' ? scorer : scorer.kind === 'embedded' ? 'embedded' : `${scorer.kind}:${scorer.baseURL}#${scorer.model}`;
  scorerSpecFrom(value, what);
  return value;
}

/** The file's settings as commander keys its options (numbers as the strings a flag gives). */
function optionValues(config: RunConfig, what: string): Record<string, unknown> {
  const o = config.output ?? {};
  const values: Record<string, unknown> = {
    seed: text(config.seed),
    faultRate: text(config.faultRate),
    verify: config.verify,
    budget: text(config.search?.budget),
    modelCache: config.models?.cache,
    maxInFlight: text(config.models?.maxInFlight),
    tokensPerMinute: text(config.models?.tokensPerMinute),
    maxContextTokens: text(config.search?.maxContextTokens),
    scorer: config.scorer === undefined ? undefined : scorerText(config.scorer, `${what}: scorer`),
    format: o.format,
    shardTokens: text(o.shardTokens),
    card: o.card,
    contextTokens: text(o.contextTokens),
    tokenizer: o.tokenizer,
    tokenIds: o.tokenIds,
    train: o.train,
    mask: o.mask,
    trainAll: o.trainAll,
    out: o.out,
    trace: o.trace,
    prices: config.prices,
  };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

/** The file's policy of every role it names: its `llm` for all, its `policies` over that. */
export function filePolicies(config: Pick<RunConfig, 'llm' | 'policies'>, what: string): RolePolicies {
  const out: RolePolicies = {};
  if (config.llm !== undefined) {
    const spec = llmPolicySpec(config.llm, `${what}: llm`);
    for (const role of ROLES) out[role] = spec;
  }
  for (const role of ROLES) {
    const entry = config.policies?.[role];
    if (entry !== undefined) out[role] = policySpecFrom(entry, `${what}: policies.${role}`);
  }
  return out;
}

/** Reads `--config` (when given) into `cmd`'s option values; a preAction hook. */
export function applyConfigFile(cmd: Command, command: ConfigCommand): void {
  const path = cmd.getOptionValue('config') as string | undefined;
  if (path === undefined) return;
  const config = readRunConfig(path, command);
  const what = `--config ${path}`;
  for (const [key, value] of Object.entries(optionValues(config, what))) {
    if (cmd.getOptionValueSource(key) !== 'cli') cmd.setOptionValueWithSource(key, value, 'config');
  }
  cmd.setOptionValueWithSource('configPolicies', filePolicies(config, what), 'config');
}
