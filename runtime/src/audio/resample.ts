/**
 * Streaming sample-rate conversion of mono PCM16 between telephony and provider rates
 * (8 kHz ↔ 16 kHz ↔ 24 kHz, and any other pair with a small rational ratio).
 *
 * A polyphase FIR: conceptually the input is upsampled by L (zeros between samples), low-pass
 * filtered at the narrower of the two Nyquist frequencies, and every M-th sample kept. The
 * polyphase form computes only the kept samples, so each output sample costs `tapsPerPhase`
 * multiply-adds. The filter is a Kaiser-windowed sinc designed once per converter.
 *
 * The converter keeps the last input samples between calls, so a stream cut into arbitrary
 * chunks produces exactly the same output as the whole stream at once, and in total
 * `⌈inputSamples × L / M⌉` samples (the first few milliseconds carry the filter's group delay,
 * about `tapsPerPhase / 2` input samples). Buffers are reused across calls: nothing is
 * allocated per sample or, once warm, per chunk.
 */

export interface ResamplerOptions {
  /** Filter taps per polyphase branch: quality against cost. Default 24 (≈ 70 dB stop band). */
  tapsPerPhase?: number;
  /** Passband edge as a fraction of the narrower Nyquist frequency. Default 0.9. */
  cutoff?: number;
}

/** A stateful converter for one stream; see the module comment. */
export interface Resampler {
  readonly fromRate: number;
  readonly toRate: number;
  /**
   * Converts the next chunk of the stream. Writes into `out` when given (it must hold
   * {@link Resampler.maxOutputLength} samples); otherwise returns a view of an internal buffer
   * that stays valid until the next call.
   */
  process(input: Int16Array, out?: Int16Array): Int16Array;
  /** The largest number of samples `process` can return for `inputLength` input samples. */
  maxOutputLength(inputLength: number): number;
  /** Forgets the stream's history (e.g. after an interruption), as if freshly created. */
  reset(): void;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Zeroth-order modified Bessel function of the first kind, for the Kaiser window. */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < 1e-12 * sum) break;
  }
  return sum;
}

/**
 * Designs the prototype low-pass at the upsampled rate and lays it out per phase:
 * `coeffs[phase * taps + k]` multiplies `x[base - k]`.
 */
function designPolyphase(up: number, down: number, taps: number, cutoff: number): Float32Array {
  const length = up * taps;
  // Cutoff in cycles per upsampled sample: the narrower Nyquist of input and output.
  const fc = (cutoff * 0.5) / Math.max(up, down);
  const beta = 7.5;
  const center = (length - 1) / 2;
  const i0Beta = besselI0(beta);
  const proto = new Float64Array(length);
  for (let n = 0; n < length; n++) {
    const t = n - center;
    const sinc = t === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * t) / (Math.PI * t);
    const r = (2 * n) / (length - 1) - 1;
    proto[n] = sinc * (besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta);
  }
  // Normalise each phase to unit DC gain so a constant input stays constant at any phase.
  const coeffs = new Float32Array(length);
  for (let phase = 0; phase < up; phase++) {
    let sum = 0;
    for (let k = 0; k < taps; k++) sum += proto[phase + k * up]!;
    for (let k = 0; k < taps; k++) coeffs[phase * taps + k] = proto[phase + k * up]! / sum;
  }
  return coeffs;
}

/** Creates a streaming converter from `fromRate` to `toRate` (both in Hz). */
export function createResampler(fromRate: number, toRate: number, options: ResamplerOptions = {}): Resampler {
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) {
    throw new RangeError(`sample rates must be positive integers, got ${fromRate} → ${toRate}`);
  }
  const divisor = gcd(fromRate, toRate);
  const up = toRate / divisor;
  const down = fromRate / divisor;
  if (up > 64 || down > 64) {
    throw new RangeError(`ratio ${toRate}/${fromRate} is too irregular for a polyphase filter`);
  }
  const taps = options.tapsPerPhase ?? 24;
  const coeffs = up === down ? new Float32Array(0) : designPolyphase(up, down, taps, options.cutoff ?? 0.9);
  const history = taps - 1;

  // work = [history | chunk] as floats; grows to the largest chunk seen, then is reused.
  let work = new Float32Array(history + 1024);
  let internalOut = new Int16Array(0);
  // Position of the next output sample on the upsampled grid, relative to the chunk's first sample.
  let position = 0;

  const maxOutputLength = (inputLength: number) => Math.ceil(((inputLength + 1) * up) / down);

  return {
    fromRate,
    toRate,
    maxOutputLength,
    reset() {
      work.fill(0);
      position = 0;
    },
    process(input, out) {
      if (up === down) {
        if (out === undefined) return input;
        out.set(input);
        return out.subarray(0, input.length);
      }
      const needed = maxOutputLength(input.length);
      let dst: Int16Array;
      if (out !== undefined) {
        if (out.length < needed) throw new RangeError(`output holds ${out.length} samples, needs ${needed}`);
        dst = out;
      } else {
        if (internalOut.length < needed) internalOut = new Int16Array(needed);
        dst = internalOut;
      }
      if (work.length < history + input.length) {
        const grown = new Float32Array(history + input.length);
        grown.set(work.subarray(0, history));
        work = grown;
      }
      for (let i = 0; i < input.length; i++) work[history + i] = input[i]!;

      const limit = input.length * up;
      let written = 0;
      while (position < limit) {
        const base = Math.floor(position / up);
        const phase = position - base * up;
        const c = phase * taps;
        // x[base - k] lives at work[history + base - k].
        let acc = 0;
        let w = history + base;
        for (let k = 0; k < taps; k++) acc += coeffs[c + k]! * work[w--]!;
        dst[written++] = acc > 32767 ? 32767 : acc < -32768 ? -32768 : Math.round(acc);
        position += down;
      }
      position -= limit;
      // Keep the newest `history` samples for the next chunk.
      work.copyWithin(0, input.length, input.length + history);
      return dst.subarray(0, written);
    },
  };
}

/** Converts a whole buffer in one go (tests, offline tools); streams should keep a {@link Resampler}. */
export function resamplePcm16(input: Int16Array, fromRate: number, toRate: number): Int16Array {
  return createResampler(fromRate, toRate).process(input).slice();
}
