import {
  type AudioFormat,
  bytesPerSecond,
  type SpeechToText,
  type SpeechToTextEvent,
} from '../providers/types.js';
import { AudioClock } from './audio-clock.js';
import { type Emit, fanIn } from './fan-in.js';
import type { Frame } from './frames.js';
import type { TurnCounter } from './generations.js';
import type { Stage, StageContext } from './pipeline.js';
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

/**
 * Caller audio → speech events. Audio frames end here (pushed to the recogniser without copying);
 * every other frame passes through. Recogniser events become `speech-started`, `transcript` and
 * `utterance-end` frames; transcripts are stamped with when the caller's last word ended, read
 * off the audio clock (word times are offsets in the audio stream).
 */
export function createSttStage(options: SttStageOptions): Stage {
  return {
    name: 'stt',
    async *run(input, ctx) {
      const clock = new AudioClock(bytesPerSecond(options.format));
      let nextInboundMark = 0;
      const transcripts: TranscriptTracking = { lastInterim: '' };
      const session = await options.stt.open({
        format: options.format,
        language: options.language,
        endpointingMs: options.endpointingMs,
        utteranceEndMs: options.utteranceEndMs,
        keyterms: options.keyterms,
        signal: ctx.signal,
      });
      const pump = async (emit: Emit) => {
        try {
          for await (const f of input) {
            if (f.type === 'audio') {
              session.push(f.data);
              clock.push(f.data.byteLength, f.at);
              if (clock.seconds >= nextInboundMark) {
                ctx.trace.emit(
                  'audio.mark',
                  options.turns.current,
                  { direction: 'in', sec: Math.round(clock.seconds * 1000) / 1000 },
                  f.at,
                );
                nextInboundMark += INBOUND_MARK_SEC;
              }
            } else {
              if (f.type === 'end') session.finalize();
              const wait = emit(f);
              if (wait) await wait;
            }
          }
        } finally {
          await session.close();
        }
      };
      const events = async (emit: Emit) => {
        for await (const event of session.events) {
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
