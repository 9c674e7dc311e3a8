/**
 * An object bucket on the NATS object store (@nats-io/obj): objects are streamed in chunks
 * (128 KiB, the store's default) and checked against their SHA-256 digest when read.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { assertKey } from './memory-kv.ts';
import { SETUP_ATTEMPTS } from './nats-queue.ts';
import type { ObjectBucket } from './types.ts';

export class NatsObjects implements ObjectBucket {
  private constructor(
    readonly bucket: string,
    private readonly store: ObjectStore,
  ) {}

  /** Creates the bucket when it is missing; on a cluster, retries while a new bucket settles. */
  static async open(js: JetStreamClient, bucket: string, replicas: number): Promise<NatsObjects> {
    for (let attempt = 1; ; attempt++) {
      try {
        const store = await new Objm(js).create(bucket, { replicas });
        await store.status();
        return new NatsObjects(bucket, store);
      } catch (err) {
        if (attempt >= SETUP_ATTEMPTS || !/timeout|not enabled|not available|no responders/i.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, Math.min(2000, 250 * attempt)));
      }
    }
  }

  async put(name: string, data: AsyncIterable<Uint8Array>): Promise<number> {
    assertKey(name);
    const info = await this.store.put({ name }, ReadableStream.from(data));
    return info.size;
  }

  async get(name: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    assertKey(name);
    const result = await this.store.get(name);
    if (!result) return undefined;
    const { data, error } = result;
    return (async function* () {
      for await (const chunk of data as unknown as AsyncIterable<Uint8Array>) yield chunk;
      // A digest that does not match, or a chunk missing, ends the read with an error.
      const failed = await error;
      if (failed) throw failed;
    })();
  }

  async delete(name: string): Promise<void> {
    assertKey(name);
    const info = await this.store.info(name);
    if (info && !info.deleted) await this.store.delete(name);
  }

  async list(): Promise<string[]> {
    return (await this.store.list()).filter((o) => !o.deleted).map((o) => o.name).sort();
  }
}
