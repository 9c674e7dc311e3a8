/** A bucket's `history(key)`: the kept revisions oldest first, deletes included, on both transports. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, NatsBus, type Bus } from '../../src/bus/mod.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { unique } from '../support/wait.ts';

let server: NatsServerHandle;
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  await server?.stop();
});

const transports: Array<[string, () => Promise<Bus>]> = [
  ['MemoryBus', async () => new MemoryBus()],
  ['NatsBus', () => NatsBus.connect({ servers: server.url })],
];

describe.each(transports)('KV history on %s', (_name, connect) => {
  it('keeps the last `history` revisions of a key, oldest first, a delete among them', async () => {
    const bus = await connect();
    const kv = await bus.kv<string>(unique('hist'), { history: 3 });
    expect(await kv.history('coder')).toEqual([]);
    const r1 = await kv.put('coder', 'a');
    await kv.put('tester', 'other key');
    const r2 = await kv.put('coder', 'b');
    await kv.delete('coder');
    const r4 = await kv.put('coder', 'c');
    const h = await kv.history('coder');
    expect(h.map((e) => [e.operation, e.value])).toEqual([['PUT', 'b'], ['DEL', undefined], ['PUT', 'c']]);
    expect(h[0]!.revision).toBe(r2);
    expect(h[2]!.revision).toBe(r4);
    expect(r1).toBeLessThan(r2);
    await bus.close();
  });
});
