/**
 * The OpenAI-compatible scorer, for GPU scoring nodes (vLLM, SGLang, any server with prompt
 * log-probs), through the official `openai` client on `POST /v1/completions`.
 *
 * Two request shapes (openai-wire.ts):
 * - `prompt_logprobs` (vLLM's extra parameter, sent as an extra body field): we tokenize the
 *   full prompt with the server's `/tokenize`, send it as token ids with `max_tokens: 1`, and read
 *   each target token's log-prob under its own id. The target starts where the context's tokens
 *   and the full prompt's part (a token straddling the boundary counts as the target's), found with
 *   one `/tokenize` of the prompt per candidate where no token straddles it (align.ts).
 * - `echo: true` + `logprobs` (classic): we send text and cut the target by `text_offset`.
 * `auto` (the default) tries the first and falls back to the second, per endpoint; a server that
 * gives neither (llama.cpp's) gets an UnsupportedServerError that says so.
 *
 * Several prompts go in one request (`batchSize`); each endpoint has a concurrency limit; 5xx,
 * connection errors, timeouts and malformed bodies are retried `retries` times with exponential
 * backoff and jitter (honouring Retry-After), then the next endpoint is tried; a 429 is waited out
 * (src/models/retry.ts: it slows the search, it does not fail it). Results are kept in an LRU keyed
 * by (model, mode, context, target), and, with a model gateway that has a call cache, stored there
 * under the same key, so a repeated or resumed run scores nothing twice; an item already being
 * scored by another batch is waited for, not sent again. Each scoring request is sent under the
 * gateway's limits for its endpoint. The client's own retries are off: this file owns the policy.
 * Note: vLLM does not reuse its prefix cache for requests that ask for prompt log-probs, so every
 * call pays a full prefill: keep prompts short.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import OpenAI from 'openai';
import pLimit, { type LimitFunction } from 'p-limit';
import {
  ScorerAuthError,
  ScorerBadResponseError,
  ScorerError,
  ScorerRateLimitedError,
  ScorerUnreachableError,
  UnsupportedServerError,
} from './errors.ts';
import { CallMeter, type CallStats } from '../../accounting/call-meter.ts';
import { callKey, estimateTokens, fetchKeepingErrorBodies, ModelGateway, RetryState, retryAfterMs, type Failure } from '../../models/mod.ts';
import { capContextIds, capContextText } from './context-cap.ts';
import { alignPrompt, TokenMemo } from './align.ts';
import { choicesByPrompt, codePoints, fromEcho, fromPromptLogprobs, reportedUsage, ScoreResultShape, tokenizedIds } from './openai-wire.ts';
import type { ScoreItem, ScoreOptions, ScoreResult, Scorer } from './types.ts';

export type PromptLogprobMode = 'auto' | 'prompt_logprobs' | 'echo';

export interface EndpointConfig {
  /** Base URL of the OpenAI API, e.g. `http://gpu1:8000/v1`. */
  baseURL: string;
  apiKey?: string;
}

