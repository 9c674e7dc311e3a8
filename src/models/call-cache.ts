/**
 * The cache of model calls: an answer stored under its request's key (call-key.ts), in a store
 * that every process of a run shares (a folder on disk, or NATS KV on a cluster).
 *
 * Entries are verifiable: each holds the key it was stored under (the request's hash) and the
 * SHA-256 of its answer, so a file cut short, edited or written by another format is seen for
 * what it is. A corrupt or unreadable entry is ignored with a warning (the call is made again and
 * the entry rewritten); a store that cannot be written is warned about once and the run goes on.
 * The cache never fails a run.
 */
import type { Logger } from 'pino';
import { CALL_FORMAT, canonicalJson, sha256 } from './call-key.ts';

/** Tokens a call cost when it was paid, as its response's `usage` said. */
export interface CallUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface CallEntry {
  format: typeof CALL_FORMAT;
  /** The request's hash: the key it is stored under. */
  key: string;
  model: string;
  kind: string;
  answer: unknown;
  /** SHA-256 of the answer's canonical JSON. */
  answerDigest: string;
  usage: CallUsage | null;
  /** ISO time it was paid for. */
  at: string;
}

/** Where entries live. `read` gives what was stored (unchecked), or undefined when nothing is. */
export interface CallStore {
  /** For messages: the folder, or the bucket. */
  readonly where: string;
  read(key: string): Promise<unknown>;
  write(key: string, entry: CallEntry): Promise<void>;
}

export interface CacheCounts {
  hits: number;
  misses: number;
  /** Entries found but ignored: unreadable, of another format, or failing their hashes. */
  corrupt: number;
  writes: number;
  writeErrors: number;
}

/** Why a stored value is not a usable entry for `key`, or null when it is one. */
export function entryProblem(key: string, value: unknown): string | null {
  if (typeof value !== 'object' || value === null) return 'not an entry';
  const e = value as Partial<CallEntry>;
  if (e.format !== CALL_FORMAT) return `format ${String(e.format)}, not ${CALL_FORMAT}`;
  if (e.key !== key) return 'stored under another request';
  if (typeof e.answerDigest !== 'string' || !('answer' in e)) return 'no answer';
  if (sha256(canonicalJson(e.answer)) !== e.answerDigest) return "the answer does not match its hash";
  return null;
}

export class CallCache {
  readonly counts: CacheCounts = { hits: 0, misses: 0, corrupt: 0, writes: 0, writeErrors: 0 };

  constructor(
    readonly store: CallStore,
    private readonly log?: Logger,
  ) {}

  /** The stored entry for `key`, verified; undefined when there is none or it cannot be trusted. */
  async get(key: string): Promise<CallEntry | undefined> {
    let value: unknown;
    try {
      value = await this.store.read(key);
    } catch (err) {
      return this.ignore(key, `unreadable (${(err as Error).message})`);
    }
    if (value === undefined) {
      this.counts.misses++;
      return undefined;
    }
    const problem = entryProblem(key, value);
    if (problem) return this.ignore(key, problem);
    this.counts.hits++;
    return value as CallEntry;
  }

  /** Stores an answer; a failed write is logged, never thrown. */
  async put(key: string, request: { model: string; kind: string }, answer: unknown, usage: CallUsage | null): Promise<void> {
    const entry: CallEntry = {
      format: CALL_FORMAT,
      key,
      model: request.model,
      kind: request.kind,
      answer,
      answerDigest: sha256(canonicalJson(answer)),
      usage,
      at: new Date().toISOString(),
    };
    try {
      await this.store.write(key, entry);
      this.counts.writes++;
    } catch (err) {
      if (this.counts.writeErrors++ === 0) {
        this.log?.warn({ cache: this.store.where, err: (err as Error).message }, 'model-call cache: cannot store answers; calls are made but not kept');
      }
    }
  }

  private ignore(key: string, problem: string): undefined {
    this.counts.corrupt++;
    this.counts.misses++;
    this.log?.warn({ cache: this.store.where, key, problem }, 'model-call cache: ignoring a corrupt entry; the call is made again');
    return undefined;
  }
}
