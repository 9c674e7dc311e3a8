/** The policies a process knows: grounded always; others register here as they are built. */
import { z } from 'zod';
import type { Logger } from 'pino';
import { GroundedPolicy } from './grounded/policy.ts';
import { OPENAI_POLICY_ID, openAIPolicyParamsSchema, registerOpenAIPolicy } from './openai/mod.ts';
import { PolicyRegistry } from './policy.ts';
import type { ModelGateway } from '../models/gateway.ts';

/** The grounded policy writes from the repository's facts alone: it takes no params. */
export const groundedParamsSchema = z.object({});

/**
 * `log`: where policies report what they repaired at the knowledge boundary, among other things;
 * `gateway`: the run's model gateway (call cache, limits), which every served-model policy calls through.
 */
export function defaultRegistry(log?: Logger, gateway?: ModelGateway): PolicyRegistry {
  const registry = new PolicyRegistry().register('grounded', (spec) => new GroundedPolicy(spec), groundedParamsSchema);
  return registerOpenAIPolicy(registry, log, gateway).declareParams(OPENAI_POLICY_ID, openAIPolicyParamsSchema);
}