/** What every scorer of a served model takes: endpoints, batching, retries, caches, the gateway. */
export interface ServedScorerOptions {
  model: string;
  /** Tried in turn (starting at a rotating one) until one answers. */
  endpoints: ReadonlyArray<string | EndpointConfig>;
  /** Default API key for endpoints without their own. */
  apiKey?: string;
  /** Prompts per request; 16 by default. */
  batchSize?: number;
  /** Requests in flight per endpoint; 4 by default. */
  concurrency?: number;
  /** Retries per endpoint after the first attempt; 3 by default. */
  retries?: number;
  /** Backoff before retry k (0-based): min(maxMs, baseMs * 2^k), half of it jittered. */
  backoff?: { baseMs?: number; maxMs?: number };
  /** Per HTTP request; 60 s by default. */
  timeoutMs?: number;
  /** Results kept in the LRU cache; 10 000 by default, 0 for none. */
  cacheSize?: number;
  /** The run's model gateway: its call cache keeps scores across runs, its limits hold per endpoint. */
  gateway?: ModelGateway;
  /** The context keeps at most its last N tokens before the target (context-cap.ts). */
  maxContextTokens?: number;
  /** Injected for tests: jitter source and sleep. */
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** `apiKey`: `EMPTY` when none (vLLM's convention). */
export interface OpenAIScorerOptions extends ServedScorerOptions {
  mode?: PromptLogprobMode;
  /** Milliseconds a batch may wait in all on 429s before it fails (ScorerRateLimitedError); 30 minutes by default. */
  rateLimitPatienceMs?: number;
}

interface Endpoint {
  readonly name: string;
  readonly root: string;
  readonly client: OpenAI;
  readonly limit: LimitFunction;
  mode: PromptLogprobMode;
}

export interface OpenAIScorerStats {
  /** HTTP requests: `/tokenize` and `/v1/completions`. */
  requests: number;
  retries: number;
  failovers: number;
  cacheHits: number;
  /** Prompts sent to be scored (in `/v1/completions` requests, retries included). */
  items: number;
}

/** The scorer's calls: its scoring requests metered (latency, tokens, errors), with its other figures. */
export type ScorerCalls = CallStats & Omit<OpenAIScorerStats, 'requests'> & { tokenizeRequests: number };

export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

/** An item's key by (model, context, target), for an in-memory cache (the SGLang scorer's). */
export function cacheKey(model: string, item: ScoreItem): string {
  return createHash('sha256')
    .update(`${model.length}:${model}|${item.context.length}:`)
    .update(item.context)
    .update('|')
    .update(item.target)
    .digest('base64');
}

const ABANDONED = Symbol('abandoned');

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(err: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Rejections are seen by whoever awaits the promise; one nobody awaits (every waiter gone) is no crash.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

/** An item's key, in the LRU and in the call cache: model, mode, context and target. */
function scoreKey(model: string, mode: PromptLogprobMode, cap: number | undefined, item: ScoreItem): string {
  return callKey({ model, kind: 'score', body: { mode, maxContextTokens: cap ?? null, context: item.context, target: item.target } });
}

/** What the server said, from an error's body, cut short. */
function errorBody(err: InstanceType<typeof OpenAI.APIError>): string {
  const body = err.error as { message?: unknown } | string | undefined;
  const said = typeof body === 'string' ? body : typeof body?.message === 'string' ? body.message : body === undefined ? '' : JSON.stringify(body);
  const text = said.replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `: ${text.slice(0, 300)}…` : text ? `: ${text}` : '';
}

/** Error of one attempt, classified, and whether trying again (here or elsewhere) may help. */
export function classify(err: unknown, endpoint: string, timeoutMs = 0): { error: ScorerError; retry: boolean; retryAfterMs?: number } {
  if (err instanceof ScorerError) {
    return { error: err, retry: err instanceof ScorerBadResponseError && !(err instanceof UnsupportedServerError) };
  }
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    const limit = timeoutMs > 0 ? ` (timeoutMs ${timeoutMs} ms)` : '';
    return { error: new ScorerUnreachableError(`${endpoint}: no answer within the timeout${limit}`, { endpoint, cause: err }), retry: true };
  }
  if (err instanceof OpenAI.APIConnectionError) {
    return { error: new ScorerUnreachableError(`${endpoint}: ${err.message}`, { endpoint, cause: err }), retry: true };
  }
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    const after = retryAfterMs(err.headers);
    const withAfter = (out: { error: ScorerError; retry: boolean }) => (after === undefined ? out : { ...out, retryAfterMs: after });
    if (status === 429) {
      return withAfter({ error: new ScorerRateLimitedError(`${endpoint}: rate limited (429)${errorBody(err)}`, { endpoint, cause: err }), retry: true });
    }
    if (status === 401 || status === 403) {
      return { error: new ScorerAuthError(`${endpoint}: the server refused the API key (${status})`, { endpoint, cause: err }), retry: false };
    }
    if (status >= 500 || status === 408) {
      return withAfter({ error: new ScorerUnreachableError(`${endpoint}: server error ${status}${errorBody(err)}`, { endpoint, cause: err }), retry: true });
    }
    return { error: new ScorerBadResponseError(`${endpoint}: ${status}${errorBody(err)}`, { endpoint, cause: err }), retry: false };
  }
  // A body that is not JSON (SyntaxError from the client) or anything else unexpected.
  const message = err instanceof Error ? err.message : String(err);
  return { error: new ScorerBadResponseError(`${endpoint}: unreadable response: ${message}`, { endpoint, cause: err }), retry: true };
}

/** What a classified failure means for trying again (src/models/retry.ts). */
export function failureOf(c: { error: ScorerError; retry: boolean; retryAfterMs?: number }): Failure {
  if (!c.retry) return { kind: 'fatal' };
  return { kind: c.error instanceof ScorerRateLimitedError ? 'rate-limited' : 'transient', retryAfterMs: c.retryAfterMs };
}

/** The error reported when every endpoint failed: the most telling kind wins. */
const SEVERITY = [ScorerAuthError, UnsupportedServerError, ScorerBadResponseError, ScorerRateLimitedError, ScorerUnreachableError];

export function worst(errors: ScorerError[]): ScorerError {
  for (const kind of SEVERITY) {
    const hit = errors.find((e) => e instanceof kind);
    if (hit) return hit;
  }
  return errors[errors.length - 1]!;
}

export class OpenAIScorer implements Scorer {
  readonly model: string;
  readonly stats: OpenAIScorerStats = { requests: 0, retries: 0, failovers: 0, cacheHits: 0, items: 0 };
  /** Every scoring request (`/v1/completions`) sent, whatever the search makes of its answer. */
  readonly meter = new CallMeter();
  private readonly endpoints: Endpoint[];
  private readonly cache: LRUCache<string, ScoreResult> | undefined;
  private readonly batchSize: number;
  private readonly retries: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private next = 0;
  private readonly maxContextTokens: number | undefined;
  private readonly mode: PromptLogprobMode;
  private readonly timeoutMs: number;
  private readonly patienceMs: number;
  private readonly gateway: ModelGateway;
  /**
   * Items being scored now, by key: a batch that needs one waits for it instead of sending it
   * again. `ABANDONED` when the batch scoring it was cancelled: the waiter scores it itself.
   */
  private readonly flights = new Map<string, Promise<ScoreResult | typeof ABANDONED>>();
  /** Token ids by (endpoint, text): contexts recur across items (the baseline, sibling reasoning). */
  private readonly tokenCache = new TokenMemo();

