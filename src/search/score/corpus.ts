/**
 * Embedded scorers per corpus: one per (run, repository), trained on exactly the files written
 * before the current target, in writing order — extended when the next request continues the
 * same corpus, rebuilt when it goes back. Any process (an agent, a search service, a scoring node)
 * asked about the same target with the same corpus computes the same scores.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import type { Bus } from '../../bus/mod.ts';
import { GraphClient } from '../../graph/service/client.ts';
import { EmbeddedScorer } from './embedded.ts';
import type { CorpusRef } from './protocol.ts';

/** Reads the texts of some of a corpus's files, in order. */
export type CorpusReader = (ref: CorpusRef, files: readonly string[]) => Promise<string[]>;

export class CorpusPathError extends Error {
  override name = 'CorpusPathError';
}

/**
 * Texts from the graph service the corpus names (over `bus`), or from its root on this machine's
 * file system; paths leaving the root are refused.
 */
export function corpusReader(bus?: Bus): CorpusReader {
  return async (ref, files) => {
    if (ref.graph) {
      if (!bus) throw new CorpusPathError(`corpus ${ref.key} is served by the graph service "${ref.graph}", and this process has no bus`);
      return new GraphClient(bus, ref.graph).sources(files, ref.digest);
    }
    return files.map((f) => {
      const rel = normalize(f);
      if (isAbsolute(rel) || rel === '..' || rel.startsWith('../')) throw new CorpusPathError(`corpus file ${JSON.stringify(f)} is outside the repository`);
      return readFileSync(join(ref.root!, rel), 'utf8');
    });
  };
}

interface Entry {
  key: string;
  scorer: EmbeddedScorer;
  /** The file count it is trained (or being trained) on. */
  count: number;
  /** Settles when the training to `count` is done. */
  ready: Promise<void>;
  /** Searches using the scorer now: it is not trained further while any is. */
  leases: number;
  lastUsed: number;
}

/**
 * A scorer is never trained further while a search uses it (that search would see files written
 * after its target): a request that needs more files than a busy scorer knows gets a scorer of its
 * own. Requests at the same count share one scorer.
 */
export class CorpusScorers {
  private readonly entries: Entry[] = [];
  private clock = 0;

  /**
   * At most `keep` scorers are kept when idle (a long-lived process serves many runs); `make`
   * builds an untrained one (a node of another n-gram order trains its own kind).
   */
  constructor(
    private readonly keep = 4,
    private readonly make: () => EmbeddedScorer = () => new EmbeddedScorer(),
  ) {}

  /** Runs `fn` with the scorer of `key` trained on `text(0..count)`; `text(i)` is asked only for untrained files. */
  async use<T>(key: string, count: number, text: (i: number) => string, fn: (scorer: EmbeddedScorer) => Promise<T>): Promise<T> {
    return this.lease(key, count, async (from) => Array.from({ length: count - from }, (_, k) => text(from + k)), fn);
  }

  /** Runs `fn` with the scorer of `ref` trained on all its files, reading only the texts it has not trained on. */
  async useRef<T>(ref: CorpusRef, read: CorpusReader, fn: (scorer: EmbeddedScorer) => Promise<T>): Promise<T> {
    return this.lease(ref.key, ref.files.length, (from) => read(ref, ref.files.slice(from)), fn);
  }

  /** Scorers held now. */
  get size(): number {
    return this.entries.length;
  }

  private async lease<T>(key: string, count: number, texts: (from: number) => Promise<string[]>, fn: (scorer: EmbeddedScorer) => Promise<T>): Promise<T> {
    const e = this.pick(key, count, texts);
    e.leases++;
    e.lastUsed = ++this.clock;
    try {
      await e.ready;
      return await fn(e.scorer);
    } finally {
      e.leases--;
      this.evict();
    }
  }

  private pick(key: string, count: number, texts: (from: number) => Promise<string[]>): Entry {
    let extend: Entry | undefined;
    for (const e of this.entries) {
      if (e.key !== key) continue;
      if (e.count === count) return e;
      if (e.leases === 0 && e.count < count && (!extend || e.count > extend.count)) extend = e;
    }
    const e: Entry = extend ?? { key, scorer: this.make(), count: 0, ready: Promise.resolve(), leases: 0, lastUsed: 0 };
    if (!extend) this.entries.push(e);
    const from = e.count;
    e.count = count;
    e.ready = e.ready
      .then(() => texts(from))
      .then((got) => {
        if (got.length !== count - from) throw new Error(`corpus ${key}: read ${got.length} texts, expected ${count - from}`);
        for (const t of got) e.scorer.train(t);
      })
      .catch((err: unknown) => {
        // A scorer whose training failed is dropped; those waiting on it get the error.
        this.drop(e);
        throw err;
      });
    return e;
  }

  private drop(e: Entry): void {
    const i = this.entries.indexOf(e);
    if (i >= 0) this.entries.splice(i, 1);
  }

  private evict(): void {
    while (this.entries.length > this.keep) {
      let victim: Entry | undefined;
      for (const e of this.entries) if (e.leases === 0 && (!victim || e.lastUsed < victim.lastUsed)) victim = e;
      if (!victim) return;
      this.drop(victim);
    }
  }
}
