/** The policies a process knows: grounded always; others register here as they are built. */
import { GroundedPolicy } from './grounded/policy.ts';
import { registerOpenAIPolicy } from './openai/mod.ts';
import type { Logger } from 'pino';
import { PolicyRegistry } from './policy.ts';

/** `log`: where policies report what they repaired at the knowledge boundary, among other things. */
export function defaultRegistry(log?: Logger): PolicyRegistry {
  const registry = new PolicyRegistry().register('grounded', (spec) => new GroundedPolicy(spec));
  registerOpenAIPolicy(registry, log);
  return registry;
}
