/**
 * Reading a walked file for parsing: the bytes and their content hash first, then (only when the
 * facts cache does not know the hash) the checks that need the content: binary, UTF-8, generated
 * markers. A cached hash passed those checks when it was cached, and the same bytes pass them
 * again, so a warm run never decodes text. Anything that fails becomes a skip with a reason.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hasGeneratedMarker } from './path-rules.ts';
import type { SkippedFile } from './types.ts';

export interface SourceText {
  text: string;
  /** sha1 of the bytes, hex. */
  hash: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** How much of the head is searched for a NUL byte (git's heuristic uses the first 8000 bytes). */
const binaryProbeBytes = 8000;

export interface SourceBytes {
  bytes: Buffer;
  /** sha1 of the bytes, hex. */
  hash: string;
}

export function readSourceBytes(root: string, path: string): SourceBytes | SkippedFile {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(root, path));
  } catch (err) {
    return { path, reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
  return { bytes, hash: createHash('sha1').update(bytes).digest('hex') };
}

export function checkSource(path: string, src: SourceBytes): SourceText | SkippedFile {
  const probe = src.bytes.subarray(0, binaryProbeBytes);
  if (probe.includes(0)) return { path, reason: 'binary', detail: 'NUL byte' };
  let text: string;
  try {
    text = utf8.decode(src.bytes);
  } catch {
    return { path, reason: 'non-utf8' };
  }
  if (hasGeneratedMarker(text.slice(0, 1000))) return { path, reason: 'generated', detail: 'marker' };
  return { text, hash: src.hash };
}

export function isSkipped(x: SourceText | SourceBytes | SkippedFile): x is SkippedFile {
  return (x as SkippedFile).reason !== undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

const binaryExtensions = new Set(['.png', '.jpg', '.jpeg', '.gif', '.bmp', '.ico', '.webp', '.pdf', '.zip', '.gz', '.tgz', '.bz2', '.xz', '.7z', '.jar', '.class', '.so', '.dll', '.dylib', '.exe', '.o', '.a', '.wasm', '.node', '.woff', '.woff2', '.ttf', '.otf', '.eot', '.mp3', '.mp4', '.wav', '.ogg', '.pyc', '.db', '.sqlite']);

/**
 * For files we do not parse: a skip record when the file is binary (by extension, or a NUL byte
 * in its head), else undefined. Reads at most the first 8000 bytes.
 */
export function probeBinary(root: string, path: string): SkippedFile | undefined {
  const dot = path.lastIndexOf('.');
  if (dot > path.lastIndexOf('/') && binaryExtensions.has(path.slice(dot).toLowerCase())) return { path, reason: 'binary', detail: 'by extension' };
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(root, path));
  } catch (err) {
    return { path, reason: 'unreadable', detail: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
  if (bytes.subarray(0, binaryProbeBytes).includes(0)) return { path, reason: 'binary', detail: 'NUL byte' };
  // Kept files are rebuilt as text: one that is not UTF-8 could not come back byte for byte.
  try {
    strictUtf8.decode(bytes);
  } catch {
    return { path, reason: 'non-utf8', detail: 'not valid UTF-8' };
  }
  return undefined;
}
