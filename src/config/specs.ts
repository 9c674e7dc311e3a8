/**
 * Policy and scorer specs from what a user writes, on the command line or in a config file:
 * `openai:<base URL>#<model>` (a served model), a policy id (`grounded`), or a JSON spec. Every
 * spec is checked against the policies this process knows, so a typo fails before a run starts.
 */
import { policySpecSchema, type PolicySpec } from '../agents/policy.ts';
import { withPromptTexts } from '../agents/openai/prompt-files.ts';
import { defaultRegistry } from '../agents/registry.ts';
import { InputError, type RunJobOptions } from '../run/run-job.ts';

export type ScorerSpec = NonNullable<RunJobOptions['scorer']>;

const SERVED_MODEL = /^openai:(https?:\/\/[^#\s]+)#(.+)$/;

/** `openai:<base URL>#<model>` as its parts, or undefined when `value` is not of that shape. */
export function servedModel(value: string): { baseURL: string; model: string } | undefined {
  const m = SERVED_MODEL.exec(value.trim());
  return m ? { baseURL: m[1]!, model: m[2]! } : undefined;
}

/** `--llm openai:<base URL>#<model>`: the openai policy on that model (its key from OPENAI_API_KEY). */
export function llmPolicySpec(value: string, what = '--llm'): PolicySpec {
  const served = servedModel(value);
  if (!served) throw new InputError(`${what} wants "openai:<base URL>#<model>", got "${value}"`);
  return checkedPolicySpec({ id: 'openai', params: { baseURL: served.baseURL, model: served.model } }, what);
}

/** A spec against the registry: a known id, and params that policy takes. */
export function checkedPolicySpec(spec: unknown, what: string): PolicySpec {
  const parsed = policySpecSchema.safeParse(spec);
  if (!parsed.success) throw new InputError(`${what}: ${parsed.error.message}`);
  try {
    const registry = defaultRegistry();
    // Prompt files are read here and the spec carries their text, for agents on other machines too.
    return registry.check(withPromptTexts(registry.check(parsed.data)));
  } catch (err) {
    throw new InputError(`${what}: ${(err as Error).message}`);
  }
}

/** A policy written as `openai:<url>#<model>`, an id, a JSON spec (a string starting with `{`) or an object. */
export function policySpecFrom(raw: string | object, what: string): PolicySpec {
  if (typeof raw !== 'string') return checkedPolicySpec(raw, what);
  const text = raw.trim();
  if (servedModel(text)) return llmPolicySpec(text, what);
  if (!text.startsWith('{')) return checkedPolicySpec({ id: text, params: {} }, what);
  let spec: unknown;
  try {
    spec = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${what}: not JSON: ${(err as Error).message}`);
  }
  return checkedPolicySpec(spec, what);
}

/** SGLang's native API: `sglang:<server URL>#<model>` (the server's root, e.g. http://gpu1:30000). */
const SGLANG_MODEL = /^sglang:(https?:\/\/[^#\s]+)#(.+)$/;

/** `embedded`, `openai:<base URL>#<model>` or `sglang:<server URL>#<model>`. */
export function scorerSpecFrom(value: string, what = '--scorer'): ScorerSpec {
  if (value === 'embedded') return { kind: 'embedded' };
  const served = servedModel(value);
  if (served) return { kind: 'openai', ...served };
  const sglang = SGLANG_MODEL.exec(value.trim());
  if (sglang) return { kind: 'sglang', baseURL: sglang[1]!, model: sglang[2]! };
  throw new InputError(`${what} wants "embedded", "openai:<base URL>#<model>" or "sglang:<server URL>#<model>", got "${value}"`);
}
