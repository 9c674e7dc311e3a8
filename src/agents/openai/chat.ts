/**
 * One chat-completions endpoint, through the official `openai` client: a request, its errors
 * classified, its usage counted, every request metered (latency, tokens, errors), and the JSON
 * exchange every role uses (ask for an object, read it even when the server ignored
 * `response_format`, check it, and on failure ask once more with the reason in the prompt).
 *
 * Every completion goes through the run's model gateway (src/models/gateway.ts): answered from
 * the call cache when the same request (model, messages, temperature, limit, seed) was answered
 * before, sent under the endpoint's limits otherwise, and retried there — a 429 as long as the
 * server keeps shedding load (after its Retry-After), transport faults (408/409/5xx, connection
 * errors, timeouts) `maxRetries` times with backoff. The client's own retries are off. The client
 * lives in a private field so that logging this object cannot print the key.
 */
import OpenAI from 'openai';
import { z } from 'zod';
import {
  PolicyAuthError,
  PolicyBadResponseError,
  PolicyError,
  PolicyOutputError,
  PolicyRateLimitedError,
  PolicyTimeoutError,
  PolicyUnreachableError,
} from './errors.ts';
import { CallMeter } from '../../accounting/call-meter.ts';
import { estimateTokens, fetchKeepingErrorBodies, ModelGateway, retryAfterMs, type Failure, type Paid } from '../../models/mod.ts';
import { extractJsonObject } from './json.ts';
import type { ResolvedParams } from './params.ts';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatUsage {
  /** Completions answered (retried HTTP attempts inside the client count once). */
  requests: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatOptions {
  seed: number;
  temperature: number;
}

/** A check of a parsed answer: its value, or what is wrong with it (said to the model on the retry). */
export type Check<T> = (value: Record<string, unknown>) => { ok: true; value: T } | { ok: false; error: string };

/** The part of a chat completion we read; anything else the server sends is ignored. */
const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({ content: z.string().nullable().optional() }),
        finish_reason: z.string().nullable().optional(),
      }),
    )
    .min(1),
  usage: z
    .object({ prompt_tokens: z.number().optional(), completion_tokens: z.number().optional(), total_tokens: z.number().optional() })
    .nullable()
    .optional(),
});

type Completion = z.infer<typeof completionSchema>;

/** A 400 about `response_format`: the server does not take JSON mode. */
function rejectsResponseFormat(err: unknown): boolean {
  const cause = err instanceof PolicyError ? err.cause : err;
  return cause instanceof OpenAI.BadRequestError && /response_format|json_object/i.test(cause.message);
}

/** Seeds travel as integers (the API's `seed` is an int64). */
function apiSeed(seed: number): number {
  return Number.isSafeInteger(seed) ? seed : Math.trunc(seed) % Number.MAX_SAFE_INTEGER || 0;
}

/** What the server said, from an error's body: its `error.message`, or the body itself, cut short. */
export function errorBody(err: InstanceType<typeof OpenAI.APIError>): string {
  const body = err.error as { message?: unknown; error?: { message?: unknown } } | string | undefined;
  const said = typeof body === 'string' ? body : typeof body?.message === 'string' ? body.message : typeof body?.error?.message === 'string' ? body.error.message : body === undefined ? '' : JSON.stringify(body);
  const text = said.replace(/\s+/g, ' ').trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** What a failed attempt means for trying again (src/models/retry.ts). */
export function chatFailure(err: unknown): Failure {
  if (err instanceof OpenAI.APIConnectionError) return { kind: 'transient' };
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    if (status === 429) return { kind: 'rate-limited', retryAfterMs: retryAfterMs(err.headers) };
    if (status === 408 || status === 409 || status >= 500) return { kind: 'transient', retryAfterMs: retryAfterMs(err.headers) };
  }
  return { kind: 'fatal' };
}

/** How many times a request was sent, for messages. */
export interface Attempts {
  attempts: number;
  timeoutMs: number;
}

