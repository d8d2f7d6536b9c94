import { type Frame, isAgentOutput, isControl } from './frames.js';

/**
 * A bounded frame queue between two stages. Data frames wait in a fixed-size ring; control
 * frames (interrupt, end, error, mark) go to a separate lane that is always read first, so they
 * overtake queued data. An `interrupt` also drops the queued agent output it makes obsolete.
 * A full ring makes `push` wait (backpressure); the control lane is never refused.
 */
export class FrameChannel implements AsyncIterable<Frame> {
  private readonly ring: (Frame | undefined)[];
  private head = 0;
  private size = 0;
  private readonly control: Frame[] = [];
  private closed = false;
  private reader: ((result: IteratorResult<Frame>) => void) | undefined;
  private readonly writers: (() => void)[] = [];

  constructor(readonly capacity = 64) {
    this.ring = new Array(capacity);
  }

  get length(): number {
    return this.size + this.control.length;
  }

  /** Queues `f` if there is room (control frames always fit). Returns false when the ring is full. */
  offer(f: Frame): boolean {
    if (this.closed) return true;
    if (isControl(f)) {
      if (f.type === 'interrupt') this.dropAgentOutput(f.generationId);
      if (this.reader) return this.deliver(f);
      this.control.push(f);
      return true;
    }
    if (this.reader && this.size === 0 && this.control.length === 0) return this.deliver(f);
    if (this.size === this.capacity) return false;
    this.ring[(this.head + this.size) % this.capacity] = f;
    this.size++;
    return true;
  }

  /** Queues `f`, waiting while the ring is full. */
  async push(f: Frame): Promise<void> {
    while (!this.offer(f)) {
      await new Promise<void>((resolve) => this.writers.push(resolve));
    }
  }

  /** Ends the stream after the queued frames; later pushes are ignored. */
  close(): void {
    this.closed = true;
    if (this.reader && this.length === 0) {
      const reader = this.reader;
      this.reader = undefined;
      reader({ value: undefined, done: true });
    }
    for (const w of this.writers.splice(0)) w();
  }

  private deliver(f: Frame): true {
    const reader = this.reader!;
    this.reader = undefined;
    reader({ value: f, done: false });
    return true;
  }

  private take(): Frame | undefined {
    const c = this.control.shift();
    if (c) return c;
    if (this.size === 0) return undefined;
    const f = this.ring[this.head];
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    const writer = this.writers.shift();
    if (writer) writer();
    return f;
  }

  private dropAgentOutput(generationId: number): void {
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      const idx = (this.head + i) % this.capacity;
      const f = this.ring[idx]!;
      const obsolete = isAgentOutput(f) && (generationId < 0 || generationOf(f) <= generationId);
      if (!obsolete) this.ring[(this.head + kept++) % this.capacity] = f;
    }
    for (let i = kept; i < this.size; i++) this.ring[(this.head + i) % this.capacity] = undefined;
    const freed = this.size - kept;
    this.size = kept;
    for (let i = 0; i < freed; i++) this.writers.shift()?.();
  }

  next(): Promise<IteratorResult<Frame>> {
    const f = this.take();
    if (f) return Promise.resolve({ value: f, done: false });
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.reader = resolve;
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<Frame> {
    return {
      next: () => this.next(),
      return: async () => {
        this.close();
        return { value: undefined, done: true };
      },
    };
  }
}

function generationOf(f: Frame): number {
  return 'generationId' in f ? f.generationId : -1;
}