  constructor(opts: OpenAIScorerOptions) {
    if (opts.endpoints.length === 0) throw new RangeError('OpenAIScorer needs at least one endpoint');
    this.model = opts.model;
    this.batchSize = Math.max(1, opts.batchSize ?? 16);
    this.retries = Math.max(0, opts.retries ?? 3);
    this.baseMs = opts.backoff?.baseMs ?? 250;
    this.maxMs = opts.backoff?.maxMs ?? 8000;
    this.random = opts.random ?? Math.random;
    this.sleep = opts.sleep ?? defaultSleep;
    this.maxContextTokens = opts.maxContextTokens;
    this.mode = opts.mode ?? 'auto';
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.patienceMs = opts.rateLimitPatienceMs ?? 30 * 60_000;
    this.gateway = opts.gateway ?? new ModelGateway();
    const cacheSize = opts.cacheSize ?? 10_000;
    this.cache = cacheSize > 0 ? new LRUCache({ max: cacheSize }) : undefined;
    this.endpoints = opts.endpoints.map((e) => {
      const config = typeof e === 'string' ? { baseURL: e } : e;
      const baseURL = config.baseURL.replace(/\/+$/, '');
      return {
        name: baseURL,
        root: baseURL.replace(/\/v1$/, ''),
        client: new OpenAI({
          baseURL,
          apiKey: config.apiKey ?? opts.apiKey ?? 'EMPTY',
          maxRetries: 0,
          timeout: opts.timeoutMs ?? 60_000,
          fetch: fetchKeepingErrorBodies,
        }),
        limit: pLimit(Math.max(1, opts.concurrency ?? 4)),
        mode: opts.mode ?? 'auto',
      };
    });
  }

