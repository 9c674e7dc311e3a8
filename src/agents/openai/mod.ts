/** The openai policy's public names. */
export { OpenAIPolicy, OPENAI_POLICY_ID, registerOpenAIPolicy, type OpenAIPolicyOptions, type PolicyUsage } from './policy.ts';
export { boundaryFeedback, type BoundaryCounts } from './boundary.ts';
export { openAIPolicyParamsSchema, type OpenAIPolicyParams } from './params.ts';
export {
  PolicyAuthError,
  PolicyBadResponseError,
  PolicyConfigError,
  PolicyError,
  PolicyOutputError,
  PolicyRateLimitedError,
  PolicyTimeoutError,
  PolicyUnreachableError,
} from './errors.ts';
