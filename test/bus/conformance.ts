/**
 * The bus conformance suite: every transport runs it unchanged (see memory.test.ts and
 * nats.test.ts). A transport is done when this passes.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeBody } from '../../src/bus/envelope.ts';
import {
  DEAD_LETTER_TYPE,
  KvConflictError,
  NoRespondersError,
  PayloadTooLargeError,
  RemoteError,
  TimeoutError,
  parseTraceparent,
  type Bus,
  type DeadLetter,
  type Incoming,
} from '../../src/bus/mod.ts';
import { sleep, unique, waitFor } from '../support/wait.ts';

export interface BusHarness {
  /** A bus on the shared backend: a second call is "another process" on the same system. */
  connect(): Promise<Bus>;
  /** Sends bytes without the envelope codec, to test malformed input. */
  publishRaw(bus: Bus, subject: string, data: Uint8Array, headers?: Record<string, string>): void;
}

function collect<T = unknown>(bus: Bus, subject: string): Incoming<T>[] {
  const got: Incoming<T>[] = [];
  bus.subscribe<T>(subject, (m) => {
    got.push(m);
  });
  return got;
}

export function runBusConformance(name: string, harness: () => BusHarness): void {
  describe(`bus conformance: ${name}`, () => {
    describe('publish / subscribe', () => {
      it('delivers envelopes with type, version, body and provenance', async () => {
        const bus = await harness().connect();
        const s = unique('ps');
        const got = collect<{ n: number; tags: string[] }>(bus, `t.${s}.a`);
        await bus.flush();
        await bus.publish(`t.${s}.a`, {
          type: 'demo.thing',
          version: 2,
          body: { n: 42, tags: ['x', 'y'] },
          run: 'run-1',
          sender: 'coder/1',
          policy: 'grounded@3',
        });
        await waitFor(() => got.length === 1, 'the message');
        const m = got[0]!;
        expect(m.type).toBe('demo.thing');
        expect(m.version).toBe(2);
        expect(m.body).toEqual({ n: 42, tags: ['x', 'y'] });
        expect([m.run, m.sender, m.policy]).toEqual(['run-1', 'coder/1', 'grounded@3']);
        expect(parseTraceparent(m.traceparent)).toBeDefined();
        await bus.close();
      });

      it('matches * to exactly one token and > to one or more', async () => {
        const bus = await harness().connect();
        const s = unique('wc');
        const star = collect(bus, `t.${s}.*.end`);
        const tail = collect(bus, `t.${s}.>`);
        const exact = collect(bus, `t.${s}`);
        await bus.flush();
        for (const subj of [`t.${s}.a.end`, `t.${s}.a.b.end`, `t.${s}.end`, `t.${s}`, `t.${s}.x`]) {
          await bus.publish(subj, { type: 'w', body: subj });
        }
        await waitFor(() => tail.length === 4 && star.length === 1 && exact.length === 1, 'wildcard deliveries');
        await sleep(100);
        expect(star.map((m) => m.body)).toEqual([`t.${s}.a.end`]);
        expect(tail.map((m) => m.body)).toEqual([`t.${s}.a.end`, `t.${s}.a.b.end`, `t.${s}.end`, `t.${s}.x`]);
        expect(exact.map((m) => m.body)).toEqual([`t.${s}`]);
        await bus.close();
      });

      it('delivers in order to a subscription, and stops after unsubscribe', async () => {
        const bus = await harness().connect();
        const s = unique('ord');
        const got: number[] = [];
        const sub = bus.subscribe<number>(`t.${s}`, async (m) => {
          if (m.body % 7 === 0) await sleep(5);
          got.push(m.body);
        });
        await bus.flush();
        for (let i = 0; i < 50; i++) await bus.publish(`t.${s}`, { type: 'n', body: i });
        await waitFor(() => got.length === 50, '50 messages');
        expect(got).toEqual([...Array(50).keys()]);
        await sub.unsubscribe();
        await bus.publish(`t.${s}`, { type: 'n', body: 99 });
        await bus.flush();
        await sleep(100);
        expect(got.length).toBe(50);
        await bus.close();
      });

      it('gives each message to one member of a queue group, and all to a plain subscriber', async () => {
        const h = harness();
        const buses = [await h.connect(), await h.connect(), await h.connect()];
        const s = unique('qg');
        const perMember = buses.map(() => [] as number[]);
        buses.forEach((b, i) => b.subscribe<number>(`t.${s}.*`, (m) => void perMember[i]!.push(m.body), { queue: 'workers' }));
        const all = collect<number>(buses[0]!, `t.${s}.*`);
        for (const b of buses) await b.flush();
        for (let i = 0; i < 90; i++) await buses[1]!.publish(`t.${s}.job`, { type: 'n', body: i });
        await waitFor(() => perMember.flat().length === 90 && all.length === 90, 'all deliveries');
        await sleep(100);
        expect(perMember.flat().sort((a, b) => a - b)).toEqual([...Array(90).keys()]);
        for (const m of perMember) expect(m.length).toBeGreaterThan(0);
        expect(all.length).toBe(90);
        for (const b of buses) await b.close();
      });

      it('carries messages of 1 MiB and more, and rejects what exceeds the maximum payload', async () => {
        const bus = await harness().connect();
        const s = unique('big');
        const big = new Uint8Array(1536 * 1024).map((_, i) => (i * 31) % 251);
        bus.reply<Uint8Array>(`t.${s}`, (m) => ({ type: 'echo', body: { len: m.body.length, back: m.body } }));
        await bus.flush();
        const r = await bus.request<{ len: number; back: Uint8Array }>(`t.${s}`, { type: 'blob', body: big }, { timeoutMs: 10_000 });
        expect(r.body.len).toBe(big.length);
        expect(Buffer.from(r.body.back).equals(Buffer.from(big))).toBe(true);
        await expect(bus.publish(`t.${s}`, { type: 'blob', body: new Uint8Array(9 * 1024 * 1024) })).rejects.toBeInstanceOf(
          PayloadTooLargeError,
        );
        await bus.close();
      });
    });

    describe('request / reply', () => {
      it('answers, and a reply continues the request trace', async () => {
        const bus = await harness().connect();
        const s = unique('rr');
        bus.reply<{ a: number; b: number }>(`t.${s}.add`, (m) => ({ type: 'sum', body: m.body.a + m.body.b }));
        await bus.flush();
        const req = { type: 'add', body: { a: 2, b: 3 }, traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
        const r = await bus.request<number>(`t.${s}.add`, req);
        expect(r.body).toBe(5);
        expect(parseTraceparent(r.traceparent)?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
        await bus.close();
      });

      it('tells a timeout from no responders', async () => {
        const bus = await harness().connect();
        const s = unique('to');
        await expect(bus.request(`t.${s}.nobody`, { type: 'x', body: 1 }, { timeoutMs: 2000 })).rejects.toBeInstanceOf(
          NoRespondersError,
        );
        bus.reply(`t.${s}.slow`, async () => {
          await sleep(1500);
          return { type: 'late', body: 1 };
        });
        await bus.flush();
        const err = await bus.request(`t.${s}.slow`, { type: 'x', body: 1 }, { timeoutMs: 200 }).catch((e) => e);
        expect(err).toBeInstanceOf(TimeoutError);
        expect(err).not.toBeInstanceOf(NoRespondersError);
        await bus.close();
      });

      it('returns a thrown handler error as a RemoteError and goes on serving', async () => {
        const bus = await harness().connect();
        const s = unique('re');
        bus.reply<number>(`t.${s}`, (m) => {
          if (m.body < 0) throw new Error('negative input');
          return { type: 'sqrt', body: Math.sqrt(m.body) };
        });
        await bus.flush();
        const err = await bus.request(`t.${s}`, { type: 'n', body: -1 }).catch((e) => e);
        expect(err).toBeInstanceOf(RemoteError);
        expect((err as RemoteError).code).toBe(500);
        expect((err as RemoteError).remoteMessage).toContain('negative input');
        expect((await bus.request<number>(`t.${s}`, { type: 'n', body: 9 })).body).toBe(3);
        await bus.close();
      });
    });

    describe('malformed messages', () => {
      it('dead-letters bytes that do not decode, answers requests with an error, and goes on', async () => {
        const h = harness();
        const bus = await h.connect();
        const s = unique('mal');
        const dead = collect<DeadLetter>(bus, 'retrace-dlq.malformed');
        const seen: unknown[] = [];
        bus.subscribe(`t.${s}`, (m) => void seen.push(m.body));
        await bus.flush();
        const garbage = new Uint8Array([0xc1, 0xc1, 0xff, 0x00]); // 0xc1 is never valid msgpack
        h.publishRaw(bus, `t.${s}`, garbage, { 'retrace-type': 'x' });
        h.publishRaw(bus, `t.${s}`, new Uint8Array([1]), {}); // no type header
        await bus.publish(`t.${s}`, { type: 'ok', body: 'fine' });
        await waitFor(() => seen.length === 1 && dead.filter((d) => d.body.subject === `t.${s}`).length === 2, 'dead letters');
        expect(seen).toEqual(['fine']);
        const letters = dead.filter((d) => d.body.subject === `t.${s}`);
        expect(letters[0]!.type).toBe(DEAD_LETTER_TYPE);
        expect(letters[0]!.body.reason).toBe('malformed');
        expect(Buffer.from(letters[0]!.body.data).equals(Buffer.from(garbage))).toBe(true);
        expect(letters[1]!.body.error).toMatch(/no retrace-type header/);
        await bus.close();
      });

      it('rejects unknown types and bodies that fail the schema, with clear errors', async () => {
        const bus = await harness().connect();
        const s = unique('acc');
        const accept = { 'calc.add': z.object({ a: z.number(), b: z.number() }) };
        bus.reply<{ a: number; b: number }>(`t.${s}`, (m) => ({ type: 'sum', body: m.body.a + m.body.b }), { accept });
        await bus.flush();
        const unknown = await bus.request(`t.${s}`, { type: 'calc.mul', body: { a: 1, b: 2 } }).catch((e) => e);
        expect(unknown).toBeInstanceOf(RemoteError);
        expect((unknown as RemoteError).code).toBe(400);
        expect((unknown as RemoteError).remoteMessage).toMatch(/calc\.mul.*not accepted/);
        const invalid = await bus.request(`t.${s}`, { type: 'calc.add', body: { a: 1, b: 'two' } }).catch((e) => e);
        expect(invalid).toBeInstanceOf(RemoteError);
        expect((invalid as RemoteError).remoteMessage).toMatch(/b: .*number/i);
        expect((await bus.request<number>(`t.${s}`, { type: 'calc.add', body: { a: 1, b: 2 } })).body).toBe(3);
        await bus.close();
      });
    });

    describe('work queues', () => {
      const queue = async (bus: Bus, opts: Partial<Parameters<Bus['workQueue']>[1]> = {}) => {
        const name = unique('wq');
        const q = await bus.workQueue(name, { subjects: [`work.${name}.>`], ackWaitMs: 1000, maxDeliver: 3, ...opts });
        return { q, name, subject: `work.${name}.job` };
      };

      it('delivers each job once to consumers sharing the queue, and empties it', async () => {
        const h = harness();
        const [a, b] = [await h.connect(), await h.connect()];
        const { q, name, subject } = await queue(a);
        const qb = await b.workQueue(name, { subjects: [`work.${name}.>`], ackWaitMs: 1000, maxDeliver: 3 });
        const done: Array<[string, number]> = [];
        const ca = q.consume<number>(async (j) => void done.push(['a', j.body]), { concurrency: 2 });
        const cb = qb.consume<number>(async (j) => void done.push(['b', j.body]), { concurrency: 2 });
        for (let i = 0; i < 40; i++) await q.enqueue(subject, { type: 'n', body: i });
        await waitFor(() => done.length === 40, '40 jobs');
        await sleep(200);
        expect(done.map(([, n]) => n).sort((x, y) => x - y)).toEqual([...Array(40).keys()]);
        expect(new Set(done.map(([who]) => who)).size).toBe(2);
        await waitFor(async () => (await q.info()).messages === 0, 'an empty queue');
        await Promise.all([ca.stop(), cb.stop()]);
        await a.close();
        await b.close();
      });

      it('redelivers a job whose handler threw', async () => {
        const bus = await harness().connect();
        const { q, subject } = await queue(bus);
        const deliveries: number[] = [];
        const c = q.consume<string>(async (j) => {
          deliveries.push(j.deliveryCount);
          if (j.deliveryCount === 1) throw new Error('transient');
        });
        await q.enqueue(subject, { type: 's', body: 'x' });
        await waitFor(() => deliveries.length === 2, 'a redelivery');
        await sleep(300);
        expect(deliveries).toEqual([1, 2]);
        await waitFor(async () => (await q.info()).messages === 0, 'an empty queue');
        await c.stop();
        await bus.close();
      });

      it('redelivers a job not acked within its ack wait', async () => {
        const bus = await harness().connect();
        const { q, subject } = await queue(bus, { ackWaitMs: 500 });
        const deliveries: number[] = [];
        const c = q.consume<string>(
          async (j) => {
            deliveries.push(j.deliveryCount);
            if (j.deliveryCount === 1) await sleep(1500);
          },
          { concurrency: 2 },
        );
        await q.enqueue(subject, { type: 's', body: 'slow' });
        await waitFor(() => deliveries.length >= 2, 'a redelivery after the ack wait');
        expect(deliveries.slice(0, 2)).toEqual([1, 2]);
        await c.stop();
        await bus.close();
      });

      it('does not redeliver long work that heartbeats', async () => {
        const bus = await harness().connect();
        const { q, subject } = await queue(bus, { ackWaitMs: 500 });
        const deliveries: number[] = [];
        let finished = false;
        const c = q.consume<string>(
          async (j) => {
            deliveries.push(j.deliveryCount);
            for (let i = 0; i < 10; i++) {
              await sleep(150);
              j.working();
            }
            finished = true;
          },
          { concurrency: 2 },
        );
        await q.enqueue(subject, { type: 's', body: 'long' });
        await waitFor(() => finished, 'the long job', 10_000);
        await sleep(700);
        expect(deliveries).toEqual([1]);
        await c.stop();
        await bus.close();
      });

      it('dead-letters a job after the maximum deliveries, with the error and the original', async () => {
        const bus = await harness().connect();
        const { q, subject } = await queue(bus, { maxDeliver: 3 });
        const dead = collect<DeadLetter>(bus, q.deadLetterSubject);
        await bus.flush();
        let calls = 0;
        const c = q.consume<{ id: string }>(async () => {
          calls++;
          throw new Error(`boom ${calls}`);
        });
        await q.enqueue(subject, { type: 'job', body: { id: 'j1' }, run: 'r9' });
        await waitFor(() => dead.length === 1, 'the dead letter');
        await sleep(300);
        expect(calls).toBe(3);
        const d = dead[0]!.body;
        expect(d.reason).toBe('max-deliveries');
        expect(d.deliveryCount).toBe(3);
        expect(d.error).toBe('boom 3');
        expect(d.subject).toBe(subject);
        expect(decodeBody(d.data)).toEqual({ id: 'j1' });
        expect(d.headers['retrace-run']).toBe('r9');
        await waitFor(async () => (await q.info()).messages === 0, 'the job removed');
        await c.stop();
        await bus.close();
      });

      it('dead-letters a job whose every delivery outlived the ack wait', async () => {
        const bus = await harness().connect();
        const { q, subject } = await queue(bus, { ackWaitMs: 300, maxDeliver: 2 });
        const dead = collect<DeadLetter>(bus, q.deadLetterSubject);
        await bus.flush();
        const c = q.consume(async () => void (await sleep(700)), { concurrency: 3 });
        await q.enqueue(subject, { type: 'job', body: 1 });
        await waitFor(() => dead.length === 1, 'the dead letter', 10_000);
        expect(dead[0]!.body.deliveryCount).toBe(2);
        expect(dead[0]!.body.error).toMatch(/ack wait/);
        await c.stop();
        await bus.close();
      });

      it('lets plain subscribers see what is enqueued, as a tracer would', async () => {
        const bus = await harness().connect();
        const { q, name, subject } = await queue(bus);
        const seen = collect<number>(bus, `work.${name}.>`);
        await bus.flush();
        await q.enqueue(subject, { type: 'n', body: 5 }, { msgId: 'seen-1' });
        await waitFor(() => seen.length === 1, 'the tracer to see the job');
        expect(seen[0]!.body).toBe(5);
        expect((await q.info()).messages).toBe(1);
        await bus.close();
      });

      it('drops a producer duplicate by message id', async () => {
        const bus = await harness().connect();
        const { q, subject } = await queue(bus);
        const first = await q.enqueue(subject, { type: 'n', body: 1 }, { msgId: 'file-a.ts#1' });
        const again = await q.enqueue(subject, { type: 'n', body: 1 }, { msgId: 'file-a.ts#1' });
        const other = await q.enqueue(subject, { type: 'n', body: 2 }, { msgId: 'file-b.ts#1' });
        expect(first.duplicate).toBe(false);
        expect(again.duplicate).toBe(true);
        expect(other.duplicate).toBe(false);
        expect((await q.info()).messages).toBe(2);
        const got: number[] = [];
        const c = q.consume<number>(async (j) => void got.push(j.body));
        await waitFor(() => got.length === 2, 'two jobs');
        await sleep(200);
        expect(got).toEqual([1, 2]);
        await c.stop();
        await bus.close();
      });

      it('dead-letters a malformed job at once', async () => {
        const bus = await harness().connect();
        const { q, subject } = await queue(bus);
        const dead = collect<DeadLetter>(bus, q.deadLetterSubject);
        await bus.flush();
        let calls = 0;
        const c = q.consume(async () => void calls++, { accept: { 'job.ok': z.object({ id: z.string() }) } });
        await q.enqueue(subject, { type: 'job.ok', body: { id: 7 } });
        await q.enqueue(subject, { type: 'job.ok', body: { id: 'seven' } });
        await waitFor(() => dead.length === 1 && calls === 1, 'one dead letter and one job');
        expect(dead[0]!.body.reason).toBe('invalid-body');
        expect(dead[0]!.body.deliveryCount).toBe(1);
        await c.stop();
        await bus.close();
      });
    });

    describe('key-value buckets', () => {
      it('gets, puts, creates, deletes and lists keys', async () => {
        const bus = await harness().connect();
        const kv = await bus.kv<{ model: string }>(unique('kv'));
        expect(await kv.get('coder')).toBeUndefined();
        const r1 = await kv.put('coder', { model: 'grounded' });
        const e = await kv.get('coder');
        expect(e?.value).toEqual({ model: 'grounded' });
        expect(e?.revision).toBe(r1);
        await expect(kv.create('coder', { model: 'x' })).rejects.toBeInstanceOf(KvConflictError);
        await kv.create('tester', { model: 't' });
        expect(await kv.keys()).toEqual(['coder', 'tester']);
        await kv.delete('coder');
        expect(await kv.get('coder')).toBeUndefined();
        expect(await kv.keys()).toEqual(['tester']);
        await bus.close();
      });

      it('updates by revision, and a stale revision is a conflict', async () => {
        const h = harness();
        const [a, b] = [await h.connect(), await h.connect()];
        const bucket = unique('cas');
        const ka = await a.kv<number>(bucket);
        const kb = await b.kv<number>(bucket);
        const r1 = await ka.put('count', 1);
        const r2 = await kb.update('count', 2, r1);
        expect(r2).toBeGreaterThan(r1);
        const err = await ka.update('count', 3, r1).catch((e) => e);
        expect(err).toBeInstanceOf(KvConflictError);
        expect((err as KvConflictError).key).toBe('count');
        expect((await ka.get('count'))?.value).toBe(2);
        await a.close();
        await b.close();
      });

      it('watches current values, then updates, in revision order', async () => {
        const bus = await harness().connect();
        const kv = await bus.kv<string>(unique('w'));
        await kv.put('a', 'a1');
        await kv.put('b', 'b1');
        await kv.put('a', 'a2');
        const w = await kv.watch();
        const seen: Array<[string, string | undefined, string, number]> = [];
        const reading = (async () => {
          for await (const e of w) {
            seen.push([e.key, e.value, e.operation, e.revision]);
            if (seen.length === 4) break;
          }
        })();
        await waitFor(() => seen.length === 2, 'the current values');
        await kv.put('c', 'c1');
        await kv.delete('b');
        await reading;
        expect(seen.map(([k, v, op]) => [k, v, op])).toEqual([
          ['b', 'b1', 'PUT'],
          ['a', 'a2', 'PUT'],
          ['c', 'c1', 'PUT'],
          ['b', undefined, 'DEL'],
        ]);
        const revs = seen.map((s) => s[3]);
        expect([...revs].sort((x, y) => x - y)).toEqual(revs);
        w.stop();
        await bus.close();
      });
    });

    describe('object buckets', () => {
      const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) % 251);
      async function* chunks(...parts: Uint8Array[]) {
        yield* parts;
      }
      const collect = async (it: AsyncIterable<Uint8Array> | undefined) => {
        if (!it) return undefined;
        const parts: Buffer[] = [];
        for await (const c of it) parts.push(Buffer.from(c));
        return Buffer.concat(parts);
      };

      it('stores an object larger than a message in chunks, read back byte for byte from another connection', async () => {
        const h = harness();
        const [a, b] = [await h.connect(), await h.connect()];
        const bucket = unique('obj');
        const big = bytes(1_300_000, 7);
        expect(await (await a.objects(bucket)).put('repo/records.jsonl.gz', chunks(big.subarray(0, 1000), big.subarray(1000)))).toBe(big.length);
        const got = await collect(await (await b.objects(bucket)).get('repo/records.jsonl.gz'));
        expect(got?.equals(Buffer.from(big))).toBe(true);
        await a.close();
        await b.close();
      });

      it('replaces an object whole, lists names sorted, and reads a deleted or missing one as undefined', async () => {
        const bus = await harness().connect();
        const store = await bus.objects(unique('obj'));
        await store.put('b', chunks(bytes(10, 1)));
        await store.put('a', chunks(bytes(5, 2)));
        await store.put('b', chunks(bytes(3, 3)));
        expect((await collect(await store.get('b')))?.equals(Buffer.from(bytes(3, 3)))).toBe(true);
        expect(await store.list()).toEqual(['a', 'b']);
        await store.delete('a');
        await store.delete('never');
        expect(await store.get('a')).toBeUndefined();
        expect(await store.get('never')).toBeUndefined();
        expect(await store.list()).toEqual(['b']);
        await bus.close();
      });
    });

    describe('services', () => {
      it('discovers nothing, without an error, when no service runs', async () => {
        const bus = await harness().connect();
        expect(await bus.discover(unique('nobody'), { timeoutMs: 300 })).toEqual([]);
        await bus.close();
      });

      it('registers endpoints, answers through them, counts requests and errors, and is discoverable', async () => {
        const h = harness();
        const bus = await h.connect();
        const client = await h.connect();
        const name = unique('svc');
        const svc = await bus.service({
          name,
          version: '1.2.3',
          description: 'test service',
          endpoints: [
            {
              name: 'double',
              subject: `t.${name}.double`,
              accept: { n: z.number() },
              handler: (m) => {
                if ((m.body as number) > 100) throw new Error('too big');
                return { type: 'n', body: (m.body as number) * 2 };
              },
            },
          ],
        });
        expect((await client.request<number>(`t.${name}.double`, { type: 'n', body: 21 })).body).toBe(42);
        await expect(client.request(`t.${name}.double`, { type: 'n', body: 101 })).rejects.toBeInstanceOf(RemoteError);
        await expect(client.request(`t.${name}.double`, { type: 's', body: 'x' })).rejects.toBeInstanceOf(RemoteError);
        const found = await client.discover(name);
        expect(found.map((f) => [f.name, f.id, f.version])).toEqual([[name, svc.id, '1.2.3']]);
        const ep = found[0]!.endpoints[0]!;
        expect([ep.name, ep.subject, ep.numRequests, ep.numErrors]).toEqual(['double', `t.${name}.double`, 3, 2]);
        expect(ep.processingTimeMs).toBeGreaterThanOrEqual(0);
        await svc.stop();
        await expect(client.request(`t.${name}.double`, { type: 'n', body: 1 })).rejects.toBeInstanceOf(NoRespondersError);
        await bus.close();
        await client.close();
      });
    });
  });
}
