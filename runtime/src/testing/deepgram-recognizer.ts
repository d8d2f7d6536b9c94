import { rmsLevel } from '../audio/frames.js';
import { alawDecodeSample, decodeAlaw, decodeMulaw, mulawDecodeSample } from '../audio/g711.js';

/**
 * One thing the caller "says" to the Deepgram fake.
 *
 * - Timed: `startMs`/`endMs` place the speech in the audio the server RECEIVES (counted in
 *   bytes at the session's encoding and sample rate), so results come out as the streamed
 *   audio passes those points, whatever the wall clock does.
 * - Untimed: the energy detector places it. The next stretch of loud audio (RMS above the
 *   threshold) becomes this utterance; a test sends loud samples to mean "speech".
 */
export interface ScriptedUtterance {
  readonly transcript: string;
  readonly startMs?: number;
  readonly endMs?: number;
  /** Reported confidence, default 0.98. */
  readonly confidence?: number;
}

/** Energy-based speech detection on the received audio (linear16, mulaw, alaw only). */
export interface EnergyVadOptions {
  /** RMS over a 10 ms window (0…32768) above which audio counts as speech. Default 1000 (≈ −30 dBFS). */
  readonly threshold?: number;
  /** Loud audio needed before speech is declared. Default 30 ms. */
  readonly minSpeechMs?: number;
}

/** Session settings, parsed from the `/v1/listen` query. */
export interface RecognizerSettings {
  readonly encoding: 'linear16' | 'mulaw' | 'alaw';
  readonly sampleRate: number;
  readonly channels: number;
  readonly interimResults: boolean;
  /** Silence after speech before `speech_final`; false disables endpointing. Deepgram's default is 10. */
  readonly endpointingMs: number | false;
  readonly utteranceEndMs: number | undefined;
  readonly vadEvents: boolean;
  /** `punctuate` or `smart_format`: transcripts keep case and punctuation. */
  readonly formatted: boolean;
  /** Audio time between interim results while words are being recognised. */
  readonly interimIntervalMs: number;
  /** Audio time between the empty interim results sent while nothing is being recognised. */
  readonly silentInterimIntervalMs: number;
  readonly vad: Required<EnergyVadOptions> | false;
}

export interface Word {
  word: string;
  start: number;
  end: number;
  confidence: number;
  punctuated_word?: string;
}

/** What the recognizer decides; the server adds the envelope (metadata, channel_index). */
export type RecognizerEvent =
  | { type: 'SpeechStarted'; timestamp: number }
  | { type: 'UtteranceEnd'; lastWordEnd: number }
  | {
      type: 'Results';
      start: number;
      duration: number;
      isFinal: boolean;
      speechFinal: boolean;
      fromFinalize: boolean;
      transcript: string;
      confidence: number;
      words: Word[];
    };

interface Segment {
  tokens: string[];
  confidence: number;
  start: number;
  /** Known for timed segments; set by the detector when speech stops for energy ones. */
  end: number | undefined;
  lastLoud: number;
}

const TICK_MS = 10;
/** Without endpointing a segment is finalized this long after speech ends. */
const UNENDPOINTED_FINALIZE_S = 1;
/** Speaking rate assumed while an energy-detected utterance is still going. */
const ENERGY_WORD_S = 0.3;

const round = (x: number) => Math.round(x * 1000) / 1000;

/**
 * Squared linear value of every G.711 code: the RMS of a mono G.711 tick is a sum of table
 * lookups, the same integers `rmsLevel` adds over the decoded samples, so the same level.
 */
const squaresOf = (decode: (code: number) => number) =>
  Float64Array.from({ length: 256 }, (_, code) => decode(code) ** 2);
const MULAW_SQUARES = squaresOf(mulawDecodeSample);
const ALAW_SQUARES = squaresOf(alawDecodeSample);

/**
 * The scripted stand-in for Deepgram's recognizer: advances an audio clock as bytes arrive, in
 * 10 ms ticks, and emits SpeechStarted, interim and final Results and UtteranceEnd at the
 * points the real service would.
 */
export class ScriptedRecognizer {
  private readonly tickBytes: number;
  private readonly carry: Uint8Array;
  private carried = 0;
  private readonly pcm: Int16Array;
  /** Set for mono G.711: the energy detector reads the received bytes through it, decoding nothing. */
  private readonly squares: Float64Array | undefined;
  private ticks = 0;
  private readonly timed: ScriptedUtterance[];
  private readonly untimed: ScriptedUtterance[];
  private active: Segment | undefined;
  private windowStart = 0;
  private lastInterim = 0;
  private loudRun = 0;
  private pendingUtteranceEnd: { lastWordEnd: number; due: number } | undefined;

