/**
 * Streams a run's steps into dataset records as they arrive. The packer closes a record as soon
 * as the next unit would overflow the context, and the record goes to a spool file beside the
 * output, so memory holds one record, never the run. When the run ends, the spool is read back
 * once: each record learns the run's record count and goes to the sink (JSONL or Parquet).
 */
import { closeSync, createReadStream, fsyncSync, openSync, rmSync, writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Step } from '../agents/types.ts';
import { Packer, type PackedRecord, type PackerOptions } from './packer.ts';
import type { RecordSink } from './io/mod.ts';
import type { DatasetRecordV2 } from './record.ts';
import type { RecordCalls } from '../accounting/record-calls.ts';

export type WriterOptions = Omit<PackerOptions, 'onRecord'> & {
  /** The spool file (removed when the writer finishes). */
  spool: string;
};

export type WriterTotals = Packer['totals'] & { files: string[] };

export class DatasetWriter {
  private readonly packer: Packer;
  private fd: number;

  constructor(private readonly opts: WriterOptions) {
    this.fd = openSync(opts.spool, 'w');
    this.packer = new Packer({ ...opts, onRecord: (rec) => this.spool(rec) });
  }

  get totals(): Packer['totals'] {
    return this.packer.totals;
  }

  add(steps: readonly Step[], calls?: RecordCalls): void {
    this.packer.add(steps, calls);
  }

  /** Packs what is left, hands every record to `sink` with its count, and closes both. */
  async finish(sink: RecordSink, onRecord?: (rec: DatasetRecordV2) => void): Promise<WriterTotals> {
    this.packer.finish();
    fsyncSync(this.fd);
    closeSync(this.fd);
    const count = this.packer.totals.records;
    const lines = createInterface({ input: createReadStream(this.opts.spool, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (line === '') continue;
      const rec = JSON.parse(line) as DatasetRecordV2;
      rec.chunk.count = count;
      await sink.write(rec);
      onRecord?.(rec);
    }
    const { files } = await sink.close();
    rmSync(this.opts.spool, { force: true });
    return { ...this.packer.totals, files };
  }

  /** Drops the spool (a run that failed). */
  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.opts.spool, { force: true });
  }

  private spool(rec: PackedRecord): void {
    writeSync(this.fd, JSON.stringify(rec) + '\n');
  }
}
