/**
 * The agent's audio waiting to be played, with its marks, for the playback worklet.
 *
 * VRM sends 16-bit PCM faster than real time and a `mark` after pieces of it; a mark must be
 * echoed only once the audio before it has actually played, because the server keeps in the
 * conversation only what the caller heard. So the queue counts samples: `written` is every sample
 * received, `played` is every sample rendered (the playback clock), and a mark remembers the
 * `written` count it arrived at. `clear` (barge-in) drops the queued audio and releases every
 * pending mark at once, as a carrier does.
 *
 * One ring buffer is allocated up front; writing, rendering and marks allocate nothing.
 */
export class PlaybackQueue {
  readonly #ring: Int16Array;
  readonly #step: number;
  #written = 0;
  #played = 0;
  /** Position between the sample at `played` and the next, in source samples. */
  #pos = 0;
  readonly #markAt: Float64Array;
  readonly #markName: (string | undefined)[];
  #markHead = 0;
  #markCount = 0;
  /** Samples dropped because the ring was full, since the last `takeDropped()`. */
  #dropped = 0;

  /**
   * @param sourceRate the rate VRM sends (16 kHz)
   * @param outputRate the audio context's rate
   * @param capacitySeconds audio held before incoming samples are dropped
   */
  constructor(
    readonly sourceRate: number,
    readonly outputRate: number,
    capacitySeconds = 120,
    maxMarks = 256,
  ) {
    this.#ring = new Int16Array(Math.ceil(sourceRate * capacitySeconds));
    this.#step = sourceRate / outputRate;
    this.#markAt = new Float64Array(maxMarks);
    this.#markName = new Array<string | undefined>(maxMarks).fill(undefined);
  }

  /** Source samples waiting to be played. */
  get queued(): number {
    return this.#written - this.#played;
  }

  /** Source samples played since the call started: the playback clock. */
  get played(): number {
    return this.#played;
  }

  /** Queues received audio. Samples that do not fit are dropped and counted. */
  write(samples: Int16Array): void {
    const ring = this.#ring;
    const room = ring.length - this.queued;
    const n = Math.min(room, samples.length);
    let w = this.#written % ring.length;
    for (let i = 0; i < n; i++) {
      ring[w] = samples[i]!;
      if (++w === ring.length) w = 0;
    }
    this.#written += n;
    this.#dropped += samples.length - n;
  }

  /**
   * Remembers a mark at the end of the audio received so far. Returns false when too many marks
   * are pending to hold another; the caller should echo it at once rather than lose it.
   */
  mark(name: string): boolean {
    if (this.#markCount === this.#markAt.length) return false;
    const i = (this.#markHead + this.#markCount) % this.#markAt.length;
    this.#markAt[i] = this.#written;
    this.#markName[i] = name;
    this.#markCount++;
    return true;
  }

  /**
   * Fills `out` (mono, at the output rate) from the queue, silence once it runs dry, and calls
   * `onMark` for each mark the playback clock has reached, in order.
   */
  render(out: Float32Array, onMark: (name: string) => void): void {
    const ring = this.#ring;
    const size = ring.length;
    const step = this.#step;
    let played = this.#played;
    let pos = this.#pos;
    const written = this.#written;
    let i = 0;
    for (; i < out.length && played < written; i++) {
      const a = ring[played % size]!;
      // The last queued sample is held rather than waiting for the next chunk, so the clock
      // always reaches the end of what was sent (and the final mark is echoed).
      const b = played + 1 < written ? ring[(played + 1) % size]! : a;
      out[i] = (a + (b - a) * pos) / 32768;
      pos += step;
      while (pos >= 1 && played < written) {
        pos -= 1;
        played++;
      }
    }
    if (played === written) pos = 0;
    for (; i < out.length; i++) out[i] = 0;
    this.#played = played;
    this.#pos = pos;
    this.#releaseMarks(played, onMark);
  }

  /** Barge-in: drops everything queued and releases every pending mark at once. */
  clear(onMark: (name: string) => void): void {
    this.#played = this.#written;
    this.#pos = 0;
    this.#releaseMarks(Number.POSITIVE_INFINITY, onMark);
  }

  /** Samples dropped for lack of room since the last call (0 normally). */
  takeDropped(): number {
    const dropped = this.#dropped;
    this.#dropped = 0;
    return dropped;
  }

  #releaseMarks(upTo: number, onMark: (name: string) => void): void {
    const cap = this.#markAt.length;
    while (this.#markCount > 0 && this.#markAt[this.#markHead]! <= upTo) {
      const name = this.#markName[this.#markHead]!;
      this.#markName[this.#markHead] = undefined;
      this.#markHead = (this.#markHead + 1) % cap;
      this.#markCount--;
      onMark(name);
    }
  }
}
