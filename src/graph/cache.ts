/**
 * The on-disk facts cache: extracted facts keyed by content hash and language, so re-indexing an
 * unchanged repository parses nothing. One msgpack file per repository root (one read and one
 * write per run); it keeps only the entries the last run used, so it never grows past the repo.
 * The file carries a fingerprint of everything that shapes facts (format version, grammar
 * package versions, our query text): a mismatch discards it.
 *
 * Beside the facts, the file keeps the last run's result (`ResultEntry`): what resolution and
 * reference resolution made of the repo, under a key that covers everything they depend on (see
 * index-repo.ts). When a run's key matches, both are restored instead of recomputed.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Packr } from 'msgpackr';
import { importPatterns } from './import-patterns.ts';
import { languages } from './languages.ts';
import type { FileFacts, ImportSpec, LanguageId } from './types.ts';

/** Bump when extraction changes what it produces. */
const formatVersion = 3; // 3: Rust inline-module scope and #[path]; Java type uses; C macros; TS fallback

const packr = new Packr({ useRecords: true, moreTypes: false });

interface CacheFile {
  fingerprint: string;
  entries: Record<string, FileFacts>;
  result?: ResultEntry;
}

/**
 * A whole run's resolution, stored compactly. File indexes are positions in the run's facts
 * paths, sorted (the order resolution and the graph iterate in).
 */
export interface ResultEntry {
  /** Hash of everything resolution depends on except the config files' text (index-repo.ts). */
  key: string;
  /** Files the resolvers read (package.json, tsconfig.json, go.mod, ...): path, sha1 of the bytes ('' if unreadable). */
  configs: Array<[string, string]>;
  /**
   * Per resolved import: importing file index, index of the spec in its facts' imports (or the spec
   * itself when a resolver made a new one), outcome (0 target, 1 external, 2 unresolved), target path
   * or external id ('' when unresolved).
   */
  imports: Array<[number, number | ImportSpec, 0 | 1 | 2, string]>;
  /** References, flattened in fours: from file index, symbol's file index, symbol index in that file, count. */
  references: number[];
}

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  return join(base, 'retrace', 'graph');
}

export class FactsCache {
  private readonly old: Map<string, FileFacts>;
  private readonly used = new Map<string, FileFacts>();
  private added = false;
  private resultChanged = false;
  hits = 0;

  private constructor(
    private readonly file: string,
    private readonly fingerprint: string,
    old: Map<string, FileFacts>,
    private resultEntry: ResultEntry | undefined,
  ) {
    this.old = old;
  }

  /** True when the file held nothing usable: a cold run. */
  get isEmpty(): boolean {
    return this.old.size === 0;
  }

  /** The last run's result, as stored. */
  get result(): ResultEntry | undefined {
    return this.resultEntry;
  }

  setResult(result: ResultEntry): void {
    this.resultEntry = result;
    this.resultChanged = true;
  }

  static open(dir: string, root: string): FactsCache {
    const fp = fingerprint();
    const file = join(dir, `${createHash('sha1').update(root).digest('hex').slice(0, 20)}.msgpack`);
    let old = new Map<string, FileFacts>();
    let result: ResultEntry | undefined;
    try {
      const data = packr.unpack(readFileSync(file)) as CacheFile;
      if (data.fingerprint === fp) {
        old = new Map(Object.entries(data.entries));
        result = data.result;
      }
    } catch {
      // Missing or unreadable: start empty.
    }
    return new FactsCache(file, fp, old, result);
  }

  get(hash: string, language: LanguageId): FileFacts | undefined {
    const key = `${language}:${hash}`;
    const facts = this.used.get(key) ?? this.old.get(key);
    if (facts) {
      this.hits++;
      this.used.set(key, facts);
    }
    return facts;
  }

  set(hash: string, language: LanguageId, facts: FileFacts): void {
    const key = `${language}:${hash}`;
    if (!this.old.has(key)) this.added = true;
    this.used.set(key, facts);
  }

  /**
   * Writes the entries used by this run and the result, atomically (temp file + rename); nothing
   * when the run used exactly what the file holds (an unchanged repo re-indexed).
   */
  save(): void {
    if (!this.added && this.used.size === this.old.size && !this.resultChanged) return;
    mkdirSync(join(this.file, '..'), { recursive: true });
    // Unique per write: two indexings of one repo in one process must not share a temp file.
    const tmp = `${this.file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(tmp, packr.pack({ fingerprint: this.fingerprint, entries: Object.fromEntries(this.used), ...(this.resultEntry ? { result: this.resultEntry } : {}) } satisfies CacheFile));
    renameSync(tmp, this.file);
  }
}

let cachedFingerprint: string | undefined;

/** Everything that shapes facts: the format, grammar package versions, our query text. */
export function fingerprint(): string {
  if (cachedFingerprint) return cachedFingerprint;
  const require = createRequire(import.meta.url);
  const h = createHash('sha1').update(`v${formatVersion}`);
  for (const pkg of ['tree-sitter', 'tree-sitter-typescript', 'tree-sitter-javascript', 'tree-sitter-python', 'tree-sitter-go', 'tree-sitter-rust', 'tree-sitter-java', 'tree-sitter-c', 'tree-sitter-cpp']) {
    h.update(`${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}`);
  }
  for (const l of languages) h.update(importPatterns(l));
  cachedFingerprint = h.digest('hex');
  return cachedFingerprint;
}
