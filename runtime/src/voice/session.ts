import { VrmError } from '../errors.js';
import { createLogger, type Logger } from '../kernel/logger.js';
import type {
  ChatMessage,
  LanguageModel,
  SpeechToText,
  Telephony,
  TextToSpeech,
} from '../providers/types.js';
import { parseVoiceAgentConfig, type VoiceAgentConfig, type VoiceAgentConfigInput } from './config.js';
import { Conversation } from './conversation.js';
import type { EndReason, Frame } from './frames.js';
import { GenerationControl, TurnCounter } from './generations.js';
import { type GreetingCache, greetingCacheKey } from './greeting-cache.js';
import { createLlmStage } from './llm-stage.js';
import { type LoopMetrics, noopMetrics } from './metrics.js';
import { createOutputStage } from './output-stage.js';
import { Pipeline } from './pipeline.js';
import { Responder } from './responder.js';
import { createSttStage } from './stt-stage.js';
import { noTools, type ToolExecutor } from './tools.js';
import { noopTraceSink, Tracer, type TraceSink } from './trace.js';
import { createTtsStage } from './tts-stage.js';
import { TurnMetricsRecorder } from './turn-metrics.js';
import { createTurnTakingStage } from './turn-taking.js';

export interface VoiceProviders {
  readonly stt: SpeechToText;
  readonly llm: LanguageModel;
  readonly tts: TextToSpeech;
}

export interface VoiceSessionOptions {
  readonly config: VoiceAgentConfigInput;
  readonly providers: VoiceProviders;
  readonly telephony: Telephony;
  readonly tools?: ToolExecutor;
  readonly trace?: TraceSink;
  /** Aborting it ends the call at once (no goodbye). */
  readonly signal?: AbortSignal;
  readonly log?: Logger;
  readonly metrics?: LoopMetrics;
  readonly greetingCache?: GreetingCache;
}

export interface CallSummary {
  readonly reason: EndReason;
  readonly transferTo?: string;
  readonly durationMs: number;
  /** Caller turns taken. */
  readonly turns: number;
  /** The conversation as the agent remembers it (interrupted replies cut to what was heard). */
  readonly messages: readonly ChatMessage[];
  readonly error?: VrmError;
}

export interface VoiceSession {
  /** Resolves when the call is over, however it ended. Never rejects. */
  readonly done: Promise<CallSummary>;
  /** Ends the call now, without a goodbye. */
  hangUp(): void;
  readonly config: VoiceAgentConfig;
}

/**
 * Runs one phone call: carrier audio → STT → turn-taking → LLM (+ tools) → TTS → carrier. The
 * caller hears the greeting first; the session ends when the caller hangs up, the agent ends or
 * transfers the call, the line stays silent, the maximum duration passes, or a stage fails.
 */
