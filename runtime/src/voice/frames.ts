import type { VrmError } from '../errors.js';

/**
 * Frames are what the voice loop's stages pass to each other. Each one is a plain immutable
 * object tagged by `type`, stamped with the turn it belongs to and a monotonic time
 * (`performance.now()` milliseconds). Control frames (`interrupt`, `end`, `error`) overtake data
 * frames in the channels between stages.
 */
interface Stamp {
  readonly turnId: number;
  /** Monotonic milliseconds (`performance.now()`). */
  readonly at: number;
}

/** Caller audio in the input format of the carrier. */
export interface AudioFrame extends Stamp {
  readonly type: 'audio';
  readonly data: Uint8Array;
}

export interface DtmfFrame extends Stamp {
  readonly type: 'dtmf';
  readonly digit: string;
}

export interface SpeechStartedFrame extends Stamp {
  readonly type: 'speech-started';
}

export interface TranscriptFrame extends Stamp {
  readonly type: 'transcript';
  readonly text: string;
  readonly final: boolean;
  readonly speechFinal: boolean;
  /** Seconds of speech the transcript covers (first word start to last word end). */
  readonly speechSec: number;
  /**
   * Monotonic ms when the caller's last recognised word ended (when its audio arrived, less the
   * rest of that frame). Absent when the transcript has no words or the audio is too old to place.
   */
  readonly speechEndAt?: number;
}

export interface UtteranceEndFrame extends Stamp {
  readonly type: 'utterance-end';
}

/** The caller finished a turn: this is what they said (or keyed). */
export interface EndOfTurnFrame extends Stamp {
  readonly type: 'end-of-turn';
  readonly text: string;
  readonly source: 'speech' | 'dtmf';
}

/** The caller stayed silent after the agent finished: re-prompt number `count`. */
export interface SilenceFrame extends Stamp {
  readonly type: 'silence';
  readonly count: number;
}

/** An interruption turned out to be noise: say again what the caller did not hear. */
export interface ResumeFrame extends Stamp {
  readonly type: 'resume';
  readonly text: string;
}

/** A piece of agent speech (a sentence) for TTS. `final` closes the generation. */
export interface TextFrame extends Stamp {
  readonly type: 'text';
  readonly generationId: number;
  readonly text: string;
  readonly final: boolean;
  /** Set on fixed speech (the greeting) whose audio the TTS stage may cache under this key. */
  readonly cacheKey?: string;
}

export interface ToolCallFrame extends Stamp {
  readonly type: 'tool-call';
  readonly generationId: number;
  readonly callId: string;
  readonly name: string;
  readonly arguments: string;
}

export interface ToolResultFrame extends Stamp {
  readonly type: 'tool-result';
  readonly generationId: number;
  readonly callId: string;
  readonly name: string;
  readonly ok: boolean;
  readonly content: string;
}

/** Keys the agent presses (the `send_dtmf` tool): played as in-band tones after its speech. */
export interface SendDtmfFrame extends Stamp {
  readonly type: 'send-dtmf';
  readonly generationId: number;
  /** Validated keys: 0-9, `*`, `#`, and `w` for a half-second pause. */
  readonly digits: string;
}

/** Synthesised agent audio in the carrier's output format. */
export interface TtsAudioFrame extends Stamp {
  readonly type: 'tts-audio';
  readonly generationId: number;
  readonly data: Uint8Array;
}

/** Word timings of a generation's audio (seconds from its first sample). */
export interface TtsWordsFrame extends Stamp {
  readonly type: 'tts-words';
  readonly generationId: number;
  readonly words: readonly string[];
  readonly endSec: readonly number[];
}

/** The TTS produced all audio of a generation. */
export interface TtsDoneFrame extends Stamp {
  readonly type: 'tts-done';
  readonly generationId: number;
}

/** Feedback from the output stage: the caller started or stopped hearing the agent. */
export interface PlaybackFrame extends Stamp {
  readonly type: 'playback';
  readonly state: 'started' | 'stopped';
  readonly generationId: number;
  /** On an interrupted stop: the reply text the caller did not hear. */
  readonly unheard?: string;
}

/** The carrier echoed a mark. */
export interface MarkFrame extends Stamp {
  readonly type: 'mark';
  readonly name: string;
}

/** Barge-in: drop everything queued for `generationId` (or for every generation when -1). */
export interface InterruptFrame extends Stamp {
  readonly type: 'interrupt';
  readonly generationId: number;
}

export type EndReason = 'caller-hangup' | 'agent-hangup' | 'transfer' | 'max-duration' | 'silence' | 'error';

/** Finish the call after the audio queued before it has played. */
export interface EndFrame extends Stamp {
  readonly type: 'end';
  readonly reason: EndReason;
  readonly transferTo?: string;
}

export interface ErrorFrame extends Stamp {
  readonly type: 'error';
  readonly error: VrmError;
  readonly fatal: boolean;
}

export type Frame =
  | AudioFrame
  | DtmfFrame
  | SpeechStartedFrame
  | TranscriptFrame
  | UtteranceEndFrame
  | EndOfTurnFrame
  | SilenceFrame
  | ResumeFrame
  | TextFrame
  | ToolCallFrame
  | ToolResultFrame
  | SendDtmfFrame
  | TtsAudioFrame
  | TtsWordsFrame
  | TtsDoneFrame
  | PlaybackFrame
  | MarkFrame
  | InterruptFrame
  | EndFrame
  | ErrorFrame;

export type FrameType = Frame['type'];

/** Builds a frame of `type` stamped with `turnId` and the current monotonic time. */
export function frame<T extends FrameType>(
  type: T,
  turnId: number,
  fields: Omit<Extract<Frame, { type: T }>, 'type' | 'turnId' | 'at'>,
): Extract<Frame, { type: T }> {
  return { type, turnId, at: performance.now(), ...fields } as Extract<Frame, { type: T }>;
}

/**
 * Control frames overtake data frames queued in a channel. An `end` the agent decided (goodbye,
 * transfer) stays in order behind the speech before it; a caller hang-up overtakes everything.
 */
export function isControl(f: Frame): boolean {
  switch (f.type) {
    case 'interrupt':
    case 'error':
    case 'mark':
      return true;
    case 'end':
      return f.reason === 'caller-hangup';
    default:
      return false;
  }
}

/** Agent output that an interruption makes obsolete; an `interrupt` drops these from queues. */
export function isAgentOutput(f: Frame): boolean {
  return (
    f.type === 'text' ||
    f.type === 'tts-audio' ||
    f.type === 'tts-words' ||
    f.type === 'tts-done' ||
    f.type === 'tool-call' ||
    f.type === 'tool-result' ||
    f.type === 'send-dtmf'
  );
}
