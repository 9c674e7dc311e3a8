/**
 * `retrace agent <role> --nats URL [--concurrency N]`: one role as its own process. It registers as
 * a NATS micro service (`retrace-agent`, metadata role and instance), takes the role's work from
 * its durable queue alongside every other process of the role, follows the role's live policy, and
 * on SIGTERM or SIGINT, or when its parent process goes away (started by npx or npm, or with
 * --exit-with-parent: an `npx` that was killed), drains: finishes the work in hand, takes no more,
 * exits 0. A second signal exits at once.
 */
import { hostname } from 'node:os';
import type { Command } from 'commander';
import { subjects } from '../bus/mod.ts';
import { AgentHost } from '../agents/host.ts';
import { LivePolicy } from '../agents/policy-store.ts';
import { defaultRegistry } from '../agents/registry.ts';
import { LocalRefiner } from '../agents/refiner.ts';
import { ServiceRefiner } from '../agents/service-refiner.ts';
import { ROLES, type Role } from '../agents/types.ts';
import { Workspaces } from '../agents/workspace.ts';
import { createLogger } from '../log/logger.ts';
import { clusterGateway } from '../models/mod.ts';
import { modelCallSettings } from './run-options.ts';
import { UsageError } from './bad-input.ts';
import { positiveInt } from './numbers.ts';
import { startedByNpm, untilStopped } from './lifetime.ts';
import { addNatsOptions, connectFromOptions } from './nats-options.ts';

export const AGENT_VERSION = '0.1.0';

interface AgentOptions {
  nats: string[];
  concurrency: number;
  instance?: string;
  ackWait: number;
  maxDeliver: number;
  policy?: string;
  search: string;
  logLevel: string;
  pretty?: boolean;
  exitWithParent?: boolean;
  modelCache?: string | boolean;
  maxInFlight?: string;
  tokensPerMinute?: string;
}

/** The `--policy` option's JSON. */
function parsePolicyOption(json: string | undefined): unknown {
  try {
    return JSON.parse(json ?? '{}');
  } catch (err) {
    throw new UsageError(`--policy is not JSON: ${(err as Error).message}`);
  }
}

export function register(program: Command): void {
  const cmd = program
    .command('agent')
    .description('run one role (planner, architect, coder, tester, debugger) as an agent service on NATS')
    .argument('<role>', `one of ${ROLES.join(', ')}`)
    .option('--concurrency <n>', 'pieces of work at once', positiveInt, 1)
    .option('--instance <name>', 'instance name (default: host-pid)')
    .option('--ack-wait <ms>', 'ack wait of the role queue; work heartbeats within it', positiveInt, 60_000)
    .option('--max-deliver <n>', 'deliveries before a piece of work is dead-lettered', positiveInt, 3)
    .option('--policy <json>', 'policy spec used until the retrace-policies bucket has one for the role', '{"id":"grounded","params":{}}')
    .option('--search <where>', 'local: search in this process; service: send searches to the search services (retrace search-service)', 'local')
    .option('--log-level <level>', 'log level', 'info')
    .option('--pretty', 'human-readable logs')
    .option('--exit-with-parent', 'drain and exit when the parent process goes away (the default when started by npx or npm)')
    .option('--no-exit-with-parent', 'run on when the parent process goes away')
    .option('--model-cache <dir>', "keep answers of model calls in this folder (default: the cluster's KV bucket retrace-model-calls, shared by every agent)")
    .option('--no-model-cache', 'keep no answers of model calls')
    .option('--max-in-flight <n>', 'requests in flight at once per model endpoint, across every agent of the cluster (default: no limit)')
    .option('--tokens-per-minute <n>', 'tokens per minute per model endpoint, across every agent of the cluster (default: no limit)');
  addNatsOptions(cmd).action(async (role: string, opts: AgentOptions) => {
    if (!(ROLES as readonly string[]).includes(role)) throw new UsageError(`unknown role "${role}": use one of ${ROLES.join(', ')}`);
    const concurrency = opts.concurrency;
    const log = createLogger({ level: opts.logLevel, pretty: opts.pretty === true });
    const instance = opts.instance ?? `${hostname()}-${process.pid}`;
    const registry = defaultRegistry(log);
    const fallback = registry.check(parsePolicyOption(opts.policy));
    if (opts.search !== 'local' && opts.search !== 'service') throw new UsageError(`--search is local or service, got "${opts.search}"`);
    let models;
    try {
      models = modelCallSettings(opts);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const bus = await connectFromOptions(opts.nats, log, `retrace-agent-${role}-${instance}`);
    const local = new LocalRefiner();
    const refiner = opts.search === 'service' ? new ServiceRefiner(bus, local) : local;
    // Model calls through the cluster: the cache in KV, limits per endpoint shared through KV.
    const gateway = await clusterGateway(models, bus, log);
    const policies = await LivePolicy.watch(bus, role as Role, defaultRegistry(log, gateway), fallback, log);
    const host = new AgentHost({
      role: role as Role,
      bus,
      policies,
      workspaces: new Workspaces({ bus }),
      refiner,
      instance: `${role}/${instance}`,
      concurrency,
      queue: { ackWaitMs: opts.ackWait, maxDeliver: opts.maxDeliver },
      log,
    });
    await host.start();
    const service = await bus.service({
      name: 'retrace-agent',
      version: AGENT_VERSION,
      description: `Retrace ${role} agent`,
      metadata: { role, instance },
      endpoints: [
        {
          name: `status-${role}`,
          subject: `${subjects.control(role)}.status`,
          handler: () => ({
            type: 'agent.status',
            body: { role, instance, policy: policies.current().tag, jobsHandled: host.jobsHandled, concurrency },
          }),
        },
      ],
    });
    log.info({ role, instance, concurrency }, 'agent ready');
    process.stdout.write(`agent ${role} ready (${instance})\n`);
    await untilStopped({ watchParent: opts.exitWithParent ?? startedByNpm(), onStop: (reason) => log.info({ reason }, 'draining') });
    await host.stop();
    await service.stop();
    await policies.close();
    if (refiner instanceof ServiceRefiner) await refiner.close();
    await bus.close();
    log.info({ jobsHandled: host.jobsHandled }, 'agent stopped');
    log.flush?.();
  });
}
