/**
 * Scorer errors. Callers branch on the class, never on the message. Each carries the endpoint it
 * concerns (when there is one) and the underlying `cause`.
 */
export interface ScorerErrorOptions {
  cause?: unknown;
  endpoint?: string;
}

export class ScorerError extends Error {
  override name = 'ScorerError';
  readonly endpoint: string | undefined;
  constructor(message: string, opts: ScorerErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.endpoint = opts.endpoint;
  }
}

/** No endpoint answered: connection refused, DNS, timeouts after every retry, no scoring node. */
export class ScorerUnreachableError extends ScorerError {
  override name = 'ScorerUnreachableError';
}

/** Every retry was answered 429. */
export class ScorerRateLimitedError extends ScorerError {
  override name = 'ScorerRateLimitedError';
}

/** The server answered, but not with what the protocol promises (malformed body, wrong lengths, 4xx). */
export class ScorerBadResponseError extends ScorerError {
  override name = 'ScorerBadResponseError';
}

/** The server cannot score prompts at all (it returns no prompt log-probs, e.g. llama.cpp's server). */
export class UnsupportedServerError extends ScorerError {
  override name = 'UnsupportedServerError';
}

/** The server refused our credentials (401/403). Not retried, not failed over. */
export class ScorerAuthError extends ScorerError {
  override name = 'ScorerAuthError';
}
