/** An object bucket in memory: each object's bytes held whole, replaced whole by `put`. */
import { assertKey } from './memory-kv.ts';
import type { ObjectBucket } from './types.ts';

export class MemoryObjects implements ObjectBucket {
  private readonly objects = new Map<string, Uint8Array[]>();

  constructor(readonly bucket: string) {}

  async put(name: string, data: AsyncIterable<Uint8Array>): Promise<number> {
    assertKey(name);
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const c of data) {
      chunks.push(Uint8Array.from(c));
      size += c.byteLength;
    }
    this.objects.set(name, chunks);
    return size;
  }

  async get(name: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    assertKey(name);
    const chunks = this.objects.get(name);
    if (!chunks) return undefined;
    return (async function* () {
      yield* chunks;
    })();
  }

  async delete(name: string): Promise<void> {
    assertKey(name);
    this.objects.delete(name);
  }

  async list(): Promise<string[]> {
    return [...this.objects.keys()].sort();
  }
}
