import { describe, expect, it } from 'vitest';
import {
  ALAW_SILENCE,
  alawDecodeSample,
  alawEncodeSample,
  decodeAlaw,
  decodeMulaw,
  encodeAlaw,
  encodeMulaw,
  MULAW_SILENCE,
  mulawDecodeSample,
  mulawEncodeSample,
} from './g711.js';

// Vectors from the G.711 reference tables (ITU-T G.711 Tables 2a/2b as reproduced by the
// public-domain g711.c that audioop and SoX use).
describe('G.711 μ-law', () => {
  it('encodes silence, full scale and small values as the standard does', () => {
    expect(mulawEncodeSample(0)).toBe(0xff);
    expect(MULAW_SILENCE).toBe(0xff);
    expect(mulawEncodeSample(32767)).toBe(0x80);
    expect(mulawEncodeSample(-32768)).toBe(0x00);
    expect(mulawEncodeSample(8)).toBe(0xfe);
    expect(mulawEncodeSample(-8)).toBe(0x7e);
    expect(mulawEncodeSample(1000)).toBe(0xce);
    expect(mulawEncodeSample(-1000)).toBe(0x4e);
  });

  it('decodes codes to the standard linear values', () => {
    expect(mulawDecodeSample(0xff)).toBe(0);
    expect(mulawDecodeSample(0x7f)).toBe(0);
    expect(mulawDecodeSample(0x80)).toBe(32124);
    expect(mulawDecodeSample(0x00)).toBe(-32124);
    expect(mulawDecodeSample(0xfe)).toBe(8);
    expect(mulawDecodeSample(0x7e)).toBe(-8);
    expect(mulawDecodeSample(0x8f)).toBe(16764);
    expect(mulawDecodeSample(0xf0)).toBe(120);
  });

  it('round-trips every code exactly and every sample within one quantisation step', () => {
    for (let code = 0; code < 256; code++) {
      const linear = mulawDecodeSample(code);
      // 0x7f is negative zero: it decodes to 0 and re-encodes as positive zero.
      expect(mulawDecodeSample(mulawEncodeSample(linear))).toBe(linear);
    }
    for (let x = -32768; x <= 32767; x += 7) {
      const err = Math.abs(mulawDecodeSample(mulawEncodeSample(x)) - x);
      // The step doubles each segment (8 in the first, 1024 in the last on the 16-bit scale) and
      // segment s starts where |x| + bias reaches 2^(s+7), so one step is at most (|x| + 132) / 16.
      expect(err).toBeLessThanOrEqual((Math.abs(x) + 132) / 16);
    }
  });

  it('converts buffers into caller-supplied arrays', () => {
    const pcm = Int16Array.from([0, 32767, -32768, 1000]);
    const out = new Uint8Array(8);
    const encoded = encodeMulaw(pcm, out);
    expect(Array.from(encoded)).toEqual([0xff, 0x80, 0x00, 0xce]);
    expect(encoded.buffer).toBe(out.buffer);
    expect(Array.from(decodeMulaw(encoded))).toEqual([0, 32124, -32124, 988]);
    expect(() => encodeMulaw(pcm, new Uint8Array(2))).toThrow(RangeError);
  });
});

describe('G.711 A-law', () => {
  it('matches the standard vectors', () => {
    expect(alawEncodeSample(0)).toBe(0xd5);
    expect(ALAW_SILENCE).toBe(0xd5);
    expect(alawDecodeSample(0xd5)).toBe(8);
    expect(alawDecodeSample(0x55)).toBe(-8);
    expect(alawEncodeSample(32767)).toBe(0xaa);
    expect(alawEncodeSample(-32768)).toBe(0x2a);
    expect(alawDecodeSample(0xaa)).toBe(32256);
    expect(alawDecodeSample(0x2a)).toBe(-32256);
  });

  it('round-trips every code and buffer', () => {
    for (let code = 0; code < 256; code++) {
      expect(alawEncodeSample(alawDecodeSample(code))).toBe(code);
    }
    const pcm = Int16Array.from([0, 500, -500, 20000]);
    const back = decodeAlaw(encodeAlaw(pcm));
    for (let i = 0; i < pcm.length; i++) {
      expect(Math.abs(back[i]! - pcm[i]!)).toBeLessThanOrEqual(Math.max(16, Math.abs(pcm[i]!) / 16));
    }
  });
});
