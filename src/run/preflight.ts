/**
 * Preflight: before any work is queued, every endpoint a run names is asked for its models
 * (`GET <base URL>/models`) and tried once: a one-token chat completion for a policy's model, a
 * one-item score (prompt log-probs, through the real OpenAIScorer) for the scorer's. A dead
 * endpoint, a wrong base URL, a model the server does not serve, a refused key or a server without
 * prompt log-probs is a PreflightError (bad input: exit 2) within seconds, naming every endpoint
 * that failed and what to do about it, instead of a run that fails piece by piece for an hour.
 *
 * Endpoints are checked at once; each is named once however many roles use it. Keys are never
 * part of a message.
 */
import OpenAI from 'openai';
import { z } from 'zod';
import type { PolicySpec } from '../agents/policy.ts';
import { OPENAI_POLICY_ID } from '../agents/openai/mod.ts';
import { resolveParams } from '../agents/openai/params.ts';
import { ROLES, type Role } from '../agents/types.ts';
import { OpenAIScorer } from '../search/score/openai.ts';
import { ScorerRateLimitedError } from '../search/score/errors.ts';
import { SGLangScorer } from '../search/score/sglang.ts';
import { InputError, type RunJobOptions } from './run-job.ts';

export class PreflightError extends InputError {
  override name = 'PreflightError';
}

export interface PreflightOptions {
  /** Per request to `/models`; 5 s by default. */
  listTimeoutMs?: number;
  /** Per trial request (a completion, a score); 10 s by default. */
  tryTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** What a run names: its roles' policies and its scorer. */
export interface PreflightSettings {
  policies?: Partial<Record<Role, PolicySpec>>;
  scorer?: RunJobOptions['scorer'];
}

interface Target {
  /** `sglang`: a scorer on SGLang's native API (its root URL; `/get_model_info`, `/generate`). */
  kind: 'chat' | 'scorer' | 'sglang';
  baseURL: string;
  model: string;
  apiKey: string;
  /** Who uses it, for messages: roles, or `scorer`. */
  users: string[];
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
}

/** One line of the error: what failed, where, and the hint. */
class EndpointFailure extends Error {
  override name = 'EndpointFailure';
}

const modelListSchema = z.object({ data: z.array(z.object({ id: z.string() })) });

function chatTargets(policies: PreflightSettings['policies'], env: NodeJS.ProcessEnv): Target[] {
  const byEndpoint = new Map<string, Target>();
  for (const role of ROLES) {
    const spec = policies?.[role];
    if (spec?.id !== OPENAI_POLICY_ID) continue;
    const { params, apiKey } = resolveParams(spec.params, env);
    // The key is part of the identity (two keys may see different models) but never printed.
    const id = `${params.baseURL}\u0000${params.model}\u0000${apiKey}`;
    const known = byEndpoint.get(id);
    if (known) known.users.push(role);
    else byEndpoint.set(id, { kind: 'chat', baseURL: params.baseURL, model: params.model, apiKey, users: [role], maxTokensField: params.maxTokensField });
  }
  return [...byEndpoint.values()];
}

function scorerTarget(scorer: PreflightSettings['scorer'], env: NodeJS.ProcessEnv): Target[] {
  if (scorer?.kind === 'sglang') {
    const apiKey = scorer.apiKey ?? env.OPENAI_API_KEY ?? 'EMPTY';
    return [{ kind: 'sglang', baseURL: scorer.baseURL.replace(/\/+$/, '').replace(/\/v1$/, ''), model: scorer.model, apiKey, users: ['scorer'], maxTokensField: 'max_tokens' }];
  }
  if (scorer?.kind !== 'openai') return [];
  const apiKey = scorer.apiKey ?? env.OPENAI_API_KEY ?? 'EMPTY';
  return [{ kind: 'scorer', baseURL: scorer.baseURL.replace(/\/+$/, ''), model: scorer.model, apiKey, users: ['scorer'], maxTokensField: 'max_tokens' }];
}

/** The system's error code under a connection error (ECONNREFUSED, ENOTFOUND, ...), when there is one. */
function causeCode(err: unknown): string | undefined {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string') return e.code;
  }
  return undefined;
}

