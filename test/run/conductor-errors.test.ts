/**
 * A conductor whose work cannot be queued fails at once with the bus's error, and leaves nothing
 * behind that would keep the process alive (no job timer for work that was never queued).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryBus, type WorkQueue, type WorkQueueOptions } from '../../src/bus/mod.ts';
import { Workspaces } from '../../src/agents/workspace.ts';
import { conduct } from '../../src/run/conductor.ts';

/** A MemoryBus whose role queues refuse every enqueue, as JetStream does without a stream leader. */
class RefusingBus extends MemoryBus {
  override async workQueue(name: string, opts: WorkQueueOptions): Promise<WorkQueue> {
    const q = await super.workQueue(name, opts);
    if (!name.startsWith('role-')) return q;
    return Object.assign(Object.create(q) as WorkQueue, {
      enqueue: async () => {
        throw new Error('jetstream is not enabled');
      },
    });
  }
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('conductor', () => {
  it('fails with the error of an enqueue that failed, leaving no timer behind', async () => {
    const bus = new RefusingBus();
    const repo = { name: 'mini', root: join(import.meta.dirname, '../agents/fixtures/mini') };
    const before = timers();
    const t0 = Date.now();
    await expect(conduct({ bus, workspaces: new Workspaces(), run: 'refused', repo, seed: 1, budget: 0, faultRate: 0 })).rejects.toThrow('jetstream is not enabled');
    expect(Date.now() - t0).toBeLessThan(30_000);
    expect(timers()).toBeLessThanOrEqual(before);
    await bus.close();
  });
});
