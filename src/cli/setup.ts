/**
 * `retrace setup --nats URL [--ack-wait MS] [--max-deliver N] [--search-ack-wait MS]
 * [--search-max-deliver N]`: as the driver (the ops user), sets up the streams, consumers and
 * buckets that agents and search services use but whose users may not create (the dead-letter
 * stream, each role's work queue, the search queue, the policies and model-call buckets). Run it
 * once before starting them on a server with services/nats/permissions.conf; running it again
 * changes nothing but settings that differ. Replicas come from RETRACE_NATS_REPLICAS, as for any process.
 */
import type { Command } from 'commander';
import { setUpShared, DEFAULT_SEARCH_QUEUE } from '../run/setup.ts';
import { DEFAULT_QUEUE } from '../agents/host.ts';
import { positiveInt } from './numbers.ts';
import { addNatsOptions, connectFromOptions } from './nats-options.ts';

interface SetupOptions {
  nats: string[];
  ackWait: number;
  maxDeliver: number;
  searchAckWait: number;
  searchMaxDeliver: number;
}

export function register(program: Command): void {
  const cmd = program
    .command('setup')
    .description('set up the queues and buckets agents and services use (as the driver, before they start: their users may not)')
    .option('--ack-wait <ms>', "the role queues' ack wait: the agents' --ack-wait", positiveInt, DEFAULT_QUEUE.ackWaitMs)
    .option('--max-deliver <n>', "the role queues' deliveries: the agents' --max-deliver", positiveInt, DEFAULT_QUEUE.maxDeliver)
    .option('--search-ack-wait <ms>', "the search queue's ack wait: the search services' --ack-wait", positiveInt, DEFAULT_SEARCH_QUEUE.ackWaitMs)
    .option('--search-max-deliver <n>', "the search queue's deliveries: the search services' --max-deliver", positiveInt, DEFAULT_SEARCH_QUEUE.maxDeliver);
  addNatsOptions(cmd).action(async (opts: SetupOptions) => {
    const roles = { ackWaitMs: opts.ackWait, maxDeliver: opts.maxDeliver };
    const search = { ackWaitMs: opts.searchAckWait, maxDeliver: opts.searchMaxDeliver };
    const bus = await connectFromOptions(opts.nats, undefined, 'retrace-setup');
    try {
      const made = await setUpShared(bus, { roles, search });
      process.stdout.write(`set up ${made.join(', ')}\n`);
    } finally {
      await bus.close();
    }
  });
}
