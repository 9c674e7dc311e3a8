/**
 * The `--config FILE` of `retrace run` and `retrace corpus`: everything a run takes (policies,
 * scorer, search budget, output options) in one JSON or TOML file (TOML when the name ends in
 * `.toml`), validated here. Every object is strict: an unknown key is refused, named by its path,
 * with the keys its object takes, so a misspelt setting never falls back to a default in silence.
 *
 * Policies and the scorer take the strings the command line takes (`openai:<base URL>#<model>`,
 * a policy id) or tables (`{ id, params }`, `{ kind, baseURL, model }`); their params are checked
 * later, as the command line's are (src/cli/run-options.ts).
 */
import { readFileSync } from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { ROLES } from '../agents/types.ts';
import { priceTableSchema } from '../accounting/prices.ts';
import { InputError } from '../run/run-job.ts';

/** The config file cannot be read, parsed, or holds what a run does not take. */
export class ConfigError extends InputError {
  override name = 'ConfigError';
}

const count = (min: number) => z.number().int().min(min);

const policyEntrySchema = z.union([
  z.string().min(1),
  z.object({ id: z.string().min(1), params: z.record(z.string(), z.unknown()).default({}) }).strict(),
]);

const scorerEntrySchema = z.union([
  z.string().min(1),
  z.object({ kind: z.literal('embedded') }).strict(),
  z.object({ kind: z.literal('openai'), baseURL: z.string().url(), model: z.string().min(1) }).strict(),
  z.object({ kind: z.literal('sglang'), baseURL: z.string().url(), model: z.string().min(1) }).strict(),
]);

const policiesSchema = z.object(Object.fromEntries(ROLES.map((r) => [r, policyEntrySchema.optional()]))).strict();

const outputShape = {
  format: z.enum(['jsonl', 'parquet']).optional(),
  shardTokens: count(1).optional(),
  card: z.boolean().optional(),
  contextTokens: count(64).optional(),
  tokenizer: z.string().min(1).optional(),
  tokenIds: z.boolean().optional(),
  train: z.array(z.string()).optional(),
  mask: z.array(z.string()).optional(),
  trainAll: z.boolean().optional(),
};

function configSchema<O extends z.ZodRawShape>(output: O) {
  return z
    .object({
      seed: count(0).optional(),
      faultRate: z.number().min(0).max(1).optional(),
      verify: z.boolean().optional(),
      /** `openai:<base URL>#<model>`: that model behind every role the file's `policies` leave out. */
      llm: z.string().min(1).optional(),
      policies: policiesSchema.optional(),
      scorer: scorerEntrySchema.optional(),
      search: z.object({ budget: count(0).optional(), maxContextTokens: count(1).optional() }).strict().optional(),
      /** Model calls: the cache's folder (false: none) and limits per endpoint (src/models). */
      models: z
        .object({ cache: z.union([z.string().min(1), z.literal(false)]).optional(), maxInFlight: count(1).optional(), tokensPerMinute: count(1).optional() })
        .strict()
        .optional(),
      output: z.object({ ...outputShape, ...output }).strict().optional(),
      /** Dollars per million tokens of each served model: a JSON file's path, or the table itself (src/accounting/prices.ts). */
      prices: z.union([z.string().min(1), priceTableSchema]).optional(),
    })
    .strict();
}

/** `retrace run` also takes where its dataset and trace go; `retrace corpus` names its folder with --out-dir. */
export const runConfigSchemas = {
  run: configSchema({ out: z.string().min(1).optional(), trace: z.union([z.string().min(1), z.literal(false)]).optional() }),
  corpus: configSchema({}),
};
export type ConfigCommand = keyof typeof runConfigSchemas;
export type RunConfig = z.infer<(typeof runConfigSchemas)['run']>;

/** The keys the object at `path` takes (for messages), or none when the path leads elsewhere. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let at: z.ZodType | undefined = schema;
  for (const key of path) {
    while (at instanceof z.ZodOptional) at = at.unwrap() as z.ZodType;
    at = at instanceof z.ZodObject ? (at.shape[String(key)] as z.ZodType | undefined) : undefined;
  }
  while (at instanceof z.ZodOptional) at = at.unwrap() as z.ZodType;
  return at instanceof z.ZodObject ? Object.keys(at.shape).sort() : [];
}

function describeIssue(schema: z.ZodType, issue: z.core.$ZodIssue): string {
  const where = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const names = issue.keys.map((k) => `"${where ? `${where}.` : ''}${k}"`).join(', ');
    return `unknown key${issue.keys.length > 1 ? 's' : ''} ${names} (${where || 'the file'} takes: ${keysAt(schema, issue.path).join(', ')})`;
  }
  return `${where || '(file)'}: ${issue.message}`;
}

function parseText(path: string, text: string): unknown {
  try {
    return path.endsWith('.toml') ? parseToml(text) : JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`--config ${path}: not ${path.endsWith('.toml') ? 'TOML' : 'JSON'}: ${(err as Error).message}`);
  }
}

/** Reads and checks the config file of `command`. */
export function readRunConfig(path: string, command: ConfigCommand): RunConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`--config ${path}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const schema = runConfigSchemas[command];
  const parsed = schema.safeParse(parseText(path, text));
  if (!parsed.success) throw new ConfigError(`--config ${path}: ${parsed.error.issues.map((i) => describeIssue(schema, i)).join('; ')}`);
  return parsed.data;
}
