import { mulawDecodeSample } from '../audio/g711.js';
import { type AudioFormat, bytesPerSecond } from '../providers/types.js';

export interface RecognizerFeedOptions {
  readonly format: AudioFormat;
  /** Receives the audio, in order, one message's worth at a time. */
  readonly send: (chunk: Uint8Array) => void;
  /** Longest stretch of quiet audio held back to go out as one message. */
  readonly maxHoldMs?: number;
  /**
   * After the last loud frame, audio keeps going out frame by frame this long (unless the
   * recogniser has already closed the utterance): it must cover the endpointing silence.
   */
  readonly hangoverMs: number;
  /** Mean absolute sample level (0…32768) from which a frame counts as loud. */
  readonly loudLevel?: number;
  /** Audio per message while the caller goes on speaking (after the onset frame, which goes alone). */
  readonly speechChunkMs?: number;
  /** Mean absolute sample level from which frames in a row count as speech going on (and are chunked). */
  readonly speechLevel?: number;
}

/** −46 dBFS: above a phone line's idle noise (−60 dBFS and lower), below the quietest speech. */
const DEFAULT_LOUD_LEVEL = 164;
/**
 * Deepgram recommends 20–250 ms of audio per message. Holding quiet audio costs no latency (a loud
 * frame flushes it at once), so the longer the hold the fewer socket writes: 200 ms halves them
 * against 100 ms and stays inside the recommended range with a frame to spare.
 */
const DEFAULT_MAX_HOLD_MS = 200;
/**
 * Voiced frames after the first go out two at a time. Nothing waits on them that a frame's delay
 * changes: the onset (barge-in) and the silence that ends the turn (endpointing) still go at once,
 * and a 20 ms hold on the words in between moves an interim transcript by at most one frame. It
 * halves the messages of the most frequent state a call is in after quiet.
 */
const DEFAULT_SPEECH_CHUNK_MS = 40;
/**
 * −34 dBFS, 12 dB above the loud level: clearly voiced. Only frames this strong are chunked, so a
 * noisy line (a car, a street) whose noise passes the loud level but not this one still sends the
 * silence after speech frame by frame — the recogniser hears noise there, and may end the turn on
 * any of those frames.
 */
const DEFAULT_SPEECH_LEVEL = 656;

const MULAW_MAGNITUDE = Int16Array.from({ length: 256 }, (_, code) => Math.abs(mulawDecodeSample(code)));

/**
 * Paces caller audio into the recogniser. Carriers deliver a frame every 20 ms, and one socket
 * message per frame is the largest cost of a call (a `write` system call each). While the caller
 * is quiet nothing depends on those frames arriving promptly, so quiet audio is held and sent up
 * to `maxHoldMs` at a time; everything that decides latency still goes out at once:
 *
 * - a loud frame after quiet (a speech onset, a barge-in) flushes what is held and itself
 *   immediately; clearly voiced frames that follow one another go `speechChunkMs` at a time;
 * - after speech, frames go one by one through the endpointing silence (`hangoverMs`), so the
 *   frame on which the recogniser ends the turn is never held back;
 * - while the recogniser reports speech in progress (`speechActive`) — speech too quiet for the
 *   level check — frames go one by one as well, until it closes the utterance (`speechEnded`).
 *
 * The recogniser hears the same bytes in the same order; only message boundaries change.
 */
export class RecognizerFeed {
  readonly #send: (chunk: Uint8Array) => void;
  readonly #loudLevel: number;
  readonly #speechLevel: number;
  readonly #hangoverMs: number;
  readonly #maxHoldBytes: number;
  readonly #speechChunkBytes: number;
  readonly #pcm16: boolean;
  readonly #held: Uint8Array;
  #heldBytes = 0;
  #lastLoudAt = Number.NEGATIVE_INFINITY;
  /** The previous frame was voiced (at the speech level): the caller is speaking. */
  #speaking = false;
  /** The recogniser closed the utterance after the last loud frame: no hangover needed. */
  #closed = true;
  /** Until when (monotonic ms) the recogniser's last report of speech keeps audio prompt. */
  #activeUntil = Number.NEGATIVE_INFINITY;

