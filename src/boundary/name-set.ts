/**
 * A read-only set of names that is asked, not built (a view over other structures): a subclass
 * gives `has`, `size` and the iteration; the rest of ReadonlySet follows from them.
 */
export abstract class NameSetView implements ReadonlySet<string> {
  abstract has(name: string): boolean;
  abstract get size(): number;
  abstract [Symbol.iterator](): IterableIterator<string>;

  keys(): IterableIterator<string> {
    return this[Symbol.iterator]();
  }

  values(): IterableIterator<string> {
    return this[Symbol.iterator]();
  }

  *entries(): IterableIterator<[string, string]> {
    for (const n of this) yield [n, n];
  }

  forEach(fn: (value: string, key: string, set: ReadonlySet<string>) => void, thisArg?: unknown): void {
    for (const n of this) fn.call(thisArg, n, n, this);
  }
}
