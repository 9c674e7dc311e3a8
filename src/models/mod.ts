/** Model calls: their cache, their limits, and the gateway every call goes through. */
export { ModelGateway, type Answer, type GatewayOptions, type Paid, type SendOptions } from './gateway.ts';
export { CallCache, entryProblem, type CacheCounts, type CallEntry, type CallStore, type CallUsage } from './call-cache.ts';
export { callKey, canonicalJson, type ModelRequest } from './call-key.ts';
export { DiskCallStore } from './disk-store.ts';
export { BusCallStore, MODEL_CALLS_BUCKET } from './bus-store.ts';
export { MemoryLimiter, estimateTokens, realClock, type Clock, type EndpointLimits, type Limiter, type Permit } from './limits.ts';
export { KvLimiter, MODEL_LIMITS_BUCKET } from './kv-limiter.ts';
export { DEFAULT_RETRY, RetryState, retryAfterMs, type Failure, type RetrySettings } from './retry.ts';
export { cacheDirBeside, clusterGateway, DEFAULT_MODEL_CALLS, localGateway, type ModelCallSettings } from './settings.ts';
export { fetchKeepingErrorBodies } from './error-bodies.ts';
