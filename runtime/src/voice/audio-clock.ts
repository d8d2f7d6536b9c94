/**
 * Maps positions in the caller's audio stream (seconds from its first byte, as recognisers
 * report word times) to the monotonic time that audio reached the loop. Carriers send audio in
 * real time, so "when the caller stopped speaking" is when the audio holding the last word's end
 * arrived, less the part of that frame which came after it.
 *
 * It sits on the per-frame path: `push` writes two numbers into preallocated rings, no objects.
 */
export class AudioClock {
  /** Cumulative byte count at the end of each recorded frame. */
  private readonly ends: Float64Array;
  /** Monotonic ms at which each recorded frame arrived. */
  private readonly arrivals: Float64Array;
  private next = 0;
  private count = 0;
  private total = 0;

  /**
   * @param bytesPerSecond of the audio format.
   * @param capacity frames remembered; 1024 frames of 20 ms reach back about 20 s.
   */
  constructor(
    private readonly bytesPerSecond: number,
    private readonly capacity = 1024,
  ) {
    this.ends = new Float64Array(capacity);
    this.arrivals = new Float64Array(capacity);
  }

  /** Seconds of audio received so far. */
  get seconds(): number {
    return this.total / this.bytesPerSecond;
  }

  /** Records a frame of `bytes` that arrived at `at` (monotonic ms). */
  push(bytes: number, at: number): void {
    this.total += bytes;
    this.ends[this.next] = this.total;
    this.arrivals[this.next] = at;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /**
   * When the audio at `offsetSec` arrived (monotonic ms), or undefined when it is older than the
   * frames remembered or was never received.
   */
  monoAt(offsetSec: number): number | undefined {
    const offset = offsetSec * this.bytesPerSecond;
    if (this.count === 0 || offset > this.total) return undefined;
    // Newest first: recognisers ask about audio that has just arrived.
    for (let i = 1; i <= this.count; i++) {
      const index = (this.next - i + this.capacity) % this.capacity;
      let start: number;
      if (i < this.count) start = this.ends[(index - 1 + this.capacity) % this.capacity]!;
      else if (this.count < this.capacity)
        start = 0; // nothing forgotten: this is the first frame
      else return undefined; // older than the frames remembered
      if (offset >= start) {
        const afterMs = ((this.ends[index]! - offset) / this.bytesPerSecond) * 1000;
        return this.arrivals[index]! - afterMs;
      }
    }
    return undefined;
  }
}
