/**
 * A subscription's mailbox: runs handler tasks at most `concurrency` at a time, in arrival order
 * (with concurrency 1, strictly one after another). Invariant: `drain()` resolves only when the
 * queue is empty and nothing is running, so unsubscribing never cuts a handler short.
 */
export class Mailbox {
  private readonly queue: Array<() => Promise<void>> = [];
  private running = 0;
  private idleWaiters: Array<() => void> = [];
  private closed = false;

  constructor(
    private readonly concurrency: number,
    private readonly onError: (err: unknown) => void,
  ) {
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
  }

  get size(): number {
    return this.queue.length + this.running;
  }

  push(task: () => Promise<void>): void {
    if (this.closed) return;
    this.queue.push(task);
    this.pump();
  }

  /** Refuses new tasks; resolves when queued and running tasks are done. */
  drain(): Promise<void> {
    this.closed = true;
    if (this.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const task = this.queue.shift()!;
      this.running++;
      void task()
        .catch(this.onError)
        .finally(() => {
          this.running--;
          if (this.size === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const w of waiters) w();
          } else {
            this.pump();
          }
        });
    }
  }
}