  async scoreBatch(items: readonly ScoreItem[], opts: ScoreOptions = {}): Promise<ScoreResult[]> {
    const results = new Array<ScoreResult | undefined>(items.length);
    const wanted = new Map<string, { item: ScoreItem; at: number[] }>();
    items.forEach((item, at) => {
      if (item.target === '') {
        results[at] = { logprob: 0, tokenLogprobs: [], tokens: [] };
        return;
      }
      const key = scoreKey(this.model, this.mode, this.maxContextTokens, item);
      const hit = this.cache?.get(key);
      if (hit) {
        this.stats.cacheHits++;
        results[at] = hit;
        return;
      }
      const entry = wanted.get(key);
      if (entry) entry.at.push(at);
      else wanted.set(key, { item, at: [at] });
    });
    const answers = await this.scoreWanted([...wanted.entries()], opts.signal);
    answers.forEach((result, k) => {
      for (const at of [...wanted.values()][k]!.at) results[at] = result;
    });
    return results as ScoreResult[];
  }

  /**
   * Items not in the LRU: shared with a batch already scoring them, else looked up in the call
   * cache, else sent (in requests of `batchSize`) and stored.
   */
  private async scoreWanted(wanted: Array<[string, { item: ScoreItem }]>, signal?: AbortSignal): Promise<ScoreResult[]> {
    const mine: Array<{ key: string; item: ScoreItem; done: Deferred<ScoreResult> }> = [];
    const answers = wanted.map(([key, { item }]) => {
      const flying = this.flights.get(key);
      if (flying) {
        return flying.then((r) => {
          if (r === ABANDONED) return this.scoreWanted([[key, { item }]], signal).then((again) => again[0]!);
          this.meter.cached(null);
          return r;
        });
      }
      const done = deferred<ScoreResult>();
      const view = done.promise.catch((err: unknown) => (signal?.aborted ? ABANDONED : Promise.reject(err)));
      view.catch(() => {});
      this.flights.set(key, view);
      mine.push({ key, item, done });
      return done.promise;
    });
    void this.lookUpOrSend(mine, signal)
      .catch((err: unknown) => {
        for (const m of mine) m.done.reject(err);
      })
      .finally(() => {
        for (const m of mine) this.flights.delete(m.key);
      });
    return Promise.all(answers);
  }

  private async lookUpOrSend(mine: Array<{ key: string; item: ScoreItem; done: Deferred<ScoreResult> }>, signal?: AbortSignal): Promise<void> {
    const store = this.gateway.cache;
    const found = store ? await Promise.all(mine.map((m) => store.get(m.key))) : [];
    const unsent: typeof mine = [];
    mine.forEach((m, k) => {
      const parsed = found[k] ? ScoreResultShape.safeParse(found[k].answer) : undefined;
      if (!parsed?.success) return void unsent.push(m);
      this.meter.cached(found[k]!.usage);
      this.cache?.set(m.key, parsed.data);
      m.done.resolve(parsed.data);
    });
    const chunks: Array<typeof unsent> = [];
    for (let k = 0; k < unsent.length; k += this.batchSize) chunks.push(unsent.slice(k, k + this.batchSize));
    await Promise.all(
      chunks.map(async (chunk) => {
        const scored = await this.scoreWithFailover(chunk.map((m) => m.item), signal);
        await Promise.all(
          chunk.map(async (m, k) => {
            const r = scored[k]!;
            this.cache?.set(m.key, r);
            // Stored before it is used: a run killed after using it finds it when resumed.
            await store?.put(m.key, { model: this.model, kind: 'score' }, r, null);
            m.done.resolve(r);
          }),
        );
      }).map((p, k) => p.catch((err: unknown) => chunks[k]!.forEach((m) => m.done.reject(err)))),
    );
  }

