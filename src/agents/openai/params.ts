/**
 * The openai policy's params (`PolicySpec.params`), validated at the edge. The API key may sit in
 * the params, but a spec is stored in the `retrace-policies` bucket and shown by `retrace policy
 * get`, so the usual place is the environment: `apiKeyEnv` names the variable (OPENAI_API_KEY).
 */
import { z } from 'zod';
import { PolicyConfigError } from './errors.ts';
import type { PromptsParam } from './prompt-files.ts';

/** A template as a stored spec carries it: its text, the file it was read from, the text's SHA-256. */
const templateTextSchema = z.object({ file: z.string().min(1), text: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/).optional() }).strict();

export const openAIPolicyParamsSchema = z.object({
  /** Base URL of the OpenAI-compatible API, with its `/v1`: `http://gpu1:8000/v1`. */
  baseURL: z.string().url().default('https://api.openai.com/v1'),
  /** Required (checked below, so that a misspelt `modle` is reported as unknown, not as a missing `model`). */
  model: z.string().min(1).optional(),
  apiKey: z.string().min(1).optional(),
  /** The environment variable holding the key when `apiKey` is absent. */
  apiKeyEnv: z.string().min(1).default('OPENAI_API_KEY'),
  /** For plans, designs and thoughts. */
  temperature: z.number().min(0).max(2).default(0.2),
  /** For the search's proposals, which should differ from one another. */
  proposerTemperature: z.number().min(0).max(2).default(0.8),
  maxTokens: z.number().int().positive().default(1024),
  /** OpenAI's reasoning models take `max_completion_tokens` and refuse `max_tokens`; vLLM, SGLang and Ollama take `max_tokens`. */
  maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).default('max_tokens'),
  /** Per HTTP attempt. */
  timeoutMs: z.number().int().positive().default(60_000),
  /** Retries of 408/409/429/5xx, connection errors and timeouts, with backoff (the client's own, honouring Retry-After). */
  maxRetries: z.number().int().min(0).max(10).default(2),
  /** Send `response_format: {type: 'json_object'}`. Turned off by itself when the server rejects the field. */
  jsonMode: z.boolean().default(true),
  /**
   * Re-asks when an answer crosses the knowledge boundary and repairing it leaves too little (an
   * empty thought, a design without a responsibility); after them the repaired answer is used.
   */
  boundaryRetries: z.number().int().min(0).max(10).default(2),
  /**
   * Prompt templates replacing built-in ones (prompt-files.ts): a directory of `<name>.md`, or a
   * map of name to file; stored with each file's text (`{file, sha256, text}`) once set.
   */
  prompts: z.union([z.string().min(1), z.record(z.string(), z.union([z.string().min(1), templateTextSchema]))]).optional(),
})
  // A misspelt param (`boundaryRetry`) would otherwise be dropped silently and its default used.
  .strict()
  .superRefine(requireModel, { when: (payload) => typeof payload.value === 'object' && payload.value !== null });
export type OpenAIPolicyParams = z.infer<typeof openAIPolicyParamsSchema>;

/**
 * `model` is required, but a missing one is said only when no unknown param is there to explain
 * it: `{"modle": "x"}` is one mistake (an unknown param), not two.
 */
function requireModel(params: { model?: string | undefined }, ctx: z.RefinementCtx): void {
  if (params.model !== undefined || ctx.issues.some((i) => i.code === 'unrecognized_keys')) return;
  ctx.addIssue({ code: 'custom', path: ['model'], message: 'required: the model name as the server knows it' });
}

export interface ResolvedParams extends Omit<OpenAIPolicyParams, 'apiKey' | 'apiKeyEnv' | 'model' | 'prompts'> {
  model: string;
  /** Where the key came from, for messages: never the key itself. */
  keySource: string;
}

/**
 * Params checked, the key looked up. The key is returned apart so that nothing prints it by
 * accident; the prompt templates apart, for the policy to read and check (prompt-files.ts).
 */
export function resolveParams(params: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): { params: ResolvedParams; apiKey: string; prompts: PromptsParam | undefined } {
  const parsed = openAIPolicyParamsSchema.safeParse(params);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(params)'}: ${i.message}`).join('; ');
    throw new PolicyConfigError(`openai policy: bad params: ${issues}`);
  }
  const { apiKey: given, apiKeyEnv, model, prompts, ...rest } = parsed.data;
  const fromEnv = env[apiKeyEnv];
  // vLLM and Ollama accept any key; `EMPTY` is vLLM's convention for "none".
  const apiKey = given ?? (fromEnv && fromEnv.length > 0 ? fromEnv : 'EMPTY');
  const keySource = given ? 'params.apiKey' : fromEnv ? `$${apiKeyEnv}` : 'none';
  // requireModel made sure of it.
  return { params: { ...rest, model: model!, baseURL: rest.baseURL.replace(/\/+$/, ''), keySource }, apiKey, prompts };
}