  constructor(
    private readonly settings: RecognizerSettings,
    script: readonly ScriptedUtterance[],
    private readonly emit: (event: RecognizerEvent) => void,
  ) {
    const sampleBytes = settings.encoding === 'linear16' ? 2 : 1;
    const samplesPerTick = Math.max(1, Math.round((settings.sampleRate * TICK_MS) / 1000));
    this.tickBytes = samplesPerTick * sampleBytes * settings.channels;
    this.carry = new Uint8Array(this.tickBytes);
    this.pcm = new Int16Array(samplesPerTick * settings.channels);
    if (settings.channels === 1)
      this.squares =
        settings.encoding === 'mulaw'
          ? MULAW_SQUARES
          : settings.encoding === 'alaw'
            ? ALAW_SQUARES
            : undefined;
    this.timed = script.filter((u) => u.startMs !== undefined).sort((a, b) => a.startMs! - b.startMs!);
    this.untimed = script.filter((u) => u.startMs === undefined);
  }

  /** Seconds of audio received so far (whole ticks). */
  get clock(): number {
    return (this.ticks * TICK_MS) / 1000;
  }

  /** Adds utterances to the script of a live session. */
  add(utterances: readonly ScriptedUtterance[]): void {
    for (const u of utterances) (u.startMs === undefined ? this.untimed : this.timed).push(u);
    this.timed.sort((a, b) => a.startMs! - b.startMs!);
  }

  /** Feeds received audio bytes. */
  pushAudio(bytes: Uint8Array): void {
    const size = this.tickBytes;
    let offset = 0;
    if (this.carried > 0) {
      const take = Math.min(size - this.carried, bytes.length);
      this.carry.set(bytes.subarray(0, take), this.carried);
      this.carried += take;
      offset = take;
      if (this.carried < size) return;
      this.carried = 0;
      this.tick(this.carry, 0);
    }
    // Whole ticks are read where they arrived: a 20 ms message is two ticks, copied nowhere.
    for (; bytes.length - offset >= size; offset += size) this.tick(bytes, offset);
    if (offset < bytes.length) {
      this.carry.set(bytes.subarray(offset));
      this.carried = bytes.length - offset;
    }
  }

  /**
   * Flushes: finalizes what has been heard so far (`Finalize` → `from_finalize: true`;
   * `CloseStream` → a plain final).
   */
  flush(fromFinalize: boolean): void {
    const t = this.clock;
    const segment = this.active;
    if (segment) {
      const words = this.wordsOf(segment, t);
      // Only words whose audio has arrived can be recognized.
      const heard = words.filter((w) => w.start < t);
      segment.tokens = segment.tokens.slice(heard.length);
      if (segment.tokens.length === 0) this.active = undefined;
      else segment.start = t;
      this.final(heard, segment.confidence, false, fromFinalize);
    } else if (t > this.windowStart) {
      this.final([], 1, false, fromFinalize);
    }
  }

  /** One 10 ms tick of audio: `tickBytes` bytes of `audio` from `at`. */
  private tick(audio: Uint8Array, at: number): void {
    this.ticks++;
    const t = this.clock;
    if (this.settings.vad) this.detectEnergy(t, this.settings.vad, audio, at);
    if (!this.active) {
      const next = this.timed[0];
      if (next && next.startMs! / 1000 <= t) {
        this.timed.shift();
        this.begin(next, next.startMs! / 1000, (next.endMs ?? next.startMs! + 1000) / 1000);
      }
    }
    const ue = this.pendingUtteranceEnd;
    if (ue && t >= ue.due) {
      this.pendingUtteranceEnd = undefined;
      this.emit({ type: 'UtteranceEnd', lastWordEnd: ue.lastWordEnd });
    }
    const segment = this.active;
    if (segment?.end !== undefined) {
      const wait =
        this.settings.endpointingMs === false ? UNENDPOINTED_FINALIZE_S : this.settings.endpointingMs / 1000;
      if (t >= segment.end + wait - 1e-9) {
        this.active = undefined;
        this.final(
          this.wordsOf(segment, t),
          segment.confidence,
          this.settings.endpointingMs !== false,
          false,
        );
        return;
      }
    }
    // Deepgram streams interims while it recognises words and empty ones about once a second
    // through silence.
    const interval = segment ? this.settings.interimIntervalMs : this.settings.silentInterimIntervalMs;
    if (this.settings.interimResults && t - this.lastInterim >= interval / 1000 - 1e-9) {
      this.lastInterim = t;
      const words = segment ? this.wordsOf(segment, t).filter((w) => w.start < t) : [];
      this.results(words, segment?.confidence ?? 1, false, false, false);
    }
  }

