/**
 * The SGLang scorer: SGLang's native `POST /generate` with `return_logprob` and
 * `logprob_start_len`, which scores a prompt from a position on and keeps the shared prefix in the
 * server's radix cache. A search scores many candidates that share one long context (the file so
 * far; every candidate's reasoning is joined after it), so after the first call the context is
 * cached and each candidate pays a prefill of its own reasoning and the target only. vLLM, asked
 * for `prompt_logprobs`, recomputes the whole prompt on every call (openai.ts).
 *
 * Each prompt is tokenized with the server's `/tokenize` (cached), the target starts where the
 * context's tokens and the prompt's part (a token straddling the boundary is the target's; one
 * `/tokenize` per candidate where none straddles it, align.ts),
 * and the batch goes as token ids in one `/generate` request (wire shapes: sglang-wire.ts), so
 * every candidate of a search is sent with the same context tokens the cache holds. Nothing is
 * generated (`max_new_tokens: 0`).
 *
 * As the OpenAI scorer: `batchSize` prompts per request, a concurrency limit per endpoint, retries
 * with backoff on 5xx / connection errors / timeouts / unreadable bodies, then the next endpoint, a
 * 429 waited out (src/models/retry.ts: it slows the search until `rateLimitPatienceMs`); an LRU of results keyed by (model, context, target); with the run's model gateway
 * (src/models), each result is also looked up in and stored to its call cache (keyed by model,
 * mode `sglang`, the cap, context and target), so a repeated or resumed run scores nothing twice,
 * and each `/generate` goes out under the gateway's limits for its endpoint. `calls()` meters
 * every `/generate` request, with the prompt tokens the server found cached (`cachedTokens`).
 */
import { LRUCache } from 'lru-cache';
import OpenAI from 'openai';
import pLimit, { type LimitFunction } from 'p-limit';
import { CallMeter, type CallStats } from '../../accounting/call-meter.ts';
import { callKey, estimateTokens, RetryState, type ModelGateway } from '../../models/mod.ts';
import { capContextIds } from './context-cap.ts';
import { ScorerBadResponseError, UnsupportedServerError } from './errors.ts';
import { cacheKey, classify, defaultSleep, failureOf, withFailover, type EndpointConfig, type ServedScorerOptions } from './openai.ts';
import { alignPrompt, TokenMemo } from './align.ts';
import { ScoreResultShape, tokenizedIds } from './openai-wire.ts';
import { batchUsage, fromInputLogprobs, generateBody, outputsByPrompt, type GenerateOutput, type PromptToScore } from './sglang-wire.ts';
import type { ScoreItem, ScoreOptions, ScoreResult, Scorer } from './types.ts';

/**
 * `model`: the served model's name, what results, caches and preflight are keyed by; `endpoints`:
 * server roots, e.g. `http://gpu1:30000` (a trailing `/v1` is dropped: the native API is at the
 * root); `apiKey`: SGLang's `--api-key`.
 */
export interface SGLangScorerOptions extends ServedScorerOptions {
  /** Milliseconds a batch may wait in all on 429s before it fails (ScorerRateLimitedError); 30 minutes by default. */
  rateLimitPatienceMs?: number;
}

interface Endpoint {
  readonly name: string;
  readonly client: OpenAI;
  readonly limit: LimitFunction;
  /** How many special tokens (BOS) the server's tokenizer puts first; asked once, for the cap. */
  specials?: Promise<number>;
}

export interface SGLangScorerStats {
  /** `/generate` and `/tokenize` requests. */
  requests: number;
  tokenizeRequests: number;
  retries: number;
  failovers: number;
  cacheHits: number;
  /** Prompts sent to be scored (retries included). */
  items: number;
  /** Prompt tokens the server found in its radix cache (`meta_info.cached_tokens`). */
  cachedTokens: number;
  /** Context tokens the cap dropped. */
  cutTokens: number;
}

export type SGLangScorerCalls = CallStats & Omit<SGLangScorerStats, 'requests'>;

/** An item to score: its LRU key, its call-cache key, and where in the batch its result goes. */
interface Pending {
  key: string;
  stored: string;
  item: ScoreItem;
  at: number[];
}

const root = (url: string) => url.replace(/\/+$/, '').replace(/\/v1$/, '');

