/**
 * The provider seams of the voice loop. The loop only ever sees these interfaces; each vendor SDK
 * lives in exactly one adapter file (`deepgram-stt.ts`, `openai-llm.ts`, `cartesia-tts.ts`).
 * Adapters are registered in the tsyringe container under the symbol tokens below.
 */

/** Audio sample encodings the loop moves around. `mulaw` is G.711 μ-law, `pcm16` is signed 16-bit LE. */
export type AudioEncoding = 'mulaw' | 'pcm16';

export interface AudioFormat {
  readonly encoding: AudioEncoding;
  readonly sampleRate: number;
}

/** What a phone carrier speaks: μ-law at 8 kHz, mono. */
export const TELEPHONY_FORMAT: AudioFormat = Object.freeze({ encoding: 'mulaw', sampleRate: 8000 });

/** Bytes per second of mono audio in `format`. */
export function bytesPerSecond(format: AudioFormat): number {
  return format.encoding === 'mulaw' ? format.sampleRate : format.sampleRate * 2;
}

/** Emitted in-band by the `withFallback` wrappers when they switch to the next provider. */
export interface FallbackNotice {
  readonly type: 'fallback';
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

// ---------------------------------------------------------------------------------------------
// Speech-to-text

export interface SpeechToTextOptions {
  readonly format: AudioFormat;
  /** BCP-47 language, e.g. `en-US`. */
  readonly language?: string;
  /** Silence (ms) after which the provider marks an utterance as finished (`speechFinal`). */
  readonly endpointingMs: number;
  /** Gap (ms) in words after which the provider sends `utterance-end` even without endpointing. */
  readonly utteranceEndMs?: number;
  /** Words the recogniser should favour (names, products). */
  readonly keyterms?: readonly string[];
  readonly signal: AbortSignal;
}

export type SpeechToTextEvent =
  /** Voice activity began (provider VAD). `atSec` is the offset in the session's audio. */
  | { readonly type: 'speech-started'; readonly atSec: number }
  | {
      readonly type: 'transcript';
      readonly text: string;
      /** The segment will not change any more. */
      readonly final: boolean;
      /** Endpointing decided the speaker stopped. */
      readonly speechFinal: boolean;
      readonly confidence: number;
      /**
       * Offsets (seconds) of the first and last recognised word in the session's audio — everything
       * pushed since `open`, across reconnects and provider switches; equal when no words.
       */
      readonly startSec: number;
      readonly endSec: number;
    }
  | { readonly type: 'utterance-end'; readonly lastWordEndSec: number }
  /** The connection dropped and was re-established; `resentBytes` of buffered audio were replayed. */
  | { readonly type: 'reconnected'; readonly attempt: number; readonly resentBytes: number }
  | FallbackNotice;

/** One streaming recognition session, usually one per call. */
export interface SpeechToTextSession {
  /** Queues audio in the session's format. Never blocks; audio beyond a small bound is dropped. */
  push(audio: Uint8Array): void;
  /** Provider events; ends when the session closes, throws when it fails for good. */
  readonly events: AsyncIterable<SpeechToTextEvent>;
  /** Asks the provider to finish what it has heard now (e.g. before hang-up). */
  finalize(): void;
  /** Flushes, closes the connection and ends `events`. */
  close(): Promise<void>;
}

export interface SpeechToText {
  /** Provider name for traces, e.g. `deepgram`. */
  readonly name: string;
  open(options: SpeechToTextOptions): Promise<SpeechToTextSession>;
}

// ---------------------------------------------------------------------------------------------
// Language model

export interface ToolCallRequest {
  readonly id: string;
  readonly name: string;
  /** Raw JSON text as the model produced it. */
  readonly arguments: string;
}

export type ChatMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string; readonly toolCalls?: readonly ToolCallRequest[] }
  | { readonly role: 'tool'; readonly toolCallId: string; readonly content: string };

/** A tool offered to the model, in OpenAI function format. */
export interface ToolSpec {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments object. */
  readonly parameters: Record<string, unknown>;
}

export interface LanguageModelRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools?: readonly ToolSpec[];
  readonly temperature?: number;
  readonly maxTokens?: number;
  readonly signal: AbortSignal;
}

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
}

