/**
 * A bounded single-consumer queue that turns socket callbacks into an async iterable. Sockets
 * cannot be paused, so when the consumer falls `capacity` events behind the oldest droppable event
 * is discarded (`droppable` decides; interim results are, final ones are not) — memory stays flat.
 */
export class EventQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | undefined;
  private finished = false;
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly capacity = 256,
    private readonly droppable: (item: T) => boolean = () => true,
  ) {}

  get ended(): boolean {
    return this.finished || this.failure !== undefined;
  }

  push(item: T): void {
    if (this.ended) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w.resolve({ value: item, done: false });
      return;
    }
    if (this.items.length >= this.capacity) {
      const index = this.items.findIndex(this.droppable);
      this.items.splice(Math.max(index, 0), 1);
    }
    this.items.push(item);
  }

  /** Ends the stream after the queued items. */
  end(): void {
    if (this.ended) return;
    this.finished = true;
    this.release();
  }

  /** Ends the stream with `error` after the queued items. */
  fail(error: unknown): void {
    if (this.ended) return;
    this.failure = { error };
    this.release();
  }

  private release(): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    if (this.failure) w.reject(this.failure.error);
    else w.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => {
        const item = this.items.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.failure) return Promise.reject(this.failure.error);
        if (this.finished) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.waiter = { resolve, reject };
        });
      },
      return: async () => {
        this.end();
        this.items.length = 0;
        return { value: undefined, done: true };
      },
    };
  }
}
