/**
 * Streaming sample-rate conversion for the audio worklets. Runs on the audio thread every render
 * quantum, so it keeps its state in numbers and writes into buffers the caller owns: nothing is
 * allocated per call.
 *
 * Going down (48 kHz microphone → 16 kHz for speech-to-text) each output sample is the average of
 * the input it covers, fractions included: a box filter that keeps most of what lies above the new
 * Nyquist frequency from folding back into the speech band, at a cost of a few operations per
 * sample. Going up it interpolates linearly.
 */
export class Resampler {
  /** Input samples per output sample. */
  readonly ratio: number;
  #acc = 0;
  #filled = 0;
  #prev = 0;
  #pos = 0;

  constructor(
    readonly inputRate: number,
    readonly outputRate: number,
  ) {
    if (!(inputRate > 0 && outputRate > 0)) throw new RangeError('sample rates must be positive');
    this.ratio = inputRate / outputRate;
  }

  /** The most output samples `inputLength` input samples can produce: size output buffers with it. */
  maxOutput(inputLength: number): number {
    return Math.ceil(inputLength / this.ratio) + 1;
  }

  /** Converts `input`, writing into `output` from index 0; returns how many samples were written. */
  process(input: Float32Array, output: Float32Array): number {
    return this.ratio >= 1 ? this.#down(input, output) : this.#up(input, output);
  }

  #down(input: Float32Array, output: Float32Array): number {
    const r = this.ratio;
    let acc = this.#acc;
    let filled = this.#filled;
    let n = 0;
    for (let i = 0; i < input.length; i++) {
      const x = input[i]!;
      let left = 1;
      // Tolerance: 48000/16000 adds up to 2.9999999 in floating point and must still close.
      while (filled + left >= r - 1e-9) {
        const take = r - filled;
        acc += x * take;
        output[n++] = acc / r;
        acc = 0;
        filled = 0;
        left -= take;
        if (left <= 1e-9) {
          left = 0;
          break;
        }
      }
      acc += x * left;
      filled += left;
    }
    this.#acc = acc;
    this.#filled = filled;
    return n;
  }

  #up(input: Float32Array, output: Float32Array): number {
    const step = this.ratio;
    let prev = this.#prev;
    let pos = this.#pos;
    let n = 0;
    for (let i = 0; i < input.length; i++) {
      const x = input[i]!;
      while (pos < 1) {
        output[n++] = prev + (x - prev) * pos;
        pos += step;
      }
      pos -= 1;
      prev = x;
    }
    this.#prev = prev;
    this.#pos = pos;
    return n;
  }

  /** Forgets the samples in flight (after a pause, so old audio does not bleed into new). */
  reset(): void {
    this.#acc = 0;
    this.#filled = 0;
    this.#prev = 0;
    this.#pos = 0;
  }
}

/** Float samples in [-1, 1] to 16-bit PCM, clipped. */
export function floatToPcm16(x: number): number {
  const s = Math.max(-1, Math.min(1, x));
  return s < 0 ? Math.round(s * 0x8000) : Math.round(s * 0x7fff);
}
