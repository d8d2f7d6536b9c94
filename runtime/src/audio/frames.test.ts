import { describe, expect, it } from 'vitest';
import {
  durationMs,
  FrameChunker,
  frameBytes,
  MULAW_8K_FRAME_BYTES,
  pcm16Bytes,
  pcm16View,
  rmsLevel,
} from './frames.js';

describe('frame sizes', () => {
  it('computes telephony and provider frame sizes', () => {
    expect(frameBytes('mulaw', 8000, 20)).toBe(MULAW_8K_FRAME_BYTES);
    expect(frameBytes('pcm16', 16000, 20)).toBe(640);
    expect(frameBytes('pcm16', 24000, 10)).toBe(480);
    expect(frameBytes('pcm16', 8000, 20, 2)).toBe(640);
    expect(durationMs(160, 'mulaw', 8000)).toBe(20);
    expect(durationMs(48000, 'pcm16', 24000)).toBe(1000);
  });
});

describe('PCM16 views', () => {
  it('round-trips samples through bytes, copying only unaligned input', () => {
    const samples = Int16Array.from([1, -2, 32767, -32768]);
    const bytes = pcm16Bytes(samples);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([1, 0, 0xfe, 0xff]);
    expect(pcm16View(bytes).buffer).toBe(samples.buffer);
    const unaligned = new Uint8Array(bytes.length + 1).subarray(1);
    unaligned.set(bytes);
    expect(Array.from(pcm16View(unaligned))).toEqual([1, -2, 32767, -32768]);
  });
});

describe('FrameChunker', () => {
  it('re-cuts arbitrary chunks into whole frames and pads the tail with silence', () => {
    const chunker = new FrameChunker(4);
    const frames: number[][] = [];
    const collect = (f: Uint8Array) => frames.push(Array.from(f));
    chunker.push(Uint8Array.from([1, 2, 3]), collect);
    chunker.push(Uint8Array.from([4, 5, 6, 7, 8, 9]), collect);
    expect(frames).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    expect(chunker.pending).toBe(1);
    chunker.flush(collect);
    expect(frames[2]).toEqual([9, 0xff, 0xff, 0xff]);
    chunker.push(Uint8Array.from([1]), collect);
    chunker.clear();
    chunker.flush(collect);
    expect(frames).toHaveLength(3);
  });
});

describe('rmsLevel', () => {
  it('measures loudness', () => {
    expect(rmsLevel(new Int16Array(10))).toBe(0);
    expect(rmsLevel(Int16Array.from([1000, -1000, 1000, -1000]))).toBe(1000);
  });
});
