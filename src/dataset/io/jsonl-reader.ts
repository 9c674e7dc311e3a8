/**
 * JSON Lines records as they stream, decompressed on the way: memory holds one line. A line that is
 * not JSON, and a stream that breaks (a truncated gzip or zstd file), fail naming the file and line.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { DatasetReadError, describeError } from './errors.ts';
import type { JsonlCodec } from './names.ts';
import type { ReadRecord } from './reader.ts';
import { ZstdDecompressStream } from './zstd-decompress.ts';

async function openDecoded(file: string, codec: JsonlCodec): Promise<Readable> {
  const raw = createReadStream(file);
  if (codec === 'plain') return raw;
  const decoder = codec === 'gzip' ? createGunzip() : await ZstdDecompressStream.open();
  // Errors of either stage reach the decoder, whose reader sees them; the callback has nothing to add.
  pipeline(raw, decoder, () => {});
  return decoder;
}

/** Lines split at `\n` (a `\r` before it dropped), decoded as UTF-8 across chunk boundaries. */
async function* lines(input: AsyncIterable<Buffer>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let rest = '';
  for await (const chunk of input) {
    // The text before `scanned` holds no newline: a long line costs one scan, not one per chunk.
    const scanned = rest.length;
    rest += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = rest.indexOf('\n', scanned); nl >= 0; nl = rest.indexOf('\n', start)) {
      yield withoutCr(rest.slice(start, nl));
      start = nl + 1;
    }
    rest = rest.slice(start);
  }
  rest += decoder.decode();
  if (rest !== '') yield withoutCr(rest);
}

const withoutCr = (line: string): string => (line.endsWith('\r') ? line.slice(0, -1) : line);

export async function* readJsonl(file: string, codec: JsonlCodec): AsyncGenerator<ReadRecord> {
  let lineNo = 0;
  try {
    for await (const line of lines(await openDecoded(file, codec))) {
      lineNo++;
      if (line.trim() === '') continue;
      let record: ReadRecord['record'];
      try {
        record = JSON.parse(line) as ReadRecord['record'];
      } catch (err) {
        throw new DatasetReadError(`${file}:${lineNo}: not JSON (${describeError(err)})`);
      }
      yield { record, where: `${file}:${lineNo}` };
    }
  } catch (err) {
    if (err instanceof DatasetReadError) throw err;
    throw new DatasetReadError(`${file}:${lineNo + 1}: unreadable (${describeError(err)})`, { cause: err });
  }
}