  private detectEnergy(t: number, vad: Required<EnergyVadOptions>, audio: Uint8Array, at: number): void {
    const level = this.levelOf(audio, at);
    const loud = level >= vad.threshold;
    this.loudRun = loud ? this.loudRun + TICK_MS : 0;
    const segment = this.active;
    if (segment && segment.end === undefined) {
      if (loud) segment.lastLoud = t;
      const quietFor = t - segment.lastLoud;
      const wait =
        this.settings.endpointingMs === false ? UNENDPOINTED_FINALIZE_S : this.settings.endpointingMs / 1000;
      // Energy speech ends at the last loud tick; finalization then follows the endpointing rule.
      if (quietFor >= wait - 1e-9) segment.end = segment.lastLoud;
      return;
    }
    if (!segment && this.loudRun >= vad.minSpeechMs) {
      // Noise with nothing left to say still starts speech and ends in an empty final, as it does live.
      const utterance = this.untimed.shift() ?? { transcript: '' };
      const start = t - this.loudRun / 1000;
      this.begin(utterance, start, undefined);
      this.active!.lastLoud = t;
    }
  }

  /** RMS of channel 0 of the tick (what `rmsLevel` gives for its decoded samples). */
  private levelOf(audio: Uint8Array, at: number): number {
    const squares = this.squares;
    if (!squares) return rmsLevel(this.decodeTick(audio, at));
    const end = at + this.tickBytes;
    let sum = 0;
    for (let i = at; i < end; i++) sum += squares[audio[i]!]!;
    return Math.sqrt(sum / this.tickBytes);
  }

  private decodeTick(audio: Uint8Array, at: number): Int16Array {
    const { encoding, channels } = this.settings;
    const bytes =
      at === 0 && audio.length === this.tickBytes ? audio : audio.subarray(at, at + this.tickBytes);
    if (encoding === 'mulaw') decodeMulaw(bytes, this.pcm);
    else if (encoding === 'alaw') decodeAlaw(bytes, this.pcm);
    else for (let i = 0; i < this.pcm.length; i++) this.pcm[i] = bytes[2 * i]! | (bytes[2 * i + 1]! << 8);
    // Channel 0 only: interleaved frames put it at every `channels`-th sample.
    if (channels === 1) return this.pcm;
    const mono = new Int16Array(this.pcm.length / channels);
    for (let i = 0; i < mono.length; i++) mono[i] = this.pcm[i * channels]!;
    return mono;
  }

  private begin(utterance: ScriptedUtterance, start: number, end: number | undefined): void {
    if (this.pendingUtteranceEnd && start < this.pendingUtteranceEnd.due)
      this.pendingUtteranceEnd = undefined;
    this.active = {
      tokens: utterance.transcript.split(/\s+/).filter(Boolean),
      confidence: utterance.confidence ?? 0.98,
      start,
      end,
      lastLoud: start,
    };
    if (this.settings.vadEvents) this.emit({ type: 'SpeechStarted', timestamp: round(start) });
  }

  /** Word timings: spread evenly over the segment, or at a speaking rate while its end is unknown. */
  private wordsOf(segment: Segment, t: number): Word[] {
    const n = segment.tokens.length;
    if (n === 0) return [];
    const span = segment.end !== undefined ? segment.end - segment.start : undefined;
    const step = span !== undefined ? span / n : ENERGY_WORD_S;
    const words: Word[] = [];
    for (let i = 0; i < n; i++) {
      const start = segment.start + i * step;
      // An energy segment still going reveals one word per step, never its last before it ends.
      if (span === undefined && (start >= t || i === n - 1)) break;
      const token = segment.tokens[i]!;
      const word: Word = {
        word: token.toLowerCase().replace(/[^\p{L}\p{N}'-]/gu, ''),
        start: round(start),
        end: round(start + step * 0.9),
        confidence: segment.confidence,
      };
      if (this.settings.formatted) word.punctuated_word = token;
      words.push(word);
    }
    return words;
  }

  private final(words: Word[], confidence: number, speechFinal: boolean, fromFinalize: boolean): void {
    this.results(words, confidence, true, speechFinal, fromFinalize);
    this.windowStart = this.clock;
    this.lastInterim = this.clock;
    const last = words.at(-1);
    if (last && this.settings.utteranceEndMs !== undefined && this.settings.interimResults) {
      this.pendingUtteranceEnd = {
        lastWordEnd: last.end,
        due: last.end + this.settings.utteranceEndMs / 1000,
      };
    }
  }

  private results(
    words: Word[],
    confidence: number,
    isFinal: boolean,
    speechFinal: boolean,
    fromFinalize: boolean,
  ) {
    const transcript = this.settings.formatted
      ? words.map((w) => w.punctuated_word).join(' ')
      : words.map((w) => w.word).join(' ');
    this.emit({
      type: 'Results',
      start: round(this.windowStart),
      duration: round(this.clock - this.windowStart),
      isFinal,
      speechFinal,
      fromFinalize,
      transcript,
      confidence: words.length > 0 ? confidence : 0,
      words,
    });
  }
}
