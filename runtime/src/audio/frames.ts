/**
 * Frame arithmetic and zero-copy views for the audio formats the voice loop moves around:
 * 8-bit G.711 (μ-law, A-law) and 16-bit little-endian linear PCM.
 */

/** Sample encodings by their on-the-wire size. */
export type SampleEncoding = 'pcm16' | 'mulaw' | 'alaw';

/** Twilio (and most carriers) send and expect 20 ms frames. */
export const TELEPHONY_FRAME_MS = 20;
/** One 20 ms frame of μ-law at 8 kHz: 160 bytes. */
export const MULAW_8K_FRAME_BYTES = 160;

/** Bytes per sample of one channel. */
export function bytesPerSample(encoding: SampleEncoding): number {
  return encoding === 'pcm16' ? 2 : 1;
}

/** Bytes in `ms` milliseconds of audio (rounded down to whole samples). */
export function frameBytes(encoding: SampleEncoding, sampleRate: number, ms: number, channels = 1): number {
  return Math.floor((sampleRate * ms) / 1000) * bytesPerSample(encoding) * channels;
}

/** Duration in milliseconds of `bytes` of audio. */
export function durationMs(
  bytes: number,
  encoding: SampleEncoding,
  sampleRate: number,
  channels = 1,
): number {
  return (bytes / (bytesPerSample(encoding) * channels * sampleRate)) * 1000;
}

/**
 * Views little-endian PCM16 bytes as samples without copying when the bytes are 2-aligned
 * (Node's pooled Buffers often are not, and then this copies). Assumes a little-endian host,
 * which every platform Node supports is.
 */
export function pcm16View(bytes: Uint8Array): Int16Array {
  const count = bytes.byteLength >> 1;
  if (bytes.byteOffset % 2 === 0) return new Int16Array(bytes.buffer, bytes.byteOffset, count);
  const copy = new Int16Array(count);
  new Uint8Array(copy.buffer).set(bytes.subarray(0, count * 2));
  return copy;
}

/** Views PCM16 samples as little-endian bytes without copying. */
export function pcm16Bytes(samples: Int16Array): Uint8Array {
  return new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
}

/**
 * Cuts a byte stream that arrives in arbitrary pieces (a TTS provider's chunks) into fixed-size
 * frames (a carrier's 20 ms). Frames handed to `onFrame` are views of one internal buffer,
 * valid only during the callback: copy or encode them there.
 */
export class FrameChunker {
  private readonly frame: Uint8Array;
  private filled = 0;

  constructor(readonly frameSize: number) {
    if (!Number.isInteger(frameSize) || frameSize <= 0) throw new RangeError(`bad frame size ${frameSize}`);
    this.frame = new Uint8Array(frameSize);
  }

  /** Bytes held back waiting for a full frame. */
  get pending(): number {
    return this.filled;
  }

  /** Adds bytes; calls `onFrame` once per completed frame. */
  push(bytes: Uint8Array, onFrame: (frame: Uint8Array) => void): void {
    let offset = 0;
    while (offset < bytes.length) {
      const take = Math.min(this.frameSize - this.filled, bytes.length - offset);
      this.frame.set(bytes.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameSize) {
        this.filled = 0;
        onFrame(this.frame);
      }
    }
  }

  /** Emits the partial frame, padded with `padByte` (μ-law silence by default), if any. */
  flush(onFrame: (frame: Uint8Array) => void, padByte = 0xff): void {
    if (this.filled === 0) return;
    this.frame.fill(padByte, this.filled);
    this.filled = 0;
    onFrame(this.frame);
  }

  /** Drops the partial frame (on interruption). */
  clear(): void {
    this.filled = 0;
  }
}

/** Root-mean-square level of PCM16 samples (0…32768), for energy-based voice detection. */
export function rmsLevel(samples: Int16Array, start = 0, end = samples.length): number {
  if (end <= start) return 0;
  let sum = 0;
  for (let i = start; i < end; i++) {
    const s = samples[i]!;
    sum += s * s;
  }
  return Math.sqrt(sum / (end - start));
}
