/**
 * Streaming zstd decompression, any number of frames, with fzstd (pure JavaScript): the wasm
 * library's chunked decoder drops input when its output buffer fills and reports no errors, so it
 * cannot stream a file safely.
 */
import { Transform, type TransformCallback } from 'node:stream';

type Decompressor = { push(chunk: Uint8Array, final?: boolean): void };

export class ZstdDecompressStream extends Transform {
  private readonly decompressor: Decompressor;

  private constructor(Decompress: new (ondata: (data: Uint8Array) => void) => Decompressor) {
    super();
    this.decompressor = new Decompress((data) => {
      if (data.length > 0) this.push(data);
    });
  }

  /** fzstd is loaded when a .zst file is first read, not by every reader of datasets. */
  static async open(): Promise<ZstdDecompressStream> {
    const { Decompress } = await import('fzstd');
    return new ZstdDecompressStream(Decompress);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.decompressor.push(chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      this.decompressor.push(new Uint8Array(0), true);
      done();
    } catch (err) {
      done(err as Error);
    }
  }
}
