/**
 * Parsing across threads. `workers: 0` parses inline on the calling thread (tests, tiny repos);
 * otherwise each worker thread owns a parser and its grammars, and batches go to the worker with
 * the fewest characters queued.
 */
import { Worker } from 'node:worker_threads';
import { FileParser } from './parse-file.ts';
import type { ParseBatch, ParseBatchResult, ParseResult, ParseTask } from './pool-protocol.ts';

export class WorkerCrashError extends Error {
  override readonly name = 'WorkerCrashError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

interface Slot {
  worker: Worker;
  queuedChars: number;
  pending: Map<number, { resolve: (r: ParseResult[]) => void; reject: (e: Error) => void; chars: number }>;
}

export interface ParsePool {
  readonly size: number;
  parse(files: ParseTask[]): Promise<ParseResult[]>;
  close(): Promise<void>;
}

export async function startParsePool(workers: number): Promise<ParsePool> {
  return workers <= 0 ? new InlinePool() : ThreadPool.start(workers);
}

class InlinePool implements ParsePool {
  readonly size = 0;
  private parser: FileParser | undefined;

  async parse(files: ParseTask[]): Promise<ParseResult[]> {
    this.parser ??= new FileParser();
    const parser = this.parser;
    const results = files.map((f) => ({ path: f.path, facts: parser.parse(f.language, f.text) }));
    parser.releaseTrees();
    // Tree finalizers run only when the event loop turns (see parse-file.ts).
    await new Promise((resolve) => setImmediate(resolve));
    return results;
  }

  async close(): Promise<void> {
    this.parser = undefined;
  }
}

class ThreadPool implements ParsePool {
  private nextId = 1;

  private constructor(private readonly slots: Slot[]) {}

  get size(): number {
    return this.slots.length;
  }

  static async start(n: number): Promise<ThreadPool> {
    const entry = new URL('./worker-entry.cjs', import.meta.url);
    const slots = await Promise.all(
      Array.from({ length: n }, async () => {
        // execArgv is cleared: the entry registers its own loader, and the parent's flags (tsx's,
        // vitest's) are not meant for this thread.
        const worker = new Worker(entry, { execArgv: [] });
        await new Promise<void>((resolve, reject) => {
          const onMessage = (m: { ready?: boolean }) => {
            if (m.ready) {
              worker.off('error', reject);
              worker.off('message', onMessage);
              resolve();
            }
          };
          worker.on('message', onMessage);
          worker.once('error', reject);
        });
        return { worker, queuedChars: 0, pending: new Map() } as Slot;
      }),
    );
    for (const slot of slots) {
      slot.worker.on('message', (m: ParseBatchResult) => {
        const p = slot.pending.get(m.id);
        if (!p) return;
        slot.pending.delete(m.id);
        slot.queuedChars -= p.chars;
        p.resolve(m.results);
      });
      const fail = (err: Error) => {
        for (const p of slot.pending.values()) p.reject(new WorkerCrashError(`parse worker failed: ${err.message}`, { cause: err }));
        slot.pending.clear();
        slot.queuedChars = 0;
      };
      slot.worker.on('error', fail);
      slot.worker.on('exit', (code) => {
        if (slot.pending.size > 0) fail(new Error(`exited with code ${code}`));
      });
    }
    return new ThreadPool(slots);
  }

  parse(files: ParseTask[]): Promise<ParseResult[]> {
    const chars = files.reduce((n, f) => n + f.text.length, 0);
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.queuedChars < slot.queuedChars) slot = s;
    const id = this.nextId++;
    const batch: ParseBatch = { id, files };
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject, chars });
      slot.queuedChars += chars;
      slot.worker.postMessage(batch);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
