import {
  type AudioFormat,
  bytesPerSecond,
  type SpeechToText,
  type SpeechToTextEvent,
  type SpeechToTextSession,
} from '../providers/types.js';
import { AudioClock } from './audio-clock.js';
import { type Emit, fanIn } from './fan-in.js';
import type { Frame } from './frames.js';
import type { TurnCounter } from './generations.js';
import type { Stage, StageContext } from './pipeline.js';
import { RecognizerFeed } from './recognizer-feed.js';
import { traceFallback } from './responder.js';

export interface SttStageOptions {
  readonly stt: SpeechToText;
  readonly format: AudioFormat;
  readonly language: string;
  readonly endpointingMs: number;
  readonly utteranceEndMs: number;
  readonly keyterms: readonly string[];
  readonly turns: TurnCounter;
}

/** An inbound `audio.mark` every this many seconds of caller audio: ties stream offsets to wall time. */
const INBOUND_MARK_SEC = 5;
/** Caller audio kept while the recogniser connects (the greeting is playing meanwhile). */
const PENDING_SEC = 10;
/** Margin on the recogniser's own silence windows during which audio after speech goes out frame by frame. */
const HANGOVER_MARGIN_MS = 250;

/** The STT stage plus its audio entry point. */
export interface SttStage extends Stage {
  /**
   * Hands one frame of caller audio (arrived at monotonic `at`) straight to the recogniser, off the
   * frame channels: the 20 ms path allocates nothing but what the carrier decoded. Audio that
   * arrives before the recogniser is connected waits (bounded); after the stage ends it is ignored.
   */
  pushAudio(data: Uint8Array, at: number): void;
}

/**
 * Caller audio → speech events. Audio goes to the recogniser through `pushAudio` (or as `audio`
 * frames in the input), without copying; every other input frame passes through. Recogniser
 * events become `speech-started`, `transcript` and `utterance-end` frames; transcripts are stamped
 * with when the caller's last word ended, read off the audio clock (word times are offsets in the
 * audio stream).
 */
export function createSttStage(options: SttStageOptions): SttStage {
  const clock = new AudioClock(bytesPerSecond(options.format));
  const pendingLimit = bytesPerSecond(options.format) * PENDING_SEC;
  let pending: Uint8Array[] | undefined = [];
  let pendingBytes = 0;
  let session: SpeechToTextSession | undefined;
  const feed = new RecognizerFeed({
    format: options.format,
    send: (chunk) => session?.push(chunk),
    hangoverMs: Math.max(options.endpointingMs, options.utteranceEndMs) + HANGOVER_MARGIN_MS,
  });
  let trace: StageContext['trace'] | undefined;
  let nextInboundMark = 0;
  let ended = false;

  const pushAudio = (data: Uint8Array, at: number) => {
    if (ended) return;
    clock.push(data.byteLength, at);
    if (session) feed.push(data, at);
    else if (pending) {
      pending.push(data);
      pendingBytes += data.byteLength;
      while (pendingBytes > pendingLimit && pending.length > 1) pendingBytes -= pending.shift()!.byteLength;
    }
    if (trace && clock.seconds >= nextInboundMark) {
      trace.emit(
        'audio.mark',
        options.turns.current,
        { direction: 'in', sec: Math.round(clock.seconds * 1000) / 1000 },
        at,
      );
      nextInboundMark += INBOUND_MARK_SEC;
    }
  };

  return {
    name: 'stt',
    pushAudio,
    async *run(input, ctx) {
      trace = ctx.trace;
      const transcripts: TranscriptTracking = { lastInterim: '' };
      let opened: SpeechToTextSession;
      try {
        opened = await options.stt.open({
          format: options.format,
          language: options.language,
          endpointingMs: options.endpointingMs,
          utteranceEndMs: options.utteranceEndMs,
          keyterms: options.keyterms,
          signal: ctx.signal,
        });
      } catch (error) {
        ended = true;
        pending = undefined;
        throw error;
      }
      for (const chunk of pending ?? []) opened.push(chunk);
      pending = undefined;
      session = opened;
      const pump = async (emit: Emit) => {
        try {
          for await (const f of input) {
            if (f.type === 'audio') {
              pushAudio(f.data, f.at);
            } else {
              if (f.type === 'end') {
                feed.flush();
                opened.finalize();
              }
              const wait = emit(f);
              if (wait) await wait;
            }
          }
        } finally {
          ended = true;
          feed.flush();
          await opened.close();
        }
      };
      const events = async (emit: Emit) => {
        for await (const event of opened.events) {
          steer(feed, event);
          const f = toFrame(event, options.turns.current, ctx, clock, transcripts);
          if (!f) continue;
          const wait = emit(f);
          if (wait) await wait;
        }
      };
      yield* fanIn([pump, events]);
    },
  };
}

/** The recogniser's view of the caller's speech decides how promptly audio must reach it. */
function steer(feed: RecognizerFeed, event: SpeechToTextEvent): void {
  if (event.type === 'speech-started') feed.speechActive();
  else if (event.type === 'utterance-end') feed.speechEnded();
  else if (event.type === 'transcript') {
    if (event.final && event.speechFinal) feed.speechEnded();
    else if (!event.final && event.text !== '') feed.speechActive();
  }
}

interface TranscriptTracking {
  /** The last interim traced, so repeats of the same words are not traced again. */
  lastInterim: string;
}

function toFrame(
  event: SpeechToTextEvent,
  turnId: number,
  ctx: StageContext,
  clock: AudioClock,
  tracking: TranscriptTracking,
): Frame | undefined {
  const at = performance.now();
  switch (event.type) {
    case 'speech-started':
      return { type: 'speech-started', turnId, at };
    case 'transcript': {
      const hasWords = event.text !== '';
      const speechEndAt = hasWords ? clock.monoAt(event.endSec) : undefined;
      if (event.final) {
        tracking.lastInterim = '';
        if (hasWords) {
          ctx.trace.emit('transcript.final', turnId, {
            text: event.text,
            confidence: event.confidence,
            startSec: event.startSec,
            endSec: event.endSec,
            speechFinal: event.speechFinal,
          });
        }
      } else if (hasWords && event.text !== tracking.lastInterim) {
        tracking.lastInterim = event.text;
        ctx.trace.emit('transcript.interim', turnId, { text: event.text, endSec: event.endSec });
      }
      return {
        type: 'transcript',
        turnId,
        at,
        text: event.text,
        final: event.final,
        speechFinal: event.speechFinal,
        speechSec: Math.max(0, event.endSec - event.startSec),
        ...(speechEndAt === undefined ? {} : { speechEndAt }),
      };
    }
    case 'utterance-end':
      return { type: 'utterance-end', turnId, at };
    case 'fallback':
      traceFallback(ctx, turnId, 'stt', event);
      return undefined;
    case 'reconnected':
      ctx.trace.emit('stt.reconnected', turnId, { attempt: event.attempt, resentBytes: event.resentBytes });
      ctx.metrics.increment('stt_reconnects_total');
      return undefined;
  }
}