export class SGLangScorer implements Scorer {
  readonly model: string;
  readonly stats: SGLangScorerStats = { requests: 0, tokenizeRequests: 0, retries: 0, failovers: 0, cacheHits: 0, items: 0, cachedTokens: 0, cutTokens: 0 };
  /** Every `/generate` request sent, whatever the search makes of its answer. */
  readonly meter = new CallMeter();
  private readonly endpoints: Endpoint[];
  private readonly cache: LRUCache<string, ScoreResult> | undefined;
  private readonly tokenCache = new TokenMemo();
  private readonly batchSize: number;
  private readonly retries: number;
  private readonly baseMs: number;
  private readonly maxMs: number;
  private readonly maxContextTokens: number | undefined;
  private readonly gateway: ModelGateway | undefined;
  private readonly timeoutMs: number;
  private readonly patienceMs: number;
  private readonly random: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private next = 0;

  constructor(opts: SGLangScorerOptions) {
    if (opts.endpoints.length === 0) throw new RangeError('SGLangScorer needs at least one endpoint');
    this.model = opts.model;
    this.batchSize = Math.max(1, opts.batchSize ?? 16);
    this.retries = Math.max(0, opts.retries ?? 3);
    this.baseMs = opts.backoff?.baseMs ?? 250;
    this.maxMs = opts.backoff?.maxMs ?? 8000;
    this.maxContextTokens = opts.maxContextTokens;
    this.gateway = opts.gateway;
    this.timeoutMs = opts.timeoutMs ?? 60_000;
    this.patienceMs = opts.rateLimitPatienceMs ?? 30 * 60_000;
    this.random = opts.random ?? Math.random;
    this.sleep = opts.sleep ?? defaultSleep;
    const cacheSize = opts.cacheSize ?? 10_000;
    this.cache = cacheSize > 0 ? new LRUCache({ max: cacheSize }) : undefined;
    this.endpoints = opts.endpoints.map((e) => {
      const config = typeof e === 'string' ? { baseURL: e } : e;
      const name = root(config.baseURL);
      return {
        name,
        client: new OpenAI({ baseURL: name, apiKey: config.apiKey ?? opts.apiKey ?? 'EMPTY', maxRetries: 0, timeout: this.timeoutMs }),
        limit: pLimit(Math.max(1, opts.concurrency ?? 4)),
      };
    });
  }

  async scoreBatch(items: readonly ScoreItem[], opts: ScoreOptions = {}): Promise<ScoreResult[]> {
    const results = new Array<ScoreResult | undefined>(items.length);
    const pending = await this.notStored(this.pendingItems(items, results), results);
    const chunks: Array<typeof pending> = [];
    for (let k = 0; k < pending.length; k += this.batchSize) chunks.push(pending.slice(k, k + this.batchSize));
    const store = this.gateway?.cache;
    await Promise.all(
      chunks.map(async (chunk) => {
        const scored = await this.scoreWithFailover(chunk.map((p) => p.item), opts.signal);
        await Promise.all(
          chunk.map(async (p, k) => {
            this.cache?.set(p.key, scored[k]!);
            for (const at of p.at) results[at] = scored[k]!;
            await store?.put(p.stored, { model: this.model, kind: 'score' }, scored[k]!, null);
          }),
        );
      }),
    );
    return results as ScoreResult[];
  }

  /** The pending items the gateway's call cache does not hold (those it holds are filled in). */
  private async notStored(pending: Pending[], results: Array<ScoreResult | undefined>): Promise<Pending[]> {
    const store = this.gateway?.cache;
    if (!store) return pending;
    const found = await Promise.all(pending.map((p) => store.get(p.stored)));
    return pending.filter((p, k) => {
      const parsed = found[k] ? ScoreResultShape.safeParse(found[k].answer) : undefined;
      if (!parsed?.success) return true;
      this.meter.cached(found[k]!.usage);
      this.cache?.set(p.key, parsed.data);
      for (const at of p.at) results[at] = parsed.data;
      return false;
    });
  }

  /** The scoring requests sent so far: latency, tokens, errors, with the stats. */
  calls(): SGLangScorerCalls {
    const { requests: _all, ...rest } = this.stats;
    return { ...this.meter.stats(), ...rest };
  }

  async close(): Promise<void> {
    this.cache?.clear();
    this.tokenCache.clear();
  }

  /** Fills empty targets and cache hits into `results`; the rest, once each, in order. */
  private pendingItems(items: readonly ScoreItem[], results: Array<ScoreResult | undefined>): Pending[] {
    const pending = new Map<string, Pending>();
    items.forEach((item, at) => {
      if (item.target === '') {
        results[at] = { logprob: 0, tokenLogprobs: [], tokens: [] };
        return;
      }
      const key = cacheKey(this.model, item);
      const hit = this.cache?.get(key);
      if (hit) {
        this.stats.cacheHits++;
        results[at] = hit;
      } else if (pending.has(key)) pending.get(key)!.at.push(at);
      else pending.set(key, { key, stored: this.storedKey(item), item, at: [at] });
    });
    return [...pending.values()];
  }

