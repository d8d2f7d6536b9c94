/** What a {@link FrameClock} needs from the platform; real timers unless a test injects its own. */
export interface ClockTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: ClockTimers = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** One member's schedule; {@link FrameClock.remove} it to stop its ticks. */
export interface FrameClockEntry {
  readonly startedAt: number;
  /** Ticks delivered so far. */
  readonly ticks: number;
}

interface Entry extends FrameClockEntry {
  startedAt: number;
  ticks: number;
  /** `startedAt + (ticks + 1) * period`: computed from the start, so lateness never accumulates. */
  due: number;
  removed: boolean;
  readonly onTick: () => void;
}

/**
 * One timer for many periodic members: each member ticks once per `periodMs` counted from its own
 * start, so members added at different times stay spread over the period, as independent calls
 * are, instead of ticking in one burst. The clock wakes when the earliest member is due (about
 * every millisecond with hundreds of members), never ticks a member early, and ticks a late
 * member once per wake-up until it has caught up — as a per-member `setTimeout` chain scheduled
 * against its start time would, without a timer allocation per member per period.
 */
export class FrameClock {
  readonly #periodMs: number;
  readonly #minIntervalMs: number;
  readonly #timers: ClockTimers;
  /** Binary min-heap on `due`; removed entries are dropped when they surface. */
  readonly #heap: Entry[] = [];
  #live = 0;
  #timer: unknown;
  #lastRunAt = Number.NEGATIVE_INFINITY;
  /** When the pending wake-up was asked for (`Infinity`: none pending). */
  #wakeAt = Number.POSITIVE_INFINITY;
  readonly #due: Entry[] = [];

  /**
   * `options.minIntervalMs`: wake-ups at least this far apart; members due in between tick
   * together at the next one (a wake-up of an idle process costs tens of µs on a VM, whatever it
   * does). `options.timers`: the time source and timer, for tests.
   */
  constructor(periodMs: number, options: { minIntervalMs?: number; timers?: ClockTimers } = {}) {
    this.#periodMs = periodMs;
    this.#minIntervalMs = options.minIntervalMs ?? 0;
    this.#timers = options.timers ?? REAL_TIMERS;
  }

  /** Members still ticking. */
  get size(): number {
    return this.#live;
  }

  /** Starts ticking `onTick` every period from now; the first tick is one period away. */
  add(onTick: () => void): FrameClockEntry {
    const startedAt = this.#timers.now();
    const entry: Entry = { startedAt, ticks: 0, due: startedAt + this.#periodMs, removed: false, onTick };
    this.#push(entry);
    this.#live++;
    this.#schedule();
    return entry;
  }

  /** Stops a member's ticks (idempotent). */
  remove(handle: FrameClockEntry): void {
    const entry = handle as Entry;
    if (entry.removed) return;
    entry.removed = true;
    if (--this.#live === 0) {
      // Nothing left to tick: no timer keeps the process alive. Stale entries go with it.
      this.#heap.length = 0;
      this.#timers.clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#wakeAt = Number.POSITIVE_INFINITY;
    }
  }

  #run = (): void => {
    this.#timer = undefined;
    this.#wakeAt = Number.POSITIVE_INFINITY;
    const now = this.#timers.now();
    this.#lastRunAt = now;
    const heap = this.#heap;
    const due = this.#due;
    // Collect first, re-queue after: a member far behind ticks once per wake-up, not in a burst.
    while (heap.length > 0 && heap[0]!.due <= now) {
      const entry = this.#pop();
      if (!entry.removed) due.push(entry);
    }
    for (const entry of due) {
      entry.ticks++;
      entry.due = entry.startedAt + (entry.ticks + 1) * this.#periodMs;
      this.#push(entry);
    }
    // In due order; a tick may remove its own or another member, or add one. One that throws
    // must not cost the others their tick or their clock: its error is rethrown once all ticked.
    let failure: { error: unknown } | undefined;
    for (let i = 0; i < due.length; i++) {
      const entry = due[i]!;
      if (entry.removed) continue;
      try {
        entry.onTick();
      } catch (error) {
        failure ??= { error };
      }
    }
    due.length = 0;
    this.#schedule();
    if (failure) throw failure.error;
  };

  #schedule(): void {
    const heap = this.#heap;
    while (heap.length > 0 && heap[0]!.removed) this.#pop();
    if (heap.length === 0) return;
    const at = Math.max(heap[0]!.due, this.#lastRunAt + this.#minIntervalMs);
    if (this.#timer !== undefined && this.#wakeAt <= at) return;
    this.#timers.clearTimeout(this.#timer);
    this.#wakeAt = at;
    this.#timer = this.#timers.setTimeout(this.#run, Math.max(0, at - this.#timers.now()));
  }

  #push(entry: Entry): void {
    const heap = this.#heap;
    let i = heap.push(entry) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.due <= entry.due) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = entry;
  }

  #pop(): Entry {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child = right < heap.length && heap[right]!.due < heap[left]!.due ? right : left;
        if (heap[child]!.due >= last.due) break;
        heap[i] = heap[child]!;
        i = child;
      }
      heap[i] = last;
    }
    return top;
  }
}
