/**
 * A ReadableStream fed by `push`, for a consumer that pulls (the Parquet encoder). Invariant: at
 * most one item waits in the stream; `push` returns once there is room again, so the producer never
 * runs ahead of the consumer by more than one item.
 */
export class Handoff<T> {
  readonly stream: ReadableStream<T>;
  private controller!: ReadableStreamDefaultController<T>;
  private waiting: { resume: () => void; fail: (err: unknown) => void } | null = null;
  private failure: { err: unknown } | null = null;

  constructor() {
    this.stream = new ReadableStream<T>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        // Called when the queue has room: a reader took the waiting item.
        pull: () => {
          this.waiting?.resume();
          this.waiting = null;
        },
      },
      { highWaterMark: 1 },
    );
  }

  async push(item: T): Promise<void> {
    if (this.failure) throw this.failure.err;
    this.controller.enqueue(item);
    while ((this.controller.desiredSize ?? 1) <= 0) {
      await new Promise<void>((resume, fail) => {
        this.waiting = { resume, fail };
      });
    }
  }

  end(): void {
    this.controller.close();
  }

  /** The consumer broke: a waiting `push`, and every later one, rejects with `err`. */
  fail(err: unknown): void {
    this.failure = { err };
    this.waiting?.fail(err);
    this.waiting = null;
  }
}