export function classifyChatError(err: unknown, endpoint: string, tried: Attempts = { attempts: 1, timeoutMs: 0 }): PolicyError {
  if (err instanceof PolicyError) return err;
  const times = tried.attempts === 1 ? 'once' : `${tried.attempts} times`;
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return new PolicyTimeoutError(`${endpoint}: no answer within the timeout (timeoutMs ${tried.timeoutMs} ms), asked ${times}`, { endpoint, cause: err });
  }
  if (err instanceof OpenAI.APIConnectionError) {
    return new PolicyUnreachableError(`${endpoint}: cannot connect (${err.message}), tried ${times}`, { endpoint, cause: err });
  }
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    const said = errorBody(err);
    const body = said ? `: ${said}` : '';
    if (status === 401 || status === 403) {
      return new PolicyAuthError(`${endpoint}: the server refused the API key (${status})${body}`, { endpoint, cause: err });
    }
    if (status === 429) return new PolicyRateLimitedError(`${endpoint}: 429 (rate limited) on every one of ${tried.attempts} attempts${body}`, { endpoint, cause: err });
    if (status === 408 || status === 409 || status >= 500) {
      return new PolicyUnreachableError(`${endpoint}: ${status} after ${tried.attempts} attempt${tried.attempts === 1 ? '' : 's'}${body}`, { endpoint, cause: err });
    }
    return new PolicyBadResponseError(`${endpoint}: ${status}${body}`, { endpoint, cause: err });
  }
  // A body that is not JSON (the client's SyntaxError) or anything else unexpected.
  const message = err instanceof Error ? err.message : String(err);
  return new PolicyBadResponseError(`${endpoint}: unreadable response: ${message}`, { endpoint, cause: err });
}

