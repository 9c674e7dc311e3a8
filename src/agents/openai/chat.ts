/**
 * One chat-completions endpoint, through the official `openai` client: a request, its errors
 * classified, its usage counted, every request metered (latency, tokens, errors), and the JSON
 * exchange every role uses (ask for an object, read it even when the server ignored
 * `response_format`, check it, and on failure ask once more with the reason in the prompt).
 *
 * Retries of transport faults (408/409/429/5xx, connection errors, timeouts) are the client's own:
 * exponential backoff from 0.5 s, honouring `retry-after` / `retry-after-ms`. The client lives in a
 * private field so that logging this object cannot print the key.
 */
import OpenAI from 'openai';
import { z } from 'zod';
import {
  PolicyAuthError,
  PolicyBadResponseError,
  PolicyError,
  PolicyOutputError,
  PolicyTimeoutError,
  PolicyUnreachableError,
} from './errors.ts';
import { CallMeter, errorName } from '../../accounting/call-meter.ts';
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

export function classifyChatError(err: unknown, endpoint: string): PolicyError {
  if (err instanceof PolicyError) return err;
  if (err instanceof OpenAI.APIConnectionTimeoutError) {
    return new PolicyTimeoutError(`${endpoint}: no answer within the timeout`, { endpoint, cause: err });
  }
  if (err instanceof OpenAI.APIConnectionError) {
    return new PolicyUnreachableError(`${endpoint}: cannot connect (${err.message})`, { endpoint, cause: err });
  }
  if (err instanceof OpenAI.APIError) {
    const status = err.status ?? 0;
    if (status === 401 || status === 403) {
      return new PolicyAuthError(`${endpoint}: the server refused the API key (${status})`, { endpoint, cause: err });
    }
    if (status === 429 || status === 408 || status >= 500) {
      return new PolicyUnreachableError(`${endpoint}: ${status} after every retry`, { endpoint, cause: err });
    }
    return new PolicyBadResponseError(`${endpoint}: ${status} ${err.message}`, { endpoint, cause: err });
  }
  // A body that is not JSON (the client's SyntaxError) or anything else unexpected.
  const message = err instanceof Error ? err.message : String(err);
  return new PolicyBadResponseError(`${endpoint}: unreadable response: ${message}`, { endpoint, cause: err });
}

export class ChatEndpoint {
  readonly totals: ChatUsage = { requests: 0, promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  /** Every request sent, answered or not: latency, tokens, errors (src/accounting/call-meter.ts). */
  readonly meter = new CallMeter();
  readonly #client: OpenAI;
  #jsonMode: boolean;

  constructor(
    readonly params: ResolvedParams,
    apiKey: string,
  ) {
    this.#jsonMode = params.jsonMode;
    this.#client = new OpenAI({
      baseURL: params.baseURL,
      apiKey,
      maxRetries: params.maxRetries,
      timeout: params.timeoutMs,
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
      completion = await this.attempt(messages, opts);
    } catch (err) {
      if (!this.#jsonMode || !rejectsResponseFormat(err)) throw err;
      // Some servers (older vLLM builds, llama.cpp without grammar support) refuse the field: drop it for good.
      this.#jsonMode = false;
      completion = await this.attempt(messages, opts);
    }
    this.totals.requests++;
    const usage = completion.usage;
    if (usage) {
      const prompt = usage.prompt_tokens ?? 0;
      const completionTokens = usage.completion_tokens ?? 0;
      this.totals.promptTokens += prompt;
      this.totals.completionTokens += completionTokens;
      this.totals.totalTokens += usage.total_tokens ?? prompt + completionTokens;
    }
    const choice = completion.choices[0]!;
    return { content: choice.message.content ?? '', finishReason: choice.finish_reason ?? null };
  }

  /** One request, counted by the meter (latency, usage, error): the completion, or a PolicyError. */
  private attempt(messages: readonly ChatMessage[], opts: ChatOptions): Promise<Completion> {
    return this.meter.time(async () => {
      let body: unknown;
      try {
        body = await this.create(messages, opts);
      } catch (err) {
        throw classifyChatError(err, this.endpoint);
      }
      const parsed = completionSchema.safeParse(body);
      if (!parsed.success) {
        throw new PolicyBadResponseError(`${this.endpoint}: not a chat completion: ${parsed.error.issues[0]?.message ?? 'wrong shape'}`, {
          endpoint: this.endpoint,
          cause: parsed.error,
        });
      }
      this.meter.usage(parsed.data.usage);
      return parsed.data;
    }, errorName);
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

  private create(messages: readonly ChatMessage[], opts: ChatOptions): Promise<unknown> {
    const params: OpenAI.ChatCompletionCreateParamsNonStreaming = {
      model: this.params.model,
      messages: messages.map((m) => ({ role: m.role, content: m.content })),
      temperature: opts.temperature,
      [this.params.maxTokensField]: this.params.maxTokens,
      seed: apiSeed(opts.seed),
      ...(this.#jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
    };
    return this.#client.chat.completions.create(params);
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
