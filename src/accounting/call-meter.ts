/**
 * What calls to a served model cost: requests, tokens (from the responses' `usage`), latency and
 * errors. A CallMeter sits inside each client that makes such calls (a policy's chat endpoint, the
 * OpenAI scorer) and counts every request it sends, answered or not, whatever becomes of the
 * answer; `stats()` is a plain-data snapshot (it goes into the run summary and `--json`).
 *
 * Invariants: `requests` counts every request sent, `errors` those that failed (so answered =
 * requests - errors); tokens are summed over answered requests that reported `usage`; latency is
 * over every request, failed ones included (a timeout is a cost too). Answers taken from the
 * model-call cache (or shared with an identical call in flight) were not sent: they are `cached`,
 * never `requests`, and the tokens they cost when they were paid for are `cachedPromptTokens` and
 * `cachedCompletionTokens` (what the cache saved), never `promptTokens`.
 */

export interface LatencyStats {
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
}

export interface CallStats {
  requests: number;
  errors: number;
  /** Failed requests by the error's class name (`PolicyTimeoutError`, `ScorerRateLimitedError`, ...). */
  errorsByKind: Record<string, number>;
  promptTokens: number;
  completionTokens: number;
  /** Answers not paid for: from the model-call cache, or shared with an identical call in flight. */
  cached: number;
  cachedPromptTokens: number;
  cachedCompletionTokens: number;
  /** Milliseconds per request; null before the first. */
  latencyMs: LatencyStats | null;
}

/** The usage block of an OpenAI-compatible response, as far as it is there. */
export interface ReportedUsage {
  prompt_tokens?: number | undefined;
  completion_tokens?: number | undefined;
}

/** The value at quantile `q` of sorted `xs` (nearest rank). */
function quantile(xs: readonly number[], q: number): number {
  return xs[Math.min(xs.length - 1, Math.max(0, Math.ceil(q * xs.length) - 1))]!;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

export class CallMeter {
  #requests = 0;
  #promptTokens = 0;
  #completionTokens = 0;
  #cached = 0;
  #cachedPromptTokens = 0;
  #cachedCompletionTokens = 0;
  readonly #errors = new Map<string, number>();
  readonly #latencies: number[] = [];

  /**
   * Runs one request and counts it: its latency, and its error (named by `kind`) when it throws.
   * The error is rethrown as it was.
   */
  async time<T>(request: () => Promise<T>, kind: (err: unknown) => string): Promise<T> {
    const t0 = performance.now();
    this.#requests++;
    try {
      return await request();
    } catch (err) {
      const name = kind(err);
      this.#errors.set(name, (this.#errors.get(name) ?? 0) + 1);
      throw err;
    } finally {
      this.#latencies.push(performance.now() - t0);
    }
  }

  /** Adds what a response says it used. */
  usage(u: ReportedUsage | null | undefined): void {
    this.#promptTokens += u?.prompt_tokens ?? 0;
    this.#completionTokens += u?.completion_tokens ?? 0;
  }

  /** Counts `n` answers not paid for, with what they cost when they were (a cached entry's usage). */
  cached(usage: { promptTokens: number; completionTokens: number } | null | undefined, n = 1): void {
    this.#cached += n;
    this.#cachedPromptTokens += usage?.promptTokens ?? 0;
    this.#cachedCompletionTokens += usage?.completionTokens ?? 0;
  }

  stats(): CallStats {
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    let errors = 0;
    for (const n of this.#errors.values()) errors += n;
    return {
      requests: this.#requests,
      errors,
      errorsByKind: Object.fromEntries([...this.#errors].sort(([a], [b]) => (a < b ? -1 : 1))),
      promptTokens: this.#promptTokens,
      completionTokens: this.#completionTokens,
      cached: this.#cached,
      cachedPromptTokens: this.#cachedPromptTokens,
      cachedCompletionTokens: this.#cachedCompletionTokens,
      latencyMs:
        sorted.length === 0
          ? null
          : { p50: round(quantile(sorted, 0.5)), p90: round(quantile(sorted, 0.9)), p95: round(quantile(sorted, 0.95)), p99: round(quantile(sorted, 0.99)), max: round(sorted[sorted.length - 1]!) },
    };
  }
}

/** The name an error is counted under: its class name. */
export const errorName = (err: unknown): string => (err instanceof Error ? err.name : 'Error');
