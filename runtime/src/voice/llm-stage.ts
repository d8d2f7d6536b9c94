import type { VoiceAgentConfig } from './config.js';
import type { Frame } from './frames.js';
import type { GenerationControl } from './generations.js';
import type { Stage } from './pipeline.js';
import type { Generation, Responder, ResponderEvent } from './responder.js';
import type { TurnMetricsRecorder } from './turn-metrics.js';

export interface LlmStageOptions {
  readonly config: VoiceAgentConfig;
  readonly responder: Responder;
  readonly generations: GenerationControl;
  /** Cache key for the greeting's audio (agent version + voice + format), when caching is on. */
  readonly greetingCacheKey?: string;
  readonly turnMetrics?: TurnMetricsRecorder;
}

/** How a keypad entry reads in the conversation. */
export function keypadText(digits: string): string {
  return `[keypad] ${digits}`;
}

/**
 * Caller turns → agent speech. Speaks the greeting first, then answers each `end-of-turn` through
 * the responder (model + tools), re-prompts on `silence`, repeats unheard text on `resume`, and
 * says the closing line before a max-duration `end`. Replies run one at a time; a barge-in aborts
 * the running one through its generation signal, so the next frame is read promptly.
 */
export function createLlmStage(options: LlmStageOptions): Stage {
  const { config, responder, generations } = options;
  const tt = config.turnTaking;

  async function* speak(
    events: AsyncIterable<ResponderEvent> | Iterable<ResponderEvent>,
    g: Generation,
    extra: { cacheKey?: string } = {},
  ): AsyncGenerator<Frame> {
    let first = true;
    let end: Extract<ResponderEvent, { type: 'end' }> | undefined;
    const { turnId, generationId } = g;
    try {
      for await (const e of events) {
        if (g.signal.aborted) break;
        const at = performance.now();
        if (e.type === 'speech') {
          yield {
            type: 'text',
            turnId,
            at,
            generationId,
            text: e.text,
            final: false,
            ...(first && extra.cacheKey ? { cacheKey: extra.cacheKey } : {}),
          };
          first = false;
        } else if (e.type === 'tool-call') {
          const { id, name, arguments: args } = e.call;
          yield { type: 'tool-call', turnId, at, generationId, callId: id, name, arguments: args };
        } else if (e.type === 'tool-result') {
          const { ok, content } = e.outcome;
          yield {
            type: 'tool-result',
            turnId,
            at,
            generationId,
            callId: e.call.id,
            name: e.call.name,
            ok,
            content,
          };
        } else if (e.type === 'dtmf') {
          yield { type: 'send-dtmf', turnId, at, generationId, digits: e.digits };
        } else if (e.type === 'end') {
          end = e;
        }
      }
    } finally {
      generations.finish(generationId);
    }
    if (g.signal.aborted) return;
    // The final (empty) piece closes the TTS context so the last audio is flushed.
    yield { type: 'text', turnId, at: performance.now(), generationId, text: '', final: true };
    if (end) {
      // The session traces `call.ended` (with the reason) once the goodbye has played.
      yield { type: 'end', turnId, at: performance.now(), reason: end.reason, transferTo: end.transferTo };
    }
  }

  return {
    name: 'llm',
    async *run(input, ctx) {
      if (config.greeting) {
        const g = generations.start(0);
        ctx.trace.emit('greeting.started', 0, { text: config.greeting });
        yield* speak(responder.say(config.greeting, g), g, { cacheKey: options.greetingCacheKey });
      }
      for await (const f of input) {
        switch (f.type) {
          case 'end-of-turn': {
            const g = generations.start(f.turnId);
            options.turnMetrics?.replyStarted(f.turnId, g.generationId);
            ctx.metrics.increment('turns_total');
            const text = f.source === 'dtmf' ? keypadText(f.text) : f.text;
            yield* speak(responder.reply(text, g), g);
            break;
          }
          case 'silence': {
            const g = generations.start(f.turnId);
            if (f.count <= tt.maxReprompts) {
              yield* speak(responder.say(tt.repromptText, g), g);
            } else {
              yield* speak(responder.say(tt.silenceGoodbye, g), g);
              yield { type: 'end', turnId: f.turnId, at: performance.now(), reason: 'silence' };
            }
            break;
          }
          case 'resume': {
            const g = generations.start(f.turnId);
            yield* speak(responder.say(f.text, g), g);
            break;
          }
          case 'end': {
            if (f.reason === 'max-duration') {
              const g = generations.start(f.turnId);
              yield* speak(responder.say(config.maxDurationMessage, g), g);
            }
            yield f;
            return;
          }
          default:
            yield f;
        }
      }
    },
  };
}