function baseURLHint(baseURL: string): string {
  return /\/v1$/.test(baseURL)
    ? 'is it an OpenAI-compatible server, and is this its API root?'
    : `OpenAI-compatible servers answer under /v1: try ${baseURL}/v1`;
}

/** A failed request as one line that says what to do. */
function failure(err: unknown, t: Target, request: string, timeoutMs: number): EndpointFailure {
  const at = `${t.baseURL} (${request})`;
  if (err instanceof EndpointFailure) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError) return new EndpointFailure(`${at}: no answer within ${timeoutMs / 1000} s`);
  if (err instanceof OpenAI.APIConnectionError) return new EndpointFailure(`${at}: cannot connect (${causeCode(err) ?? err.message}): is the server up?`);
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    if (status === 401 || status === 403) return new EndpointFailure(`${at}: the server refused the API key (${status}); the key comes from OPENAI_API_KEY or the policy's apiKeyEnv`);
    if (status === 404 && request.startsWith('GET')) return new EndpointFailure(`${at}: 404: ${baseURLHint(t.baseURL)}`);
    return new EndpointFailure(`${at}: ${status} ${err.message}`);
  }
  return new EndpointFailure(`${at}: ${err instanceof Error ? err.message : String(err)}`);
}

function client(t: Target, timeoutMs: number): OpenAI {
  return new OpenAI({ baseURL: t.baseURL, apiKey: t.apiKey, maxRetries: 0, timeout: timeoutMs, logLevel: 'off' });
}

/** The models the endpoint serves; the target's must be one of them. */
async function checkModels(t: Target, timeoutMs: number): Promise<void> {
  let body: unknown;
  try {
    body = await client(t, timeoutMs).get('/models');
  } catch (err) {
    throw failure(err, t, 'GET /models', timeoutMs);
  }
  const parsed = modelListSchema.safeParse(body);
  if (!parsed.success) throw new EndpointFailure(`${t.baseURL} (GET /models): not a model list: ${baseURLHint(t.baseURL)}`);
  const served = parsed.data.data.map((m) => m.id);
  if (!served.includes(t.model)) {
    throw new EndpointFailure(`${t.baseURL} does not serve the model "${t.model}" (it serves: ${served.length > 0 ? served.join(', ') : 'none'})`);
  }
}

/** One tiny completion, as the policy will ask (its token-limit field). */
async function tryChat(t: Target, timeoutMs: number): Promise<void> {
  try {
    await client(t, timeoutMs).chat.completions.create({
      model: t.model,
      messages: [{ role: 'user', content: 'Answer with one word: ready?' }],
      temperature: 0,
      [t.maxTokensField]: 1,
    });
  } catch (err) {
    // 429: the server is up and serves the model, only busy; the run waits its turns (src/models/retry.ts).
    if (err instanceof OpenAI.RateLimitError) return;
    throw failure(err, t, 'POST /chat/completions', timeoutMs);
  }
}

/** One tiny score through the scorer the run uses: prompt log-probs, or the echo fallback. */
async function tryScore(t: Target, timeoutMs: number): Promise<void> {
  const scorer = new OpenAIScorer({ model: t.model, endpoints: [t.baseURL], apiKey: t.apiKey, retries: 0, timeoutMs, cacheSize: 0, rateLimitPatienceMs: 0 });
  try {
    await scorer.scoreBatch([{ context: 'def add(a, b):\n', target: '    return a + b\n' }]);
  } catch (err) {
    // 429: up and busy (its prompt log-probs are then first tried by the run itself).
    if (err instanceof ScorerRateLimitedError) return;
    const reason = (err instanceof Error ? err.message : String(err)).replace(`${t.baseURL}: `, '');
    throw new EndpointFailure(`${t.baseURL} (a prompt log-probs request): cannot score with it: ${reason}`);
  } finally {
    await scorer.close();
  }
}

const sglangInfoSchema = z.object({ model_path: z.string(), is_generation: z.boolean().optional() });

