import { describe, expect, it } from 'vitest';
import { createResampler, resamplePcm16 } from './resample.js';

function sine(freq: number, rate: number, samples: number, amplitude = 10000): Int16Array {
  const out = new Int16Array(samples);
  for (let i = 0; i < samples; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * freq * i) / rate));
  return out;
}

/** Amplitude of the `freq` component (Goertzel), skipping the filter's start-up transient. */
function amplitudeAt(signal: Int16Array, freq: number, rate: number, skip = 200): number {
  const n = signal.length - skip;
  const w = (2 * Math.PI * freq) / rate;
  let re = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    re += signal[skip + i]! * Math.cos(w * i);
    im -= signal[skip + i]! * Math.sin(w * i);
  }
  return (2 * Math.hypot(re, im)) / n;
}

describe('createResampler', () => {
  const pairs: Array<[number, number]> = [
    [8000, 16000],
    [8000, 24000],
    [16000, 8000],
    [24000, 8000],
    [24000, 16000],
    [16000, 24000],
  ];

  for (const [from, to] of pairs) {
    it(`keeps a 1 kHz tone's frequency and level from ${from} to ${to} Hz`, () => {
      const input = sine(1000, from, from / 2); // 500 ms
      const output = resamplePcm16(input, from, to);
      expect(output.length).toBe((input.length * to) / from);
      expect(amplitudeAt(output, 1000, to)).toBeGreaterThan(9500);
      expect(amplitudeAt(output, 1000, to)).toBeLessThan(10500);
      // Nothing else of note: no spectral image at (from − 1 kHz) when upsampling, no distortion.
      if (to > from) expect(amplitudeAt(output, from - 1000, to)).toBeLessThan(100);
      expect(amplitudeAt(output, 2000, to)).toBeLessThan(100);
    });
  }

  it('rejects content above the new Nyquist frequency when downsampling', () => {
    const input = sine(6000, 16000, 8000);
    const output = resamplePcm16(input, 16000, 8000);
    // A 6 kHz tone would alias to 2 kHz at 8 kHz without the low-pass filter.
    expect(amplitudeAt(output, 2000, 8000)).toBeLessThan(50);
  });

  it('produces the same samples whether the stream arrives whole or in odd chunks', () => {
    const input = sine(440, 8000, 4000);
    const whole = resamplePcm16(input, 8000, 24000);
    const streaming = createResampler(8000, 24000);
    const pieces: number[] = [];
    const out = new Int16Array(streaming.maxOutputLength(173));
    for (let i = 0; i < input.length; i += 173) {
      const chunk = streaming.process(input.subarray(i, i + 173), out);
      pieces.push(...chunk);
    }
    expect(pieces.length).toBe(whole.length);
    expect(Int16Array.from(pieces)).toEqual(whole);
  });

  it('downsamples 24 kHz TTS chunks to a third of the samples across chunk boundaries', () => {
    const resampler = createResampler(24000, 8000);
    let total = 0;
    for (const size of [480, 7, 1000, 2, 511]) total += resampler.process(new Int16Array(size)).length;
    expect(total).toBe(Math.ceil((480 + 7 + 1000 + 2 + 511) / 3));
  });

  it('passes audio through unchanged when the rates match, and forgets history on reset', () => {
    const same = createResampler(16000, 16000);
    const input = sine(300, 16000, 100);
    expect(same.process(input)).toBe(input);
    const up = createResampler(8000, 16000);
    const first = up.process(sine(500, 8000, 80)).slice();
    up.reset();
    expect(up.process(sine(500, 8000, 80))).toEqual(first);
  });

  it('refuses rates it cannot convert', () => {
    expect(() => createResampler(0, 8000)).toThrow(RangeError);
    expect(() => createResampler(8000, 44101)).toThrow(RangeError);
  });
});
