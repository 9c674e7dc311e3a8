/**
 * The model-call cache: answers stored under their request's hash, on disk and on the bus (KV,
 * the object store past 256 KiB), shared between processes; corrupt entries ignored with a
 * warning; a store that cannot be written never fails the caller.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryBus, NatsBus, type Bus } from '../../src/bus/mod.ts';
import { createLogger } from '../../src/log/logger.ts';
import { BusCallStore, CallCache, callKey, DiskCallStore, MODEL_CALLS_BUCKET, type CallStore } from '../../src/models/mod.ts';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.ts';
import { tempDir } from '../support/tmp.ts';

const tmp = tempDir('retrace-call-cache-');
let server: NatsServerHandle;
const buses: Bus[] = [];
beforeAll(async () => {
  server = await startNatsServer();
});
afterAll(async () => {
  for (const b of buses.splice(0)) await b.close();
  await server?.stop();
});

function capture(): { log: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'warn', destination: { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) } });
  return { log, lines };
}

const request = { model: 'fake/chat-7b', kind: 'chat', body: { messages: [{ role: 'user', content: 'hi' }], seed: 7, temperature: 0.2 } };
const answer = { choices: [{ message: { content: '{"thought":"x"}' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 4 } };

describe('callKey', () => {
  it('is the same for the same request whatever the order of its keys, and differs for another seed or model', () => {
    const reordered = { kind: 'chat', body: { temperature: 0.2, seed: 7, messages: [{ content: 'hi', role: 'user' }] }, model: 'fake/chat-7b' };
    expect(callKey(reordered)).toBe(callKey(request));
    expect(callKey({ ...request, body: { ...request.body, seed: 8 } })).not.toBe(callKey(request));
    expect(callKey({ ...request, model: 'other' })).not.toBe(callKey(request));
    expect(callKey(request)).toMatch(/^[0-9a-f]{64}$/);
  });
});

const stores: Array<[string, () => Promise<{ writer: CallStore; reader: CallStore }>]> = [
  ['disk (two processes opening one folder)', async () => {
    const dir = join(tmp, `disk-${Math.random().toString(36).slice(2)}`);
    return { writer: new DiskCallStore(dir), reader: new DiskCallStore(dir) };
  }],
  ['MemoryBus', async () => {
    const bus = new MemoryBus();
    buses.push(bus);
    return { writer: await BusCallStore.open(bus), reader: await BusCallStore.open(bus) };
  }],
  ['NATS KV (two connections)', async () => {
    const a = await NatsBus.connect({ servers: server.url });
    const b = await NatsBus.connect({ servers: server.url });
    buses.push(a, b);
    return { writer: await BusCallStore.open(a), reader: await BusCallStore.open(b) };
  }],
];

describe.each(stores)('CallCache on %s', (_name, open) => {
  it("gives back what another process stored, with its usage, and misses another request", async () => {
    const { writer, reader } = await open();
    const key = callKey(request);
    await new CallCache(writer).put(key, request, answer, { promptTokens: 3, completionTokens: 4 });
    const cache = new CallCache(reader);
    const hit = await cache.get(key);
    expect(hit?.answer).toEqual(answer);
    expect(hit?.usage).toEqual({ promptTokens: 3, completionTokens: 4 });
    expect(await cache.get(callKey({ ...request, body: { ...request.body, seed: 9 } }))).toBeUndefined();
    expect(cache.counts).toMatchObject({ hits: 1, misses: 1, corrupt: 0 });
  });

  it('keeps an answer too large for a KV value (1 MiB of text)', async () => {
    const { writer, reader } = await open();
    const big = { choices: [{ message: { content: 'x'.repeat(1024 * 1024) } }] };
    const key = callKey({ ...request, kind: 'big' });
    await new CallCache(writer).put(key, request, big, null);
    expect((await new CallCache(reader).get(key))?.answer).toEqual(big);
  });
});

describe('a corrupt entry', () => {
  const dir = join(tmp, 'corrupt');
  const store = new DiskCallStore(dir);
  const key = callKey(request);

  it('cut short by a crash is ignored with a warning naming the key', async () => {
    await new CallCache(store).put(key, request, answer, null);
    const text = readFileSync(store.path(key), 'utf8');
    writeFileSync(store.path(key), text.slice(0, text.length / 2));
    const { log, lines } = capture();
    const cache = new CallCache(store, log);
    expect(await cache.get(key)).toBeUndefined();
    expect(cache.counts).toMatchObject({ hits: 0, misses: 1, corrupt: 1 });
    expect(lines[0]).toMatchObject({ key, problem: 'unreadable (not JSON)', msg: expect.stringContaining('ignoring a corrupt entry') });
  });

  it('whose answer was edited fails its hash and is ignored', async () => {
    await new CallCache(store).put(key, request, answer, null);
    const entry = JSON.parse(readFileSync(store.path(key), 'utf8')) as { answer: typeof answer };
    entry.answer.choices[0]!.message.content = '{"thought":"edited"}';
    writeFileSync(store.path(key), JSON.stringify(entry));
    const { log, lines } = capture();
    expect(await new CallCache(store, log).get(key)).toBeUndefined();
    expect(lines[0]?.problem).toBe('the answer does not match its hash');
  });

  it('stored under another request is ignored', async () => {
    const other = callKey({ ...request, kind: 'other' });
    await new CallCache(store).put(other, request, answer, null);
    writeFileSync(store.path(key), readFileSync(store.path(other)));
    const { log, lines } = capture();
    expect(await new CallCache(store, log).get(key)).toBeUndefined();
    expect(lines[0]?.problem).toBe('stored under another request');
  });

  it('is replaced by the next answer stored', async () => {
    writeFileSync(store.path(key), 'garbage');
    const cache = new CallCache(store);
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, request, answer, null);
    expect((await cache.get(key))?.answer).toEqual(answer);
  });

  it('in the bus store (a value that is no entry) is ignored, not thrown', async () => {
    const bus = new MemoryBus();
    const kv = await bus.kv(MODEL_CALLS_BUCKET);
    await kv.put(key, { format: 1, key, answer: 'x', answerDigest: 'nope' });
    const { log, lines } = capture();
    expect(await new CallCache(await BusCallStore.open(bus), log).get(key)).toBeUndefined();
    expect(lines[0]?.problem).toBe('the answer does not match its hash');
    await bus.close();
  });
});

describe('a cache that cannot be written', () => {
  it('warns once and lets the caller go on', async () => {
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'not a folder');
    const { log, lines } = capture();
    const cache = new CallCache(new DiskCallStore(file), log);
    await cache.put(callKey(request), request, answer, null);
    await cache.put(callKey({ ...request, kind: 'b' }), request, answer, null);
    expect(cache.counts.writeErrors).toBe(2);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toContain('cannot store answers');
  });
});