  /** The scoring requests sent so far: their latency, tokens and errors, with the stats. */
  calls(): ScorerCalls {
    const { requests, ...rest } = this.stats;
    const scoring = this.meter.stats();
    return { ...scoring, ...rest, tokenizeRequests: requests - scoring.requests };
  }

  async close(): Promise<void> {
    this.cache?.clear();
    this.tokenCache.clear();
  }

  private scoreWithFailover(items: ScoreItem[], signal?: AbortSignal): Promise<ScoreResult[]> {
    const start = this.next++ % this.endpoints.length;
    return withFailover(this.endpoints, start, (e) => this.scoreWithRetries(e, items, signal), () => void this.stats.failovers++, signal);
  }

  /** Retries at one endpoint: transient faults `retries` times, 429s until `rateLimitPatienceMs` of waiting (src/models/retry.ts). */
  private async scoreWithRetries(endpoint: Endpoint, items: ScoreItem[], signal?: AbortSignal): Promise<ScoreResult[]> {
    const retries = new RetryState({ maxRetries: this.retries, baseMs: this.baseMs, maxMs: this.maxMs, patienceMs: this.patienceMs, random: this.random });
    for (;;) {
      try {
        return await endpoint.limit(() => this.scoreOnce(endpoint, items, signal));
      } catch (err) {
        if (signal?.aborted) throw err;
        const classified = classify(err, endpoint.name, this.timeoutMs);
        const delay = retries.next(failureOf(classified));
        if (delay === undefined) throw classified.error;
        this.stats.retries++;
        await this.sleep(delay, signal);
      }
    }
  }

  private async scoreOnce(endpoint: Endpoint, items: ScoreItem[], signal?: AbortSignal): Promise<ScoreResult[]> {
    if (endpoint.mode === 'echo') return this.scoreEcho(endpoint, items, signal);
    if (endpoint.mode === 'prompt_logprobs') return this.scorePromptLogprobs(endpoint, items, signal);
    try {
      const out = await this.scorePromptLogprobs(endpoint, items, signal);
      endpoint.mode = 'prompt_logprobs';
      return out;
    } catch (err) {
      if (!(err instanceof UnsupportedServerError)) throw err;
      const out = await this.scoreEcho(endpoint, items, signal);
      endpoint.mode = 'echo';
      return out;
    }
  }

  private tokenize(endpoint: Endpoint, text: string, signal?: AbortSignal): Promise<number[]> {
    return this.tokenCache.get(endpoint.root, text, () => this.tokenizeRemote(endpoint, text, signal));
  }

  private async tokenizeRemote(endpoint: Endpoint, text: string, signal?: AbortSignal): Promise<number[]> {
    this.stats.requests++;
    let body: unknown;
    try {
      body = await endpoint.client.post(`${endpoint.root}/tokenize`, {
        body: { model: this.model, prompt: text, add_special_tokens: true },
        signal: signal ?? null,
      });
    } catch (err) {
      if (err instanceof OpenAI.NotFoundError) {
        throw new UnsupportedServerError(`${endpoint.name}: no /tokenize endpoint, so prompt_logprobs cannot be aligned`, { endpoint: endpoint.name, cause: err });
      }
      throw err;
    }
    const ids = tokenizedIds(body);
    if (!ids) throw new ScorerBadResponseError(`${endpoint.name}: malformed /tokenize response (no list of integer tokens)`, { endpoint: endpoint.name });
    if (ids.length === 0 && text.length > 0) {
      throw new UnsupportedServerError(`${endpoint.name}: /tokenize returned no tokens (not a vLLM/SGLang tokenizer endpoint)`, { endpoint: endpoint.name });
    }
    return ids;
  }

