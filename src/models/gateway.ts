/**
 * The way every model call goes out (a policy's chat completion, a scorer's request): looked up
 * in the call cache by its request's key; made once when identical calls are in flight together;
 * sent under the endpoint's limits (requests in flight, tokens per minute); retried as retry.ts
 * says (a 429 slows the call, never fails it); and its answer stored for the next run.
 *
 * One gateway per process and run, shared by every role's policy and the scorer, so that limits
 * hold per endpoint whoever calls it. A gateway without a cache still limits and retries.
 */
import type { Logger } from 'pino';
import type { CallCache, CallUsage } from './call-cache.ts';
import { callKey, type ModelRequest } from './call-key.ts';
import { MemoryLimiter, realClock, type Clock, type EndpointLimits, type Limiter } from './limits.ts';
import { DEFAULT_RETRY, RetryState, type Failure, type RetrySettings } from './retry.ts';
import { SingleFlight } from './single-flight.ts';

/** What a request cost once answered: its answer (JSON, as cached) and its usage. */
export interface Paid<T> {
  answer: T;
  usage: CallUsage | null;
}

/** Where an answer came from: the server (`paid`), the cache, or an identical call in flight (`shared`). */
export interface Answer<T> extends Paid<T> {
  source: 'paid' | 'cache' | 'shared';
}

export interface SendOptions {
  /** Base URL: limits are per endpoint. */
  endpoint: string;
  /** The request's token estimate (limits.ts `estimateTokens`). */
  tokens: number;
  /** The request's timeout: how long a cluster lease on a slot lasts. */
  leaseMs: number;
  signal?: AbortSignal | undefined;
  /** What a failure means: rate limited, transient, fatal. */
  classify: (err: unknown) => Failure;
  retry?: Partial<RetrySettings>;
  /** Told before each wait to try again. */
  onRetry?: (err: unknown, failure: Failure, delayMs: number) => void;
}

export interface GatewayOptions {
  cache?: CallCache | undefined;
  limiter?: Limiter;
  limits?: EndpointLimits;
  clock?: Clock;
  log?: Logger;
}

export class ModelGateway {
  readonly cache: CallCache | undefined;
  readonly limits: EndpointLimits;
  readonly #limiter: Limiter;
  readonly #clock: Clock;
  readonly #flights = new SingleFlight<Paid<unknown>>();

  constructor(opts: GatewayOptions = {}) {
    this.cache = opts.cache;
    this.limits = opts.limits ?? {};
    this.#clock = opts.clock ?? realClock;
    this.#limiter = opts.limiter ?? new MemoryLimiter(this.#clock);
  }

  /** The whole call: from the cache, or shared with an identical call in flight, or sent and stored. */
  async call<T>(request: ModelRequest, send: SendOptions, attempt: () => Promise<Paid<T>>): Promise<Answer<T>> {
    const key = callKey(request);
    const { value, shared } = await this.#flights.do(key, async () => {
      const hit = await this.cache?.get(key);
      if (hit) return { answer: hit.answer, usage: hit.usage, fromCache: true } as Paid<unknown> & { fromCache: true };
      const paid = await this.send(send, attempt);
      await this.cache?.put(key, request, paid.answer, paid.usage);
      return paid;
    });
    const fromCache = (value as { fromCache?: boolean }).fromCache === true;
    return { answer: value.answer as T, usage: value.usage, source: fromCache ? 'cache' : shared ? 'shared' : 'paid' };
  }

  /** One request under the endpoint's limits, tried again as `send.classify` and retry.ts say; no cache. */
  async send<T>(send: SendOptions, attempt: () => Promise<Paid<T>>): Promise<Paid<T>> {
    const retries = new RetryState({ ...DEFAULT_RETRY, ...send.retry });
    for (;;) {
      try {
        return await this.limited(send, attempt);
      } catch (err) {
        if (send.signal?.aborted) throw err;
        const failure = send.classify(err);
        const delay = retries.next(failure);
        if (delay === undefined) throw err;
        send.onRetry?.(err, failure, delay);
        await this.#clock.sleep(delay, send.signal);
      }
    }
  }

  /** One attempt under the endpoint's limits: a permit taken before, given back after (with the tokens its usage reports). */
  async limited<T>(send: Pick<SendOptions, 'endpoint' | 'tokens' | 'leaseMs' | 'signal'>, attempt: () => Promise<Paid<T>>): Promise<Paid<T>> {
    const permit = await this.#limiter.acquire(send.endpoint, this.limits, { tokens: send.tokens, leaseMs: send.leaseMs, signal: send.signal });
    try {
      const paid = await attempt();
      await permit.release(paid.usage ? paid.usage.promptTokens + paid.usage.completionTokens : send.tokens);
      return paid;
    } catch (err) {
      await permit.release();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.#limiter.close();
  }
}
