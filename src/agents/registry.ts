/** The policies a process knows: grounded always; others register here as they are built. */
import { GroundedPolicy } from './grounded/policy.ts';
import { registerOpenAIPolicy } from './openai/mod.ts';
import { PolicyRegistry } from './policy.ts';

export function defaultRegistry(): PolicyRegistry {
  const registry = new PolicyRegistry().register('grounded', (spec) => new GroundedPolicy(spec));
  registerOpenAIPolicy(registry);
  return registry;
}
