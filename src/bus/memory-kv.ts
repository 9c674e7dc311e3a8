/**
 * An in-process key-value bucket with NATS KV semantics: one revision sequence per bucket,
 * compare-and-set by revision, delete markers, and watches that see current values and then every
 * change, in revision order. Values are stored encoded, so readers never share objects.
 */
import { decodeBody, encodeBody } from './envelope.ts';
import { KvConflictError, InvalidSubjectError } from './errors.ts';
import { AsyncQueue } from './async-queue.ts';
import { subjectMatches } from './subjects.ts';
import type { KvBucket, KvEntry, KvWatch } from './types.ts';

interface Stored {
  key: string;
  data: Uint8Array | undefined;
  revision: number;
  operation: 'PUT' | 'DEL';
}

const KEY_RE = /^[-/_=.a-zA-Z0-9]+$/;

export function assertKey(key: string): void {
  if (!KEY_RE.test(key) || key.startsWith('.') || key.endsWith('.')) {
    throw new InvalidSubjectError(`invalid key "${key}": use letters, digits and - / _ = . (not at the ends)`);
  }
}

export class MemoryKv<T> implements KvBucket<T> {
  private revision = 0;
  private readonly entries = new Map<string, Stored>();
  /** Each key's last `keep` revisions, oldest first (NATS KV's `history`). */
  private readonly kept = new Map<string, Stored[]>();
  private readonly watchers = new Set<{ filter: string; queue: AsyncQueue<KvEntry<T>> }>();

  constructor(
    readonly bucket: string,
    private readonly keep = 1,
  ) {}

  async get(key: string): Promise<KvEntry<T> | undefined> {
    assertKey(key);
    const e = this.entries.get(key);
    return e && e.operation === 'PUT' ? this.toEntry(e) : undefined;
  }

  async put(key: string, value: T): Promise<number> {
    assertKey(key);
    return this.write(key, encodeBody(value), 'PUT');
  }

  async create(key: string, value: T): Promise<number> {
    assertKey(key);
    const e = this.entries.get(key);
    if (e && e.operation === 'PUT') throw new KvConflictError(this.bucket, key, undefined);
    return this.write(key, encodeBody(value), 'PUT');
  }

  async update(key: string, value: T, revision: number): Promise<number> {
    assertKey(key);
    const e = this.entries.get(key);
    if (!e || e.revision !== revision) throw new KvConflictError(this.bucket, key, revision);
    return this.write(key, encodeBody(value), 'PUT');
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    this.write(key, undefined, 'DEL');
  }

  async keys(): Promise<string[]> {
    return [...this.entries.values()].filter((e) => e.operation === 'PUT').map((e) => e.key).sort();
  }

  async history(key: string): Promise<KvEntry<T>[]> {
    assertKey(key);
    return (this.kept.get(key) ?? []).map((e) => this.toEntry(e));
  }

  async watch(opts: { key?: string } = {}): Promise<KvWatch<T>> {
    const filter = opts.key ?? '>';
    const watcher = { filter, queue: new AsyncQueue<KvEntry<T>>(() => this.watchers.delete(watcher)) };
    const current = [...this.entries.values()]
      .filter((e) => subjectMatches(filter, e.key))
      .sort((a, b) => a.revision - b.revision);
    for (const e of current) watcher.queue.push(this.toEntry(e));
    this.watchers.add(watcher);
    return Object.assign(watcher.queue, {
      stop: () => {
        this.watchers.delete(watcher);
        watcher.queue.end();
      },
    });
  }

  stopWatches(): void {
    for (const w of this.watchers) w.queue.end();
    this.watchers.clear();
  }

  private write(key: string, data: Uint8Array | undefined, operation: 'PUT' | 'DEL'): number {
    const stored: Stored = { key, data, revision: ++this.revision, operation };
    this.entries.set(key, stored);
    const kept = [...(this.kept.get(key) ?? []), stored];
    this.kept.set(key, kept.slice(Math.max(0, kept.length - this.keep)));
    for (const w of this.watchers) if (subjectMatches(w.filter, key)) w.queue.push(this.toEntry(stored));
    return stored.revision;
  }

  private toEntry(e: Stored): KvEntry<T> {
    return {
      bucket: this.bucket,
      key: e.key,
      value: e.data === undefined ? undefined : (decodeBody(e.data) as T),
      revision: e.revision,
      operation: e.operation,
    };
  }
}
