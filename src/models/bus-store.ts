/**
 * Model-call entries on the bus, shared by every process of a cluster: NATS KV bucket
 * `retrace-model-calls` (key: the request's hash). An entry too large for a KV value (over
 * 256 KiB as JSON; NATS's default message limit is 1 MiB) goes to the object store bucket of the
 * same name, and its KV value says so.
 */
import type { Bus, KvBucket, ObjectBucket } from '../bus/mod.ts';
import type { CallEntry, CallStore } from './call-cache.ts';

export const MODEL_CALLS_BUCKET = 'retrace-model-calls';
const KV_LIMIT = 256 * 1024;

type Stored = CallEntry | { object: string };

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

export class BusCallStore implements CallStore {
  readonly where = `NATS KV ${MODEL_CALLS_BUCKET}`;
  #objects: Promise<ObjectBucket> | undefined;

  private constructor(
    private readonly bus: Bus,
    private readonly kv: KvBucket<Stored>,
  ) {}

  static async open(bus: Bus): Promise<BusCallStore> {
    return new BusCallStore(bus, await bus.kv<Stored>(MODEL_CALLS_BUCKET));
  }

  async read(key: string): Promise<unknown> {
    const value = (await this.kv.get(key))?.value;
    if (value === undefined || !('object' in value)) return value;
    const chunks = await (await this.objects()).get(value.object);
    if (!chunks) throw new Error('its object is missing');
    const parts: Buffer[] = [];
    for await (const c of chunks) parts.push(Buffer.from(c));
    return JSON.parse(Buffer.concat(parts).toString('utf8')) as unknown;
  }

  async write(key: string, entry: CallEntry): Promise<void> {
    const json = JSON.stringify(entry);
    if (json.length <= KV_LIMIT) {
      await this.kv.put(key, entry);
      return;
    }
    await (await this.objects()).put(key, once(Buffer.from(json, 'utf8')));
    await this.kv.put(key, { object: key });
  }

  private objects(): Promise<ObjectBucket> {
    this.#objects ??= this.bus.objects(MODEL_CALLS_BUCKET);
    return this.#objects;
  }
}
