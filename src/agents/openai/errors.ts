/**
 * The openai policy's errors. Callers branch on the class, never on the message. Each carries the
 * endpoint it concerns and the underlying `cause`; none carries the API key.
 */
export interface PolicyErrorOptions {
  cause?: unknown;
  endpoint?: string;
}

export class PolicyError extends Error {
  override name = 'PolicyError';
  readonly endpoint: string | undefined;
  constructor(message: string, opts: PolicyErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.endpoint = opts.endpoint;
  }
}

/** The spec's params do not describe a usable endpoint (no model, a bad URL, ...). */
export class PolicyConfigError extends PolicyError {
  override name = 'PolicyConfigError';
}

/** Nobody answered: connection refused, DNS, or 5xx after every retry. */
export class PolicyUnreachableError extends PolicyError {
  override name = 'PolicyUnreachableError';
}

/**
 * The endpoint answered 429 to every attempt for as long as the run waits (30 minutes of nothing
 * else by default): a kind of unreachable. Shorter storms only slow the run.
 */
export class PolicyRateLimitedError extends PolicyUnreachableError {
  override name = 'PolicyRateLimitedError';
}

/** The endpoint did not answer within `timeoutMs`, on every attempt. A kind of unreachable. */
export class PolicyTimeoutError extends PolicyUnreachableError {
  override name = 'PolicyTimeoutError';
}

/** The endpoint refused the credentials (401/403). Never retried. */
export class PolicyAuthError extends PolicyError {
  override name = 'PolicyAuthError';
}

/** The endpoint answered, but not with a chat completion (4xx, a body of the wrong shape). */
export class PolicyBadResponseError extends PolicyError {
  override name = 'PolicyBadResponseError';
}

/**
 * The model answered, twice, with content that is not the JSON the role asked for (not JSON, or
 * failing its schema or the grounding checks). `issues` says what was wrong with the last answer.
 */
export class PolicyOutputError extends PolicyBadResponseError {
  override name = 'PolicyOutputError';
  constructor(
    message: string,
    readonly issues: string,
    opts: PolicyErrorOptions = {},
  ) {
    super(message, opts);
  }
}
