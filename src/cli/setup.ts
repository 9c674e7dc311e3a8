/**
 * `retrace setup --nats URL [--ack-wait MS] [--max-deliver N] [--search-ack-wait MS]
 * [--search-max-deliver N]`: as the driver (the ops user), sets up the streams, consumers and
 * buckets that agents and search services use but whose users may not create (the dead-letter
 * stream, each role's work queue, the search queue, the policies bucket). Run it once before
 * starting them on a server with services/nats/permissions.conf; running it again changes nothing
 * but settings that differ. Replicas come from RETRACE_NATS_REPLICAS, as for any process.
 */
import type { Command } from 'commander';
import { setUpShared, DEFAULT_SEARCH_QUEUE } from '../run/setup.ts';
import { DEFAULT_QUEUE } from '../agents/host.ts';
import { UsageError } from './bad-input.ts';
import { addNatsOptions, connectFromOptions } from './nats-options.ts';

interface SetupOptions {
  nats: string[];
  ackWait: string;
  maxDeliver: string;
  searchAckWait: string;
  searchMaxDeliver: string;
}

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer, got "${value}"`);
  return n;
}

export function register(program: Command): void {
  const cmd = program
    .command('setup')
    .description("set up the role and search queues and the policies bucket (as the driver, before agents and services whose users may not)")
    .option('--ack-wait <ms>', "the role queues' ack wait: the agents' --ack-wait", String(DEFAULT_QUEUE.ackWaitMs))
    .option('--max-deliver <n>', "the role queues' deliveries: the agents' --max-deliver", String(DEFAULT_QUEUE.maxDeliver))
    .option('--search-ack-wait <ms>', "the search queue's ack wait: the search services' --ack-wait", String(DEFAULT_SEARCH_QUEUE.ackWaitMs))
    .option('--search-max-deliver <n>', "the search queue's deliveries: the search services' --max-deliver", String(DEFAULT_SEARCH_QUEUE.maxDeliver));
  addNatsOptions(cmd).action(async (opts: SetupOptions) => {
    const roles = { ackWaitMs: positive('--ack-wait', opts.ackWait), maxDeliver: positive('--max-deliver', opts.maxDeliver) };
    const search = { ackWaitMs: positive('--search-ack-wait', opts.searchAckWait), maxDeliver: positive('--search-max-deliver', opts.searchMaxDeliver) };
    const bus = await connectFromOptions(opts.nats, undefined, 'retrace-setup');
    try {
      const made = await setUpShared(bus, { roles, search });
      process.stdout.write(`set up ${made.join(', ')}\n`);
    } finally {
      await bus.close();
    }
  });
}
