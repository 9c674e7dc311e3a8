/**
 * Checkpoints for resume. Every result the conductor receives is appended (one JSON line, synced)
 * to `<out>.checkpoint` after a header line naming the run. An interrupted run started again with
 * `--resume` reads them back in order and hands them to the conductor instead of doing the work
 * again; the dataset is rebuilt from them, so it equals an uninterrupted run's. A line cut short
 * by a crash is ignored: that work is simply done again.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { WorkResult } from '../agents/protocol.ts';

export interface CheckpointHeader {
  checkpoint: 1;
  run: string;
  repo: string;
  seed: number;
  budget: number;
  faultRate: number;
  policies: Record<string, unknown>;
  /** The run's start whose work this is (see ConductOptions.attempt); kept when resuming. */
  attempt?: string;
}

/** The checkpoint is synced to the disk at most this often (see `record`). */
const SYNC_EVERY_MS = 1000;

export class CheckpointMismatchError extends Error {
  override name = 'CheckpointMismatchError';
}

export class Checkpoint {
  private fd: number;
  private readonly saved: WorkResult[] = [];
  private next = 0;
  private synced = Date.now();

  private constructor(
    readonly path: string,
    fd: number,
    saved: WorkResult[],
    /** The start of the run the saved work belongs to (the first start's, when resumed). */
    readonly attempt: string | undefined,
  ) {
    this.fd = fd;
    this.saved = saved;
  }

  /** A new checkpoint (resume false), or the one left by an interrupted run of the same options. */
  static open(path: string, header: CheckpointHeader, resume: boolean): Checkpoint {
    let saved: WorkResult[] = [];
    if (resume && existsSync(path)) {
      const lines = readFileSync(path, 'utf8').split('\n');
      const head = lines[0] ? (JSON.parse(lines[0]) as CheckpointHeader) : undefined;
      const { attempt: _a, ...wanted } = header;
      const { attempt: kept, ...found } = head ?? ({} as Partial<CheckpointHeader>);
      if (!head || JSON.stringify(found) !== JSON.stringify(wanted)) {
        throw new CheckpointMismatchError(`${path} belongs to another run (or other options): ${lines[0]?.slice(0, 200) ?? 'empty'}`);
      }
      if (kept !== undefined) header = { ...header, attempt: kept };
      for (const line of lines.slice(1)) {
        if (!line.trim()) continue;
        try {
          saved.push(JSON.parse(line) as WorkResult);
        } catch {
          break; // cut short by the crash: everything from here is done again
        }
      }
    }
    // Rewrite: header and the complete results, dropping any torn tail.
    const fd = openSync(path, 'w');
    writeSync(fd, JSON.stringify(header) + '\n');
    for (const r of saved) writeSync(fd, JSON.stringify(r) + '\n');
    fsyncSync(fd);
    return new Checkpoint(path, fd, saved, header.attempt);
  }

  get resumed(): number {
    return this.saved.length;
  }

  /** The saved result for `job` if it is the next one in order. */
  take(job: string): WorkResult | undefined {
    const r = this.saved[this.next];
    if (r && r.job === job) {
      this.next++;
      return r;
    }
    return undefined;
  }

  /**
   * Appends a result. The line is written at once (a killed process loses nothing written), and
   * synced to the disk at most once a second (SYNC_EVERY_MS) and on close: a sync per result cost a
   * run of 2,000 files a tenth of its time, and what an OS crash could lose is the last second of
   * work, done again on resume (a torn last line is dropped).
   */
  record(result: WorkResult): void {
    writeSync(this.fd, JSON.stringify(result) + '\n');
    const now = Date.now();
    if (now - this.synced >= SYNC_EVERY_MS) {
      fsyncSync(this.fd);
      this.synced = now;
    }
  }

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}