  constructor(options: RecognizerFeedOptions) {
    this.#send = options.send;
    this.#loudLevel = options.loudLevel ?? DEFAULT_LOUD_LEVEL;
    this.#speechLevel = options.speechLevel ?? DEFAULT_SPEECH_LEVEL;
    this.#hangoverMs = options.hangoverMs;
    this.#pcm16 = options.format.encoding === 'pcm16';
    const bytesPerMs = bytesPerSecond(options.format) / 1000;
    const sampleBytes = this.#pcm16 ? 2 : 1;
    // Whole samples only, so a held message never splits one.
    const wholeSamples = (ms: number) =>
      Math.max(1, Math.floor((bytesPerMs * ms) / sampleBytes)) * sampleBytes;
    this.#maxHoldBytes = wholeSamples(options.maxHoldMs ?? DEFAULT_MAX_HOLD_MS);
    this.#speechChunkBytes = Math.min(
      this.#maxHoldBytes,
      wholeSamples(options.speechChunkMs ?? DEFAULT_SPEECH_CHUNK_MS),
    );
    this.#held = new Uint8Array(this.#maxHoldBytes);
  }

  /** One frame of caller audio, arrived at monotonic `at` (ms). */
  push(frame: Uint8Array, at: number): void {
    const level = this.#level(frame);
    const loud = level >= this.#loudLevel;
    const voiced = level >= this.#speechLevel;
    // Speech going on: held until a message's worth; an onset or the silence after speech: prompt.
    const continuing = voiced && this.#speaking;
    this.#speaking = voiced;
    if (loud) {
      this.#lastLoudAt = at;
      this.#closed = false;
    }
    const prompt =
      !continuing &&
      (at <= this.#activeUntil || (!this.#closed && at - this.#lastLoudAt <= this.#hangoverMs));
    if (this.#heldBytes + frame.byteLength > this.#maxHoldBytes) this.flush();
    if (frame.byteLength >= this.#maxHoldBytes || (prompt && this.#heldBytes === 0)) {
      this.#send(frame);
      return;
    }
    this.#hold(frame);
    // Prompt audio goes out with whatever was held before it, as one message; speech once a chunk
    // is full; quiet audio once the hold is.
    const limit = continuing ? this.#speechChunkBytes : this.#maxHoldBytes;
    if (prompt || this.#heldBytes >= limit) this.flush();
  }

  /**
   * The recogniser reports speech (a voice-activity event or words): send promptly for the next
   * `hangoverMs`, renewed by every report (a noise-triggered voice event with no words after it
   * must not keep the feed prompt for the rest of the call).
   */
  speechActive(now = performance.now()): void {
    this.#activeUntil = now + this.#hangoverMs;
    // What is held is the start of that speech: the recogniser wants it now.
    this.flush();
  }

  /** The recogniser closed the utterance (endpointed, or an utterance end): quiet audio may wait again. */
  speechEnded(): void {
    this.#activeUntil = Number.NEGATIVE_INFINITY;
    this.#closed = true;
  }

  /** Sends whatever is held (before finalizing or closing the recogniser). */
  flush(): void {
    if (this.#heldBytes === 0) return;
    // A copy: the recogniser's socket may still be reading the previous message's bytes.
    const chunk = this.#held.slice(0, this.#heldBytes);
    this.#heldBytes = 0;
    this.#send(chunk);
  }

  #hold(frame: Uint8Array): void {
    this.#held.set(frame, this.#heldBytes);
    this.#heldBytes += frame.byteLength;
  }

  /** Mean absolute sample level (0…32768). */
  #level(frame: Uint8Array): number {
    let sum = 0;
    let samples: number;
    if (this.#pcm16) {
      samples = frame.byteLength >> 1;
      const view = new DataView(frame.buffer, frame.byteOffset, samples * 2);
      for (let i = 0; i < samples; i++) sum += Math.abs(view.getInt16(i * 2, true));
    } else {
      samples = frame.byteLength;
      for (let i = 0; i < samples; i++) sum += MULAW_MAGNITUDE[frame[i]!]!;
    }
    return samples > 0 ? sum / samples : 0;
  }
}
