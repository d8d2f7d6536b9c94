import { describe, expect, it } from 'vitest';
import { decodeMulaw } from '../audio/g711.js';
import { TELEPHONY_FORMAT } from '../providers/types.js';
import { dtmfTones } from './dtmf-tones.js';

/** Relative power of `frequency` in `samples` (Goertzel), as a DTMF detector measures it. */
function power(samples: Int16Array, frequency: number, rate: number): number {
  const k = 2 * Math.cos((2 * Math.PI * frequency) / rate);
  let s1 = 0;
  let s2 = 0;
  for (const x of samples) {
    const s = x + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - k * s1 * s2) / samples.length ** 2;
}

const LOW = [697, 770, 852, 941];
const HIGH = [1209, 1336, 1477, 1633];

/** The key a detector hears in a tone: the strongest row and column frequencies. */
function detect(samples: Int16Array): [number, number] {
  const strongest = (freqs: number[]) =>
    freqs.reduce((best, f) => (power(samples, f, 8000) > power(samples, best, 8000) ? f : best));
  return [strongest(LOW), strongest(HIGH)];
}

describe('dtmfTones', () => {
  it('plays each key as its row and column tones, 100 ms on and 100 ms off, in μ-law', () => {
    const audio = dtmfTones('1#0', TELEPHONY_FORMAT);
    expect(audio.byteLength).toBe(3 * 1600);
    const pcm = decodeMulaw(audio);
    expect(detect(pcm.subarray(0, 800))).toEqual([697, 1209]);
    expect(detect(pcm.subarray(1600, 2400))).toEqual([941, 1477]);
    expect(detect(pcm.subarray(3200, 4000))).toEqual([941, 1336]);
    // The gaps are silent.
    expect(Math.max(...Array.from(pcm.subarray(800, 1600), Math.abs))).toBeLessThan(16);
  });

  it('pauses half a second for w, and speaks 16-bit PCM at other rates', () => {
    expect(dtmfTones('w', TELEPHONY_FORMAT).byteLength).toBe(4000);
    const pcm = dtmfTones('5', { encoding: 'pcm16', sampleRate: 16000 });
    expect(pcm.byteLength).toBe(0.2 * 16000 * 2);
    const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.byteLength / 2).subarray(0, 1600);
    const strongest = (freqs: number[]) =>
      freqs.reduce((best, f) => (power(samples, f, 16000) > power(samples, best, 16000) ? f : best));
    expect([strongest(LOW), strongest(HIGH)]).toEqual([770, 1336]);
  });
});
