/**
 * A key-value bucket on NATS KV. Values are msgpack-encoded like message bodies. A lost
 * compare-and-set (`wrong last sequence`) becomes KvConflictError.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { Kvm, type KV, type KvEntry as NatsKvEntry } from '@nats-io/kv';
import { decodeBody, encodeBody } from './envelope.ts';
import { AsyncQueue } from './async-queue.ts';
import { KvConflictError } from './errors.ts';
import { assertKey } from './memory-kv.ts';
import { SETUP_ATTEMPTS } from './nats-queue.ts';
import type { KvBucket, KvEntry, KvOptions, KvWatch } from './types.ts';

function isConflict(err: unknown): boolean {
  const e = err as { message?: string; code?: number; api_error?: { err_code?: number } };
  return /wrong last sequence|key exists/i.test(e?.message ?? '') || e?.api_error?.err_code === 10071;
}

export class NatsKv<T> implements KvBucket<T> {
  private constructor(
    readonly bucket: string,
    private readonly kv: KV,
    private readonly watches: Set<{ stop(): void }>,
  ) {}

  /** `setupJs` (a short API timeout) creates the bucket; `js` serves it. */
  static async open<T>(js: JetStreamClient, setupJs: JetStreamClient, bucket: string, opts: KvOptions & { replicas?: number }, watches: Set<{ stop(): void }>): Promise<NatsKv<T>> {
    // On a cluster a replicated bucket being created by several processes at once, or just
    // created, can time out the first requests (creation, direct gets): try again until a read
    // answers.
    for (let attempt = 1; ; attempt++) {
      try {
        const probe = await new Kvm(setupJs).create(bucket, { history: opts.history ?? 1, replicas: opts.replicas ?? 1 });
        await probe.get('_probe');
        const kv = await new Kvm(js).open(bucket);
        return new NatsKv<T>(bucket, kv, watches);
      } catch (err) {
        if (attempt >= SETUP_ATTEMPTS || !/timeout|not enabled|not available|no responders/i.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, Math.min(2000, 250 * attempt)));
      }
    }
  }

  async get(key: string): Promise<KvEntry<T> | undefined> {
    assertKey(key);
    const e = await this.kv.get(key);
    return e && e.operation === 'PUT' ? this.toEntry(e) : undefined;
  }

  async put(key: string, value: T): Promise<number> {
    assertKey(key);
    return this.kv.put(key, encodeBody(value));
  }

  async create(key: string, value: T): Promise<number> {
    assertKey(key);
    try {
      return await this.kv.create(key, encodeBody(value));
    } catch (err) {
      if (isConflict(err)) throw new KvConflictError(this.bucket, key, undefined, { cause: err });
      throw err;
    }
  }

  async update(key: string, value: T, revision: number): Promise<number> {
    assertKey(key);
    try {
      return await this.kv.update(key, encodeBody(value), revision);
    } catch (err) {
      if (isConflict(err)) throw new KvConflictError(this.bucket, key, revision, { cause: err });
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    await this.kv.delete(key);
  }

  async keys(): Promise<string[]> {
    const out: string[] = [];
    for await (const k of await this.kv.keys()) out.push(k);
    return out.sort();
  }

  async history(key: string): Promise<KvEntry<T>[]> {
    assertKey(key);
    const out: KvEntry<T>[] = [];
    for await (const e of await this.kv.history({ key })) out.push(this.toEntry(e));
    return out.sort((a, b) => a.revision - b.revision);
  }

  async watch(opts: { key?: string } = {}): Promise<KvWatch<T>> {
    const iter = await this.kv.watch(opts.key ? { key: opts.key } : {});
    const handle = { stop: () => iter.stop() };
    const queue = new AsyncQueue<KvEntry<T>>(() => {
      iter.stop();
      this.watches.delete(handle);
    });
    this.watches.add(handle);
    void (async () => {
      for await (const e of iter) queue.push(this.toEntry(e));
      queue.end();
    })().catch(() => queue.end());
    return Object.assign(queue, {
      stop: () => {
        iter.stop();
        this.watches.delete(handle);
        queue.end();
      },
    });
  }

  private toEntry(e: NatsKvEntry): KvEntry<T> {
    const operation = e.operation === 'PUT' ? 'PUT' : 'DEL';
    return {
      bucket: this.bucket,
      key: e.key,
      value: operation === 'PUT' && e.value.length > 0 ? (decodeBody(e.value) as T) : undefined,
      revision: e.revision,
      operation,
    };
  }
}
