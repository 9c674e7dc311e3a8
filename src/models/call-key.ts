/**
 * The key of a model call: a SHA-256 over the endpoint's model, the kind of call and the whole
 * request body as sent (messages, temperature, token limit, `response_format`, and the seed, which
 * travels in the body), written as canonical JSON (object keys sorted, so two equal requests
 * built in a different order get one key). The base URL and the API key are not part of it: two
 * servers serving one model answer one request alike, so every replica shares the entry.
 *
 * `CALL_FORMAT` is in every key: bump it when what a cached answer holds changes.
 */
import { createHash } from 'node:crypto';

export const CALL_FORMAT = 1;

/** What is asked of a model: `chat` (a chat completion), `score` (one item's log-probs), ... */
export interface ModelRequest {
  model: string;
  kind: string;
  body: unknown;
}

/** JSON with every object's keys sorted; `undefined` members dropped, as JSON.stringify drops them. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const members = Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${members.join(',')}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The call's key: hex SHA-256 of its canonical request (a valid KV key and file name). */
export function callKey(request: ModelRequest): string {
  return sha256(canonicalJson({ format: CALL_FORMAT, model: request.model, kind: request.kind, body: request.body }));
}
