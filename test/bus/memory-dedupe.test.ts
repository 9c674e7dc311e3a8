/**
 * The in-memory work queue's producer dedupe past its pruning threshold (1,024 ids): ids inside the
 * window stay duplicates, ids past it are dropped, and an id that comes back after its window is
 * kept for a window of its own even while older ids are pruned around it.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/bus/mod.ts';
import { sleep } from '../support/wait.ts';

const WINDOW_MS = 200;

describe('MemoryBus work-queue dedupe', () => {
  it('holds the window for every id past the pruning threshold, and for an id that came back', async () => {
    const bus = new MemoryBus();
    const q = await bus.workQueue('dedupe', { subjects: ['d.>'], ackWaitMs: 30_000, maxDeliver: 3, duplicateWindowMs: WINDOW_MS });
    const send = (id: string) => q.enqueue('d.x', { type: 't', body: {} }, { msgId: id });
    for (let i = 0; i < 1100; i++) expect((await send(`a${i}`)).duplicate).toBe(false);
    expect((await send('a0')).duplicate).toBe(true);
    expect((await send('a1099')).duplicate).toBe(true);

    await sleep(WINDOW_MS + 50);
    // a5's window has passed: sent again, it is new, and now the newest id of the map.
    expect((await send('a5')).duplicate).toBe(false);
    for (let i = 0; i < 1100; i++) expect((await send(`b${i}`)).duplicate).toBe(false);
    // The a-ids were pruned as the b-ids came in; a5's new window still holds.
    expect((await send('a5')).duplicate).toBe(true);
    expect((await send('a6')).duplicate).toBe(false);
    expect((await send('b0')).duplicate).toBe(true);
    await bus.close();
  });
});
