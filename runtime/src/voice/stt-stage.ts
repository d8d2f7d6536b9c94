import type { AudioFormat, SpeechToText, SpeechToTextEvent } from '../providers/types.js';
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

/**
 * Caller audio → speech events. Audio frames end here (pushed to the recogniser without copying);
 * every other frame passes through. Recogniser events become `speech-started`, `transcript` and
 * `utterance-end` frames.
 */
export function createSttStage(options: SttStageOptions): Stage {
  return {
    name: 'stt',
    async *run(input, ctx) {
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
            if (f.type === 'audio') session.push(f.data);
            else {
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
          const f = toFrame(event, options.turns.current, ctx);
          if (!f) continue;
          const wait = emit(f);
          if (wait) await wait;
        }
      };
      yield* fanIn([pump, events]);
    },
  };
}

function toFrame(event: SpeechToTextEvent, turnId: number, ctx: StageContext): Frame | undefined {
  const at = performance.now();
  switch (event.type) {
    case 'speech-started':
      return { type: 'speech-started', turnId, at };
    case 'transcript':
      if (event.final && event.text !== '') ctx.trace.emit('transcript.final', turnId, { text: event.text });
      return {
        type: 'transcript',
        turnId,
        at,
        text: event.text,
        final: event.final,
        speechFinal: event.speechFinal,
        speechSec: Math.max(0, event.endSec - event.startSec),
      };
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
