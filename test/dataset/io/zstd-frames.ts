/**
 * Counts the frames of a zstd file by walking its headers and block headers (RFC 8878), with no
 * decoder: Python's `zstandard` stream reader stops after the first frame, so a dataset must be one.
 */
const FRAME_MAGIC = 0xfd2fb528;
const isSkippable = (magic: number): boolean => magic >>> 4 === 0x184d2a5;

export function zstdFrames(buf: Uint8Array): { frames: number; skippable: number } {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let at = 0;
  let frames = 0;
  let skippable = 0;
  while (at < buf.length) {
    const magic = view.getUint32(at, true);
    if (isSkippable(magic)) {
      at += 8 + view.getUint32(at + 4, true);
      skippable++;
      continue;
    }
    if (magic !== FRAME_MAGIC) throw new Error(`offset ${at}: not a zstd frame (magic ${magic.toString(16)})`);
    at = frameEnd(buf, at + 4);
    frames++;
  }
  if (at !== buf.length) throw new Error(`the last frame ends at ${at}, past the file's ${buf.length} bytes`);
  return { frames, skippable };
}

/** Offset after the frame whose header descriptor is at `at`. */
function frameEnd(buf: Uint8Array, at: number): number {
  const descriptor = buf[at]!;
  const contentSizeFlag = descriptor >> 6;
  const singleSegment = (descriptor >> 5) & 1;
  const checksum = (descriptor >> 2) & 1;
  const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 3]!;
  const contentSizeBytes = [singleSegment, 2, 4, 8][contentSizeFlag]!;
  at += 1 + (singleSegment ? 0 : 1) + dictionaryIdBytes + contentSizeBytes;
  for (let last = 0; !last; ) {
    const header = buf[at]! | (buf[at + 1]! << 8) | (buf[at + 2]! << 16);
    last = header & 1;
    const type = (header >> 1) & 3;
    const size = header >>> 3;
    if (type === 3) throw new Error(`offset ${at}: reserved block type`);
    at += 3 + (type === 1 ? 1 : size);
  }
  return at + (checksum ? 4 : 0);
}
