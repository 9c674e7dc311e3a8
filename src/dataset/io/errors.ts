/** The dataset I/O's errors: callers branch on the class, never on the message. */

/** A dataset cannot be written where, or as, asked (a name with no dataset ending, a foreign directory). */
export class DatasetOutputError extends Error {
  override name = 'DatasetOutputError';
}

/**
 * A dataset cannot be read: missing, of another kind, or bad at a place its message names
 * (`file:line` for JSON Lines, `file#row` for Parquet). `retrace verify` and `retrace stats` turn it
 * into their own input errors, message unchanged.
 */
export class DatasetReadError extends Error {
  override name = 'DatasetReadError';
}

/** What a thrown value says: wasm modules throw strings as often as Errors. */
export function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