/**
 * An SGLang server's model: `GET /get_model_info` (it is an SGLang server, serving a generation
 * model), and the model named must be its path or a name in its `/v1/models`.
 */
async function checkSglangModel(t: Target, timeoutMs: number): Promise<void> {
  let body: unknown;
  try {
    body = await client(t, timeoutMs).get('/get_model_info');
  } catch (err) {
    if (err instanceof OpenAI.APIError && err.status === 404) {
      throw new EndpointFailure(`${t.baseURL} (GET /get_model_info): 404: not an SGLang server? Give the server's root (SGLang's native API is not under /v1); for vLLM use openai:<base URL>/v1#<model>`);
    }
    throw failure(err, t, 'GET /get_model_info', timeoutMs);
  }
  const parsed = sglangInfoSchema.safeParse(body);
  if (!parsed.success) throw new EndpointFailure(`${t.baseURL} (GET /get_model_info): not SGLang's model info`);
  if (parsed.data.is_generation === false) throw new EndpointFailure(`${t.baseURL} serves an embedding model (${parsed.data.model_path}), which cannot score text`);
  const listed = await client(t, timeoutMs).get(`${t.baseURL}/v1/models`).then((b) => modelListSchema.safeParse(b), () => undefined);
  const served = [parsed.data.model_path, ...(listed?.success ? listed.data.data.map((m) => m.id) : [])];
  if (!served.includes(t.model)) throw new EndpointFailure(`${t.baseURL} does not serve the model "${t.model}" (it serves: ${[...new Set(served)].join(', ')})`);
}

/** One tiny score through the SGLang scorer: `/tokenize`, then `/generate` with input log-probs. */
async function trySglangScore(t: Target, timeoutMs: number): Promise<void> {
  const scorer = new SGLangScorer({ model: t.model, endpoints: [t.baseURL], apiKey: t.apiKey, retries: 0, timeoutMs, cacheSize: 0 });
  try {
    await scorer.scoreBatch([{ context: 'def add(a, b):\n', target: '    return a + b\n' }]);
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).replace(`${t.baseURL}: `, '');
    throw new EndpointFailure(`${t.baseURL} (a /generate request with input log-probs): cannot score with it: ${reason}`);
  } finally {
    await scorer.close();
  }
}

async function check(t: Target, opts: Required<Omit<PreflightOptions, 'env'>>): Promise<void> {
  if (t.kind === 'sglang') {
    await checkSglangModel(t, opts.listTimeoutMs);
    return trySglangScore(t, opts.tryTimeoutMs);
  }
  await checkModels(t, opts.listTimeoutMs);
  if (t.kind === 'chat') await tryChat(t, opts.tryTimeoutMs);
  else await tryScore(t, opts.tryTimeoutMs);
}

/** Checks every endpoint `settings` name; throws a PreflightError naming each that failed. */
export async function preflight(settings: PreflightSettings, opts: PreflightOptions = {}): Promise<void> {
  const env = opts.env ?? process.env;
  const targets = [...chatTargets(settings.policies, env), ...scorerTarget(settings.scorer, env)];
  const timeouts = { listTimeoutMs: opts.listTimeoutMs ?? 5_000, tryTimeoutMs: opts.tryTimeoutMs ?? 10_000 };
  const outcomes = await Promise.allSettled(targets.map((t) => check(t, timeouts)));
  const failed = outcomes.flatMap((o, k) => {
    if (o.status === 'fulfilled') return [];
    const t = targets[k]!;
    const reason = o.reason instanceof Error ? o.reason.message : String(o.reason);
    return [`  ${t.kind === 'chat' ? `model for ${t.users.join(', ')}` : 'scorer'}: ${reason}`];
  });
  if (failed.length > 0) throw new PreflightError(`preflight: ${failed.length} of ${targets.length} endpoints cannot be used; nothing was started\n${failed.join('\n')}`);
}

/** `settings`, once every endpoint they name answered (for a call site that passes them on). */
export async function preflighted<S extends PreflightSettings>(settings: S, opts: PreflightOptions = {}): Promise<S> {
  await preflight(settings, opts);
  return settings;
}
