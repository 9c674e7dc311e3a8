/**
 * Streaming zstd compression into ONE frame (Python's `zstandard` stream reader, which Hugging Face
 * `datasets` uses, stops at the end of the first frame). Input is gathered into blocks of
 * `BLOCK_BYTES`: the library flushes on every call, so feeding it one record at a time would cost
 * ratio. @hpcc-js/wasm-zstd holds a single compression stream per process, so at most one
 * ZstdCompressStream is open at a time; `open` refuses a second.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { Zstd } from '@hpcc-js/wasm-zstd';
import { DatasetOutputError } from './errors.ts';

const BLOCK_BYTES = 1 << 20;

let streamOpen = false;

export class ZstdCompressStream extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private released = false;

  private constructor(private readonly zstd: Zstd) {
    super();
  }

  /** `out` only names the file in the error when another stream is open. */
  static async open(out: string): Promise<ZstdCompressStream> {
    if (streamOpen) {
      throw new DatasetOutputError(`${out}: another .jsonl.zst dataset is being written in this process (the zstd library has one compression stream); close it first`);
    }
    streamOpen = true;
    try {
      const zstd = await Zstd.load();
      zstd.reset();
      return new ZstdCompressStream(zstd);
    } catch (err) {
      streamOpen = false;
      throw err;
    }
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    try {
      if (this.pendingBytes >= BLOCK_BYTES) this.compressPending();
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.compressPending();
      this.push(this.zstd.compressEnd());
      done();
    } catch (err) {
      done(err as Error);
    } finally {
      this.release();
    }
  }

  override _destroy(err: Error | null, done: (err: Error | null) => void): void {
    this.release();
    done(err);
  }

  private compressPending(): void {
    if (this.pendingBytes === 0) return;
    const block = Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    this.push(this.zstd.compressChunk(block));
  }

  private release(): void {
    if (this.released) return;
    this.released = true;
    streamOpen = false;
  }
}
