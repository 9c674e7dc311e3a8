/**
 * Concurrent identical calls made once: while a call for a key is in flight, a second caller
 * with the same key waits for its outcome (answer or error) instead of sending its own. Within
 * one process; across processes the cache serves whoever comes after the first answer is stored.
 */
export class SingleFlight<T> {
  readonly #flights = new Map<string, Promise<T>>();

  /** `run()` for the first caller of `key`; the others share its promise. `shared` says which one this was. */
  async do(key: string, run: () => Promise<T>): Promise<{ value: T; shared: boolean }> {
    const flying = this.#flights.get(key);
    if (flying) return { value: await flying, shared: true };
    const mine = run().finally(() => this.#flights.delete(key));
    this.#flights.set(key, mine);
    return { value: await mine, shared: false };
  }

  get size(): number {
    return this.#flights.size;
  }
}