export class ChatEndpoint {
  /** Completions paid for (answered by the server; from the cache or shared: not counted). */
  readonly totals: ChatUsage = { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  /** Every request sent, answered or not, and every answer taken from the cache (src/accounting/call-meter.ts). */
  readonly meter = new CallMeter();
  readonly #client: OpenAI;
  readonly #gateway: ModelGateway;
  #jsonMode: boolean;

  /** `gateway`: the run's (cache, limits); one of this endpoint's own (limits and retries, no cache) when absent. */
  constructor(
    readonly params: ResolvedParams,
    apiKey: string,
    gateway?: ModelGateway,
  ) {
    this.#jsonMode = params.jsonMode;
    this.#gateway = gateway ?? new ModelGateway();
    this.#client = new OpenAI({
      baseURL: params.baseURL,
      apiKey,
      // Retries are the gateway's (a 429 is waited out; see src/models/retry.ts).
      maxRetries: 0,
      timeout: params.timeoutMs,
      // vLLM's and SGLang's error bodies are not OpenAI's shape: keep their words for our errors.
      fetch: fetchKeepingErrorBodies,
      // A policy runs inside agents; the browser guard is irrelevant, and the client must not log.
      logLevel: 'off',
    });
  }

  get endpoint(): string {
    return this.params.baseURL;
  }

  /** Whether requests still carry `response_format` (false once the server rejected it). */
  get jsonMode(): boolean {
    return this.#jsonMode;
  }

  /** One completion: its content and why it stopped. */
  async complete(messages: readonly ChatMessage[], opts: ChatOptions): Promise<{ content: string; finishReason: string | null }> {
    let completion: Completion;
    try {
      completion = await this.ask(messages, opts);
    } catch (err) {
      if (!this.#jsonMode || !rejectsResponseFormat(err)) throw err;
      // Some servers (older vLLM builds, llama.cpp without grammar support) refuse the field: drop it for good.
      this.#jsonMode = false;
      completion = await this.ask(messages, opts);
    }
    const choice = completion.choices[0]!;
    return { content: choice.message.content ?? '', finishReason: choice.finish_reason ?? null };
  }

  /** One completion through the gateway: from the cache, or paid (and counted in `totals`). */
  private async ask(messages: readonly ChatMessage[], opts: ChatOptions): Promise<Completion> {
    const body = this.requestBody(messages, opts);
    let attempts = 0;
    const promptChars = messages.reduce((n, m) => n + m.content.length, 0);
    try {
      const answer = await this.#gateway.call<Completion>(
        { model: this.params.model, kind: 'chat', body },
        {
          endpoint: this.endpoint,
          tokens: estimateTokens(promptChars, this.params.maxTokens),
          leaseMs: this.params.timeoutMs,
          classify: chatFailure,
          retry: { maxRetries: this.params.maxRetries, baseMs: 500 },
        },
        () => {
          attempts++;
          return this.attempt(body);
        },
      );
      if (answer.source === 'paid') this.count(answer.answer);
      else this.meter.cached(answer.usage);
      return answer.answer;
    } catch (err) {
      // A call that shared another's flight made no attempt of its own: it saw that one's.
      throw classifyChatError(err, this.endpoint, { attempts: Math.max(1, attempts), timeoutMs: this.params.timeoutMs });
    }
  }

  private count(completion: Completion): void {
    this.totals.requests++;
    const usage = completion.usage;
    if (usage) {
      const prompt = usage.prompt_tokens ?? 0;
      const completionTokens = usage.completion_tokens ?? 0;
      this.totals.promptTokens += prompt;
      this.totals.completionTokens += completionTokens;
      this.totals.totalTokens += usage.total_tokens ?? prompt + completionTokens;
    }
  }

  /**
   * One request, counted by the meter (latency, usage, the error's class): the completion, or the
   * client's error as thrown (the gateway decides whether to try again), or a PolicyBadResponseError.
   */
  private attempt(body: OpenAI.ChatCompletionCreateParamsNonStreaming): Promise<Paid<Completion>> {
    return this.meter.time(async () => {
      const raw: unknown = await this.#client.chat.completions.create(body);
      const parsed = completionSchema.safeParse(raw);
      if (!parsed.success) {
        throw new PolicyBadResponseError(`${this.endpoint}: not a chat completion: ${parsed.error.issues[0]?.message ?? 'wrong shape'}`, {
          endpoint: this.endpoint,
          cause: parsed.error,
        });
      }
      this.meter.usage(parsed.data.usage);
      const usage = parsed.data.usage;
      return { answer: parsed.data, usage: usage ? { promptTokens: usage.prompt_tokens ?? 0, completionTokens: usage.completion_tokens ?? 0 } : null };
    }, (err) => classifyChatError(err, this.endpoint).name);
  }

  /**
   * Asks for a JSON object and checks it. An answer that is not JSON or fails `check` is asked
   * again once, with the answer and what was wrong with it in the conversation; a second failure is
   * a PolicyOutputError.
   */
  async json<T>(messages: readonly ChatMessage[], check: Check<T>, opts: ChatOptions): Promise<T> {
    return (await this.exchange(messages, check, opts)).value;
  }

  /**
   * `json`, with the conversation it ended in (the answer used is its last message): a caller that
   * must ask again for another reason (the knowledge boundary) goes on from there.
   */
  async exchange<T>(messages: readonly ChatMessage[], check: Check<T>, opts: ChatOptions): Promise<{ value: T; conversation: ChatMessage[] }> {
    const conversation = [...messages];
    let lastError = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      const { content, finishReason } = await this.complete(conversation, opts);
      const result = readAnswer(content, finishReason, check);
      if (result.ok) return { value: result.value, conversation: [...conversation, { role: 'assistant', content }] };
      lastError = result.error;
      conversation.push(
        { role: 'assistant', content },
        {
          role: 'user',
          content: `That answer cannot be used: ${result.error}\nAnswer again with only the JSON object, in the shape asked for.`,
        },
      );
    }
    throw new PolicyOutputError(`${this.endpoint}: the model's answer was not usable after one retry: ${lastError}`, lastError, {
      endpoint: this.endpoint,
    });
  }

  /** The request as sent, and as keyed in the call cache: model, messages, temperature, limit, seed, format. */
  private requestBody(messages: readonly ChatMessage[], opts: ChatOptions): OpenAI.ChatCompletionCreateParamsNonStreaming {
    return {
      model: this.params.model,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      temperature: opts.temperature,
      [this.params.maxTokensField]: this.params.maxTokens,
      seed: apiSeed(opts.seed),
      ...(this.#jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
    };
  }
}

function readAnswer<T>(content: string, finishReason: string | null, check: Check<T>): { ok: true; value: T } | { ok: false; error: string } {
  const value = extractJsonObject(content);
  if (!value) {
    const cut = finishReason === 'length' ? ' (the answer was cut off at the token limit: be shorter)' : '';
    return { ok: false, error: `it holds no JSON object${cut}` };
  }
  return check(value);
}

/** A Check from a zod schema and an optional grounding check on the typed value. */
export function schemaCheck<S extends z.ZodType, T = z.infer<S>>(
  schema: S,
  ground: (value: z.infer<S>) => { ok: true; value: T } | { ok: false; error: string } = (v) => ({ ok: true, value: v as T }),
): Check<T> {
  return (raw) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      return { ok: false, error: `it does not match the shape: ${issues.join('; ')}` };
    }
    return ground(parsed.data);
  };
}
