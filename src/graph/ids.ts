/**
 * Stable node ids. They depend only on repo-relative paths and names (never on line numbers or
 * discovery order), so they survive edits elsewhere in a file and re-indexing:
 *   file:<path>
 *   sym:<path>#<Outer.inner>   (a second definition with the same qualified name gets `~2`, ...)
 *   ext:<package id>           (npm:lodash, node:fs, python:requests, go:..., rust:serde, java:..., c:...)
 */
import { basename } from 'node:path';
export const fileId = (path: string): string => `file:${path}`;
export const externalId = (pkg: string): string => `ext:${pkg}`;
export const symbolId = (path: string, qualifiedName: string, ordinal = 1): string => `sym:${path}#${qualifiedName}${ordinal > 1 ? `~${ordinal}` : ''}`;

export function pathOfFileId(id: string): string {
  if (!id.startsWith('file:')) throw new Error(`not a file id: ${id}`);
  return id.slice(5);
}

/** A repository's short name, from its root directory: a subject token, and the name in datasets. */
export function repoName(root: string): string {
  return basename(root).replace(/[^A-Za-z0-9_-]/g, '_') || 'repo';
}
