/**
 * `retrace policy list|get|set|reset|history`: the live policy of each role, in the
 * `retrace-policies` bucket. Running agents apply a change at their next piece of work.
 *
 *   retrace policy set coder '{"id":"openai","params":{"baseURL":"http://gpu:8000/v1","model":"m"}}' --nats URL
 *   retrace policy reset coder --nats URL      (back to the policy the agents were started with)
 *   retrace policy history coder --nats URL    (the revisions the bucket keeps, oldest first)
 *
 * A spec is checked before it is stored: a policy id this process does not know, or a param the
 * policy does not take, is bad input (exit 2), and nothing is written. The openai policy's prompt
 * files (`"prompts": "<dir>"`) are read and checked here and stored as their text.
 */
import type { Command } from 'commander';
import { policyBucket, policyHistory, resetPolicy, setPolicy, type PolicyRevision } from '../agents/policy-store.ts';
import { withPromptTexts } from '../agents/openai/prompt-files.ts';
import { defaultRegistry } from '../agents/registry.ts';
import { ROLES, type Role } from '../agents/types.ts';
import type { Bus } from '../bus/mod.ts';
import { UsageError } from './bad-input.ts';
import { addNatsOptions, connectFromOptions } from './nats-options.ts';

const DEFAULT_SHOWN = '(default: grounded@0)';

function assertRole(role: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`unknown role "${role}": use one of ${ROLES.join(', ')}`);
  return role as Role;
}

function parseSpec(spec: string): unknown {
  try {
    return JSON.parse(spec);
  } catch (err) {
    throw new UsageError(`the spec is not JSON: ${(err as Error).message}`);
  }
}

/** Runs `use` on a connection to `urls`, closed after. */
async function withBus<T>(urls: string[], use: (bus: Bus) => Promise<T>): Promise<T> {
  const bus = await connectFromOptions(urls);
  try {
    return await use(bus);
  } finally {
    await bus.close();
  }
}

/**
 * Params as a line shows them: each prompt template by its file and the start of its hash, not
 * its whole text (`retrace policy get` gives the spec as stored).
 */
export function shownParams(params: Record<string, unknown> | undefined): string {
  const prompts = params?.prompts;
  if (!prompts || typeof prompts !== 'object') return JSON.stringify(params ?? {});
  const brief = Object.fromEntries(
    Object.entries(prompts as Record<string, unknown>).map(([name, t]) => {
      const { file, sha256 } = (t ?? {}) as { file?: unknown; sha256?: unknown };
      return [name, typeof sha256 === 'string' ? `${String(file)} sha256:${sha256.slice(0, 12)}` : t];
    }),
  );
  return JSON.stringify({ ...params, prompts: brief });
}

export function formatHistory(role: string, revisions: readonly PolicyRevision[]): string {
  if (revisions.length === 0) return `${role}: never set ${DEFAULT_SHOWN}\n`;
  return revisions.map((r) => `${role.padEnd(10)} @${r.revision} ${r.spec ? `${r.spec.id} ${shownParams(r.spec.params)}` : 'reset (back to the default)'}\n`).join('');
}

function registerList(policy: Command): void {
  addNatsOptions(policy.command('list').description('every role and its policy')).action(async (opts: { nats: string[] }) => {
    await withBus(opts.nats, async (bus) => {
      const kv = await policyBucket(bus);
      for (const role of ROLES) {
        const e = await kv.get(role);
        process.stdout.write(`${role.padEnd(10)} ${e ? `${e.value?.id}@${e.revision} ${shownParams(e.value?.params)}` : DEFAULT_SHOWN}\n`);
      }
    });
  });
}

function registerGet(policy: Command): void {
  addNatsOptions(policy.command('get').description("a role's policy as JSON").argument('<role>')).action(async (role: string, opts: { nats: string[] }) => {
    const r = assertRole(role);
    await withBus(opts.nats, async (bus) => {
      const e = await (await policyBucket(bus)).get(r);
      process.stdout.write(`${JSON.stringify(e ? { role, revision: e.revision, spec: e.value } : { role, revision: 0, spec: { id: 'grounded', params: {} } })}\n`);
    });
  });
}

function registerSet(policy: Command): void {
  addNatsOptions(
    policy
      .command('set')
      .description("set a role's policy (a JSON spec: {\"id\": ..., \"params\": {...}}; params are checked against the policy's)")
      .argument('<role>')
      .argument('<spec>'),
  ).action(async (role: string, spec: string, opts: { nats: string[] }) => {
    const r = assertRole(role);
    // Checked before connecting: a bad spec is refused with the bus unreachable too.
    // Prompt files are read here and stored as text: the agents need no copy of them.
    const registry = defaultRegistry();
    const checked = registry.check(withPromptTexts(registry.check(parseSpec(spec))));
    const revision = await withBus(opts.nats, (bus) => setPolicy(bus, r, checked));
    process.stdout.write(`${role} -> ${checked.id}@${revision}\n`);
  });
}

function registerReset(policy: Command): void {
  addNatsOptions(policy.command('reset').description("remove a role's policy: its agents go back to the one they were started with").argument('<role>')).action(
    async (role: string, opts: { nats: string[] }) => {
      const r = assertRole(role);
      await withBus(opts.nats, (bus) => resetPolicy(bus, r));
      process.stdout.write(`${role} -> reset\n`);
    },
  );
}

function registerHistory(policy: Command): void {
  addNatsOptions(policy.command('history').description("a role's policy revisions the bucket keeps, oldest first").argument('<role>').option('--json', 'print them as JSON')).action(
    async (role: string, opts: { nats: string[]; json?: boolean }) => {
      const r = assertRole(role);
      const revisions = await withBus(opts.nats, (bus) => policyHistory(bus, r));
      process.stdout.write(opts.json ? `${JSON.stringify(revisions)}\n` : formatHistory(role, revisions));
    },
  );
}

export function register(program: Command): void {
  const policy = program.command('policy').description('show or change the live policy of each role');
  registerList(policy);
  registerGet(policy);
  registerSet(policy);
  registerReset(policy);
  registerHistory(policy);
}