  /** The item's key in the call cache: its own mode, and the cap (a capped score is another score). */
  private storedKey(item: ScoreItem): string {
    return callKey({ model: this.model, kind: 'score', body: { mode: 'sglang', maxContextTokens: this.maxContextTokens ?? null, context: item.context, target: item.target } });
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
    const prompts = await Promise.all(items.map((item) => this.prompt(endpoint, item, signal)));
    const outputs = await this.generate(endpoint, generateBody(prompts), prompts.length, signal);
    return outputs.map((output, k) => fromInputLogprobs(output, prompts[k]!, endpoint.name));
  }

  /** The item's prompt as the server's token ids, the target's start, the cap applied. */
  private async prompt(endpoint: Endpoint, item: ScoreItem, signal?: AbortSignal): Promise<PromptToScore> {
    const { full, from } = await alignPrompt((text) => this.tokenize(endpoint, text, signal), item);
    if (this.maxContextTokens === undefined) return { ids: full, from };
    const capped = capContextIds(full, from, await this.specials(endpoint, signal), this.maxContextTokens);
    this.stats.cutTokens += capped.cut;
    return { ids: capped.ids, from: capped.from };
  }

  private specials(endpoint: Endpoint, signal?: AbortSignal): Promise<number> {
    if (!endpoint.specials) {
      const asked = this.tokenize(endpoint, '', signal).then((ids) => ids.length);
      // A failed question is asked again next time, not remembered.
      asked.catch(() => (endpoint.specials = undefined));
      endpoint.specials = asked;
    }
    return endpoint.specials;
  }

  private tokenize(endpoint: Endpoint, text: string, signal?: AbortSignal): Promise<number[]> {
    return this.tokenCache.get(endpoint.name, text, () => this.tokenizeRemote(endpoint, text, signal));
  }

  private async tokenizeRemote(endpoint: Endpoint, text: string, signal?: AbortSignal): Promise<number[]> {
    this.stats.requests++;
    this.stats.tokenizeRequests++;
    let body: unknown;
    try {
      body = await endpoint.client.post(`${endpoint.name}/tokenize`, { body: { model: this.model, prompt: text, add_special_tokens: true }, signal: signal ?? null });
    } catch (err) {
      if (err instanceof OpenAI.NotFoundError) {
        throw new UnsupportedServerError(`${endpoint.name}: no /tokenize endpoint, so the target's position cannot be found (an SGLang server serves it at its root)`, { endpoint: endpoint.name, cause: err });
      }
      throw err;
    }
    const ids = tokenizedIds(body);
    if (!ids) throw new ScorerBadResponseError(`${endpoint.name}: malformed /tokenize response (no list of integer tokens)`, { endpoint: endpoint.name });
    return ids;
  }

  /** One `/generate` request, counted and metered (latency, the outputs' token counts, the error's class). */
  private async generate(endpoint: Endpoint, body: Record<string, unknown>, prompts: number, signal?: AbortSignal): Promise<GenerateOutput[]> {
    const ids = (body.input_ids as number[][]).reduce((n, p) => n + p.length, 0);
    const send = { endpoint: endpoint.name, tokens: estimateTokens(4 * ids, 0), leaseMs: this.timeoutMs, signal };
    const once = async () => {
      const outputs = await this.generateOnce(endpoint, body, prompts, signal);
      const usage = batchUsage(outputs);
      return { answer: outputs, usage: { promptTokens: usage.prompt_tokens, completionTokens: usage.completion_tokens } };
    };
    return (this.gateway ? await this.gateway.limited(send, once) : await once()).answer;
  }

  private async generateOnce(endpoint: Endpoint, body: Record<string, unknown>, prompts: number, signal?: AbortSignal): Promise<GenerateOutput[]> {
    this.stats.requests++;
    this.stats.items += prompts;
    return this.meter.time(async () => {
      let out: unknown;
      try {
        out = await endpoint.client.post(`${endpoint.name}/generate`, { body, signal: signal ?? null });
      } catch (err) {
        if (err instanceof OpenAI.NotFoundError) {
          throw new UnsupportedServerError(`${endpoint.name}: no /generate endpoint: not an SGLang server (its native API is at the server's root, not under /v1)`, { endpoint: endpoint.name, cause: err });
        }
        throw err;
      }
      const outputs = outputsByPrompt(out, prompts, endpoint.name);
      const usage = batchUsage(outputs);
      this.meter.usage(usage);
      this.stats.cachedTokens += usage.cached_tokens;
      return outputs;
    }, (err) => classify(err, endpoint.name).error.name);
  }
}
