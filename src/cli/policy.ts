/**
 * `retrace policy list|get|set`: the live policy of each role, in the `retrace-policies` bucket.
 * Running agents apply a change at their next piece of work.
 *
 *   retrace policy set coder '{"id":"openai","params":{"baseURL":"http://gpu:8000/v1","model":"m"}}' --nats URL
 */
import type { Command } from 'commander';
import { policyBucket, setPolicy } from '../agents/policy-store.ts';
import { defaultRegistry } from '../agents/registry.ts';
import { ROLES, type Role } from '../agents/types.ts';
import { addNatsOptions, connectFromOptions } from './nats-options.ts';

function assertRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new Error(`unknown role "${role}": use one of ${ROLES.join(', ')}`);
  return role as Role;
}

export function register(program: Command): void {
  const policy = program.command('policy').description('show or change the live policy of each role');
  addNatsOptions(policy.command('list').description('every role and its policy')).action(async (opts: { nats: string[] }) => {
    const bus = await connectFromOptions(opts.nats);
    try {
      const kv = await policyBucket(bus);
      for (const role of ROLES) {
        const e = await kv.get(role);
        process.stdout.write(`${role.padEnd(10)} ${e ? `${e.value?.id}@${e.revision} ${JSON.stringify(e.value?.params ?? {})}` : '(default: grounded@0)'}\n`);
      }
    } finally {
      await bus.close();
    }
  });
  addNatsOptions(policy.command('get').description("a role's policy as JSON").argument('<role>')).action(async (role: string, opts: { nats: string[] }) => {
    const bus = await connectFromOptions(opts.nats);
    try {
      const e = await (await policyBucket(bus)).get(assertRole(role));
      process.stdout.write(`${JSON.stringify(e ? { role, revision: e.revision, spec: e.value } : { role, revision: 0, spec: { id: 'grounded', params: {} } })}\n`);
    } finally {
      await bus.close();
    }
  });
  addNatsOptions(
    policy
      .command('set')
      .description("set a role's policy (a JSON spec: {\"id\": ..., \"params\": {...}})")
      .argument('<role>')
      .argument('<spec>'),
  ).action(async (role: string, spec: string, opts: { nats: string[] }) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(spec);
    } catch (err) {
      throw new Error(`the spec is not JSON: ${(err as Error).message}`);
    }
    const bus = await connectFromOptions(opts.nats);
    try {
      const revision = await setPolicy(bus, assertRole(role), parsed, defaultRegistry());
      process.stdout.write(`${role} -> ${(parsed as { id: string }).id}@${revision}\n`);
    } finally {
      await bus.close();
    }
  });
}
