/**
 * Streams a run's steps into dataset records as they arrive: steps gather into the current chunk
 * and a chunk is written out once it reaches the token limit, so memory holds one chunk, never the
 * whole run. With no limit, the run is one record, written at the end.
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import type { Step } from '../agents/types.ts';
import { approxTokens, DATASET_VERSION, flatten, renderStep, type DatasetRecord } from './format.ts';

export interface WriterMeta {
  repo: DatasetRecord['repo'];
  run: DatasetRecord['run'];
}

export class DatasetWriter {
  private fd: number;
  private pending: Array<Step & { index: number }> = [];
  private pendingChars = 0;
  private stepIndex = 0;
  private chunkIndex = 0;
  private firstStep = 0;
  readonly totals = { records: 0, steps: 0, chars: 0, trainChars: 0, maskedChars: 0 };

  constructor(
    readonly path: string,
    private meta: WriterMeta,
    /** Approximate tokens per record; 0 for one record per run. */
    private readonly chunkTokens: number,
  ) {
    this.fd = openSync(path, 'w');
  }

  /** Metadata known only later (e.g. policies seen) may still change before the first record. */
  updateMeta(meta: Partial<WriterMeta>): void {
    this.meta = { ...this.meta, ...meta };
  }

  add(steps: readonly Step[]): void {
    for (const s of steps) {
      const len = renderStep(s).length;
      if (this.chunkTokens > 0 && this.pending.length > 0 && approxTokens(this.pendingChars + len) > this.chunkTokens) this.flushChunk(null);
      this.pending.push({ ...s, index: this.stepIndex++ });
      this.pendingChars += len;
    }
  }

  /** Writes what is left and closes the file. */
  finish(): void {
    if (this.pending.length > 0 || this.totals.records === 0) this.flushChunk(this.chunkTokens > 0 ? null : 1);
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  private flushChunk(count: number | null): void {
    const steps = this.pending;
    const { text, mask } = flatten(steps);
    const masked = mask.reduce((n, [a, b]) => n + (b - a), 0);
    const record: DatasetRecord = {
      id: `${this.meta.repo.name}/${this.meta.run.id}#${this.chunkIndex}`,
      format: DATASET_VERSION,
      repo: this.meta.repo,
      run: this.meta.run,
      chunk: { index: this.chunkIndex, count, first_step: this.firstStep },
      steps,
      search: steps.filter((s) => s.search).map((s) => ({ ...s.search!, step: s.index, path: s.path ?? null })),
      text,
      mask,
      stats: { steps: steps.length, chars: text.length, train_chars: text.length - masked, masked_chars: masked, approx_tokens: approxTokens(text.length) },
    };
    writeSync(this.fd, JSON.stringify(record) + '\n');
    this.totals.records++;
    this.totals.steps += steps.length;
    this.totals.chars += text.length;
    this.totals.maskedChars += masked;
    this.totals.trainChars += text.length - masked;
    this.chunkIndex++;
    this.firstStep += steps.length;
    this.pending = [];
    this.pendingChars = 0;
  }
}