export function createVoiceSession(options: VoiceSessionOptions): VoiceSession {
  const config = parseVoiceAgentConfig(options.config);
  const { telephony, providers } = options;
  const log = (options.log ?? createLogger()).child({ agent: config.agentId });
  const metrics = options.metrics ?? noopMetrics;
  const trace = new Tracer(options.trace ?? noopTraceSink);
  const controller = new AbortController();
  const signal = options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal;
  const conversation = new Conversation(config.instructions);
  const generations = new GenerationControl(signal);
  const turns = new TurnCounter();
  const turnMetrics = new TurnMetricsRecorder(trace, metrics);
  const responder = new Responder({
    config,
    llm: providers.llm,
    tools: options.tools ?? noTools,
    conversation,
    trace,
    metrics,
    log,
    turnMetrics,
  });
  const cacheKey =
    options.greetingCache && config.greeting
      ? greetingCacheKey({
          agentId: config.agentId,
          agentVersion: config.agentVersion,
          provider: providers.tts.name,
          voice: config.voice,
          format: telephony.outputFormat,
          text: config.greeting,
        })
      : undefined;

  let ending: { reason: EndReason; transferTo?: string } | undefined;
  const stt = createSttStage({
    stt: providers.stt,
    format: telephony.inputFormat,
    language: config.language,
    endpointingMs: config.turnTaking.endpointingMs,
    utteranceEndMs: config.turnTaking.utteranceEndMs,
    keyterms: config.keyterms,
    turns,
  });
  const pipeline = new Pipeline(
    [
      stt,
      createTurnTakingStage({
        config: config.turnTaking,
        generations,
        turns,
        maxDurationMs: config.maxDurationSec * 1000,
        turnMetrics,
      }),
      createLlmStage({ config, responder, generations, greetingCacheKey: cacheKey, turnMetrics }),
      createTtsStage({
        tts: providers.tts,
        voice: config.voice,
        language: config.language,
        format: telephony.outputFormat,
        cache: options.greetingCache,
        turnMetrics,
      }),
      createOutputStage({
        telephony,
        conversation,
        turnMetrics,
        onEnding: (f) => {
          ending ??= { reason: f.reason, transferTo: f.transferTo };
        },
      }),
    ],
    {
      signal,
      log,
      metrics,
      trace,
      sink: (f: Frame) => {
        if (f.type === 'end') {
          ending ??= { reason: f.reason, transferTo: f.transferTo };
          // The goodbye has played and the carrier was told: tear the call down.
          controller.abort();
        }
      },
    },
  );

  const endByCaller = () => {
    if (ending) return;
    ending = { reason: 'caller-hangup' };
    generations.interrupt();
    void pipeline.push({
      type: 'end',
      turnId: turns.current,
      at: performance.now(),
      reason: 'caller-hangup',
    });
    pipeline.close();
  };

  // Caller audio is the 20 ms path: it goes from the carrier straight to the recogniser, not
  // through the frame channels (carriers without the fast path deliver it as events below).
  const onCallerAudio = (data: Uint8Array) => stt.pushAudio(data, performance.now());

  const pumpCarrier = async () => {
    telephony.onAudio?.(onCallerAudio);
    const events = telephony.events()[Symbol.asyncIterator]();
    // Stop reading the carrier when the call ends on our side.
    signal.addEventListener('abort', () => void events.return?.().catch(() => undefined), { once: true });
    try {
      for (;;) {
        const next = await events.next();
        if (next.done || signal.aborted) break;
        const event = next.value;
        if (event.type === 'audio') {
          onCallerAudio(event.data);
        } else if (event.type === 'mark') {
          pipeline.inject('output', {
            type: 'mark',
            turnId: turns.current,
            at: performance.now(),
            name: event.name,
          });
        } else if (event.type === 'dtmf') {
          void pipeline.push({
            type: 'dtmf',
            turnId: turns.current,
            at: performance.now(),
            digit: event.digit,
          });
        } else {
          break;
        }
      }
    } finally {
      telephony.onAudio?.(undefined);
      endByCaller();
    }
  };

  const started = performance.now();
  trace.emit('call.started', 0, {
    agentId: config.agentId,
    agentVersion: config.agentVersion,
    stt: providers.stt.name,
    llm: `${providers.llm.name}/${providers.llm.model}`,
    tts: providers.tts.name,
  });

  const done = (async (): Promise<CallSummary> => {
    void pumpCarrier().catch((error: unknown) => {
      log.warn({ err: error instanceof Error ? error.message : String(error) }, 'carrier stream failed');
    });
    let failure: VrmError | undefined;
    try {
      await pipeline.run();
    } catch (error) {
      failure =
        error instanceof VrmError
          ? error
          : new VrmError('call_failed', error instanceof Error ? error.message : String(error), {
              cause: error,
            });
      log.error({ err: failure.message, code: failure.code }, 'voice loop failed');
      metrics.increment('errors_total', { stage: 'pipeline' });
      trace.emit('error', turns.current, { stage: 'pipeline', code: failure.code, message: failure.message });
      if (!ending) await telephony.hangUp().catch(() => undefined);
    } finally {
      controller.abort();
    }
    const reason: EndReason = failure && !ending ? 'error' : (ending?.reason ?? 'caller-hangup');
    const durationMs = performance.now() - started;
    turnMetrics.flush();
    trace.emit('call.ended', turns.current, {
      reason,
      durationMs: Math.round(durationMs),
      ...(ending?.transferTo ? { transferTo: ending.transferTo } : {}),
    });
    return {
      reason,
      transferTo: ending?.transferTo,
      durationMs,
      turns: turns.current,
      messages: conversation.messages,
      error: failure,
    };
  })();

  return {
    done,
    config,
    hangUp: () => {
      ending ??= { reason: 'agent-hangup' };
      controller.abort();
    },
  };
}
