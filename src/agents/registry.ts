/** The policies a process knows: grounded always; others register here as they are built. */
import { GroundedPolicy } from './grounded/policy.ts';
import { PolicyRegistry } from './policy.ts';

export function defaultRegistry(): PolicyRegistry {
  return new PolicyRegistry().register('grounded', (spec) => new GroundedPolicy(spec));
}