  private async scorePromptLogprobs(endpoint: Endpoint, items: ScoreItem[], signal?: AbortSignal): Promise<ScoreResult[]> {
    const tokenized = await Promise.all(
      items.map(async (item) => {
        const { full, from } = await alignPrompt((text) => this.tokenize(endpoint, text, signal), item);
        if (this.maxContextTokens === undefined) return { full, from };
        const capped = capContextIds(full, from, (await this.tokenize(endpoint, '', signal)).length, this.maxContextTokens);
        return { full: capped.ids, from: capped.from };
      }),
    );
    // vLLM's extra parameter travels as an extra body field (the client sends unknown fields as-is).
    const params: OpenAI.CompletionCreateParamsNonStreaming & { prompt_logprobs: number } = {
      model: this.model,
      prompt: tokenized.map((t) => t.full),
      max_tokens: 1,
      temperature: 0,
      prompt_logprobs: 1,
    };
    const body = await this.complete(endpoint, params, items.length, signal);
    const choices = choicesByPrompt(body, items.length, endpoint.name);
    return choices.map((choice, k) => fromPromptLogprobs(choice, tokenized[k]!.full, tokenized[k]!.from, endpoint.name));
  }

  /** One `/v1/completions` request, counted and metered (latency, the body's `usage`, the error's class). */
  private async complete(endpoint: Endpoint, params: OpenAI.CompletionCreateParamsNonStreaming, prompts: number, signal?: AbortSignal): Promise<unknown> {
    const chars = Array.isArray(params.prompt) ? params.prompt.reduce<number>((n, p) => n + (typeof p === 'string' ? p.length : 4 * (Array.isArray(p) ? p.length : 1)), 0) : String(params.prompt).length;
    const send = { endpoint: endpoint.name, tokens: estimateTokens(chars, prompts), leaseMs: this.timeoutMs, signal };
    const paid = await this.gateway.limited(send, () => {
      this.stats.requests++;
      this.stats.items += prompts;
      return this.meter.time(async () => {
        const body: unknown = await endpoint.client.completions.create(params, { signal: signal ?? null });
        const usage = reportedUsage(body);
        this.meter.usage(usage);
        return { answer: body, usage: usage ? { promptTokens: usage.prompt_tokens ?? 0, completionTokens: usage.completion_tokens ?? 0 } : null };
      }, (err) => classify(err, endpoint.name, this.timeoutMs).error.name);
    });
    return paid.answer;
  }

  private async scoreEcho(endpoint: Endpoint, items: ScoreItem[], signal?: AbortSignal): Promise<ScoreResult[]> {
    const prompts = items.map((item) => capContextText(item.context, this.maxContextTokens) + item.target);
    const params: OpenAI.CompletionCreateParamsNonStreaming = {
      model: this.model,
      prompt: prompts,
      echo: true,
      logprobs: 1,
      max_tokens: 1,
      temperature: 0,
    };
    const body = await this.complete(endpoint, params, items.length, signal);
    const choices = choicesByPrompt(body, items.length, endpoint.name);
    return choices.map((choice, k) => {
      const item = items[k]!;
      return fromEcho(choice, codePoints(prompts[k]!), codePoints(item.target), endpoint.name);
    });
  }
}

/**
 * `attempt` at each endpoint in turn, from the `start`-th (`onFailover` before each one after the
 * first); when every one fails, the worst of their errors, naming them all.
 */
export async function withFailover<E extends { name: string }, R>(endpoints: readonly E[], start: number, attempt: (endpoint: E) => Promise<R>, onFailover: () => void, signal?: AbortSignal): Promise<R> {
  const errors: ScorerError[] = [];
  for (let k = 0; k < endpoints.length; k++) {
    const endpoint = endpoints[(start + k) % endpoints.length]!;
    if (k > 0) onFailover();
    try {
      return await attempt(endpoint);
    } catch (err) {
      if (signal?.aborted) throw err;
      errors.push(err instanceof ScorerError ? err : classify(err, endpoint.name).error);
    }
  }
  const error = worst(errors);
  if (errors.length > 1) error.message += ` (every endpoint failed: ${errors.map((e) => `${e.name} at ${e.endpoint}`).join('; ')})`;
  throw error;
}