export type LanguageModelEvent =
  | { readonly type: 'text'; readonly delta: string }
  /** A complete tool call, assembled from the provider's split deltas. */
  | { readonly type: 'tool-call'; readonly call: ToolCallRequest }
  | {
      readonly type: 'done';
      readonly finishReason: string;
      readonly usage?: TokenUsage;
      /** Milliseconds from request to the first text or tool-call delta. */
      readonly firstTokenMs?: number;
      readonly model: string;
    }
  | FallbackNotice;

export interface LanguageModel {
  readonly name: string;
  readonly model: string;
  /** Streams one completion. Throws `VrmError` (`llm_failed`, retryable per status) on failure. */
  stream(request: LanguageModelRequest): AsyncIterable<LanguageModelEvent>;
}

// ---------------------------------------------------------------------------------------------
// Text-to-speech

export interface TextToSpeechOptions {
  readonly voice: string;
  readonly format: AudioFormat;
  readonly language?: string;
  /** Aborting it cancels the context (barge-in). */
  readonly signal: AbortSignal;
}

export type TextToSpeechEvent =
  | { readonly type: 'audio'; readonly data: Uint8Array }
  /** Word timings relative to the start of this context's audio, when the provider sends them. */
  | {
      readonly type: 'words';
      readonly words: readonly string[];
      readonly startSec: readonly number[];
      readonly endSec: readonly number[];
    }
  | FallbackNotice;

/** One utterance being synthesised: text goes in as continuations, audio comes out in order. */
export interface TextToSpeechContext {
  readonly id: string;
  /** Appends text; concatenated verbatim with earlier pushes (spaces matter). */
  push(text: string): void;
  /** Asks the provider to synthesise what it has buffered without waiting for more text. */
  flush(): void;
  /** No more text: `events` ends once the remaining audio has arrived. */
  end(): void;
  /** Stops synthesis at once; `events` ends without further audio. */
  cancel(): void;
  /** Ends after the last audio of an ended context; throws `VrmError` (`tts_failed`) on failure. */
  readonly events: AsyncIterable<TextToSpeechEvent>;
}

export interface TextToSpeech {
  readonly name: string;
  createContext(options: TextToSpeechOptions): TextToSpeechContext;
  /**
   * Opens the provider's connection ahead of the first context (the loop calls it when a call
   * starts, while the greeting plays). Best effort: never throws; a failure surfaces on first use.
   */
  warmUp?(): void;
  /** Releases long-lived connections. */
  close?(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Telephony (the carrier leg of a call)

export type TelephonyEvent =
  | { readonly type: 'audio'; readonly data: Uint8Array }
  | { readonly type: 'dtmf'; readonly digit: string }
  /** The carrier played the audio sent before `sendMark(name)` (or dropped it on `clear`). */
  | { readonly type: 'mark'; readonly name: string }
  | { readonly type: 'stop' };

export interface Telephony {
  readonly inputFormat: AudioFormat;
  readonly outputFormat: AudioFormat;
  /** Caller audio, keypresses, mark echoes; ends when the carrier closes the stream. */
  events(): AsyncIterable<TelephonyEvent>;
  /**
   * Optional fast path for caller audio, the one per-frame event: while a listener is set, each
   * inbound frame is handed to it synchronously as it arrives and `events()` yields no `audio`.
   * Frames are never delayed behind other events. `undefined` removes the listener.
   */
  onAudio?(listener: ((data: Uint8Array) => void) | undefined): void;
  sendAudio(data: Uint8Array): void;
  sendMark(name: string): void;
  /** Drops audio the carrier has buffered but not played yet (barge-in). */
  clear(): void;
  hangUp(): Promise<void>;
  /** Hands the call to `target` (a phone number or SIP URI). */
  transfer(target: string): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Container tokens (symbols; tsyringe resolves them in the container setup only)

export const SPEECH_TO_TEXT = Symbol.for('vrm.SpeechToText');
export const LANGUAGE_MODEL = Symbol.for('vrm.LanguageModel');
export const TEXT_TO_SPEECH = Symbol.for('vrm.TextToSpeech');
export const TELEPHONY = Symbol.for('vrm.Telephony');
/** A `ProviderFactory` that builds the adapters a manifest names. */
export const PROVIDER_FACTORY = Symbol.for('vrm.ProviderFactory');
