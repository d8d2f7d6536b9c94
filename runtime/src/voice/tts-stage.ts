import { VrmError } from '../errors.js';
import {
  type AudioFormat,
  bytesPerSecond,
  type TextToSpeech,
  type TextToSpeechContext,
} from '../providers/types.js';
import { dtmfTones } from './dtmf-tones.js';
import { type Emit, fanIn } from './fan-in.js';
import type { Frame } from './frames.js';
import type { GreetingCache } from './greeting-cache.js';
import type { Stage, StageContext } from './pipeline.js';
import { traceFallback } from './responder.js';
import type { TurnMetricsRecorder } from './turn-metrics.js';

export interface TtsStageOptions {
  readonly tts: TextToSpeech;
  readonly voice: string;
  readonly language: string;
  readonly format: AudioFormat;
  readonly cache?: GreetingCache;
  readonly turnMetrics?: TurnMetricsRecorder;
}

/** Keypad tones go out in pieces of this length, like TTS chunks (marks and clears stay precise). */
const DTMF_CHUNK_MS = 100;

/** One generation's synthesis: a provider context, or audio straight from the cache. */
interface Synthesis {
  readonly generationId: number;
  readonly turnId: number;
  readonly controller: AbortController;
  readonly context?: TextToSpeechContext;
  readonly cached?: readonly Uint8Array[];
  readonly cacheKey?: string;
  readonly createdAt: number;
  /** The last text pushed ended without whitespace. */
  endsInWord: boolean;
}

/** What the reader emits in order: synthesised audio, or an agent `end` that must follow it. */
type Job = Synthesis | { readonly end: Extract<Frame, { type: 'end' }> };

/**
 * Agent text → agent audio. One TTS context per generation receives the reply sentence by
 * sentence as continuations; audio is emitted generation after generation so replies never
 * interleave. An `interrupt` cancels the affected contexts at once. Text frames pass through so
 * the output knows what each generation says.
 */
export function createTtsStage(options: TtsStageOptions): Stage {
  return {
    name: 'tts',
    async *run(input, ctx) {
      // Connect now, while the greeting plays, so the first reply pays no handshake.
      options.tts.warmUp?.();
      const jobs: Job[] = [];
      let wake: (() => void) | undefined;
      let inputDone = false;
      let open: Synthesis | undefined;
      const notify = () => {
        const w = wake;
        wake = undefined;
        w?.();
      };

      const startJob = (f: Extract<Frame, { type: 'text' }>): Synthesis => {
        const controller = new AbortController();
        const signal = AbortSignal.any([controller.signal, ctx.signal]);
        const base = {
          generationId: f.generationId,
          turnId: f.turnId,
          controller,
          createdAt: performance.now(),
          endsInWord: false,
        };
        const cached = f.cacheKey ? options.cache?.get(f.cacheKey) : undefined;
        const job: Synthesis = cached
          ? { ...base, cached }
          : {
              ...base,
              cacheKey: f.cacheKey,
              context: options.tts.createContext({
                voice: options.voice,
                format: options.format,
                language: options.language,
                signal,
              }),
            };
        ctx.trace.emit('tts.started', f.turnId, { provider: options.tts.name, cached: Boolean(cached) });
        jobs.push(job);
        notify();
        return job;
      };

      /** The generation whose reply ended with keypad tones: its closing empty text needs no context. */
      let endedWithTones = 0;
      const pressKeys = (f: Extract<Frame, { type: 'send-dtmf' }>) => {
        // The speech before the keys is one synthesis; the tones play after it.
        if (open?.generationId === f.generationId) {
          open.context?.end();
          open = undefined;
        }
        endedWithTones = f.generationId;
        const tones = dtmfTones(f.digits, options.format);
        const chunks: Uint8Array[] = [];
        const step = Math.max(1, Math.round(bytesPerSecond(options.format) * (DTMF_CHUNK_MS / 1000)));
        for (let at = 0; at < tones.byteLength; at += step) chunks.push(tones.subarray(at, at + step));
        ctx.trace.emit('dtmf.sent', f.turnId, { digits: f.digits, generationId: f.generationId });
        jobs.push({
          generationId: f.generationId,
          turnId: f.turnId,
          controller: new AbortController(),
          cached: chunks,
          createdAt: performance.now(),
          endsInWord: false,
        });
        notify();
      };

      const pump = async (emit: Emit) => {
        try {
          for await (const f of input) {
            if (f.type === 'send-dtmf') {
              pressKeys(f);
            } else if (f.type === 'text' && f.final && f.text === '' && f.generationId === endedWithTones) {
              // The reply's last sound was its keys: nothing left to synthesise.
            } else if (f.type === 'text') {
              if (open?.generationId !== f.generationId) {
                open?.context?.end();
                open = startJob(f);
              }
              if (f.text !== '') {
                // Pieces from different sources (a filler, then the answer after a tool round)
                // arrive without the space between sentences that TTS needs to pause there.
                const spaced = open.endsInWord && !/^\s/.test(f.text) ? ` ${f.text}` : f.text;
                open.context?.push(spaced);
                open.endsInWord = !/\s$/.test(f.text);
              }
              if (f.final) {
                open.context?.end();
                open = undefined;
              }
            } else if (f.type === 'interrupt') {
              for (const job of jobs) {
                if ('generationId' in job && (f.generationId < 0 || job.generationId <= f.generationId))
                  cancel(job);
              }
              if (open && (f.generationId < 0 || open.generationId <= f.generationId)) open = undefined;
            } else if (f.type === 'end' && f.reason !== 'caller-hangup') {
              // The goodbye's audio goes out first.
              jobs.push({ end: f });
              notify();
              continue;
            }
            const wait = emit(f);
            if (wait) await wait;
          }
        } finally {
          inputDone = true;
          open?.context?.end();
          notify();
        }
      };

      const reader = async (emit: Emit) => {
        for (;;) {
          const job = jobs[0];
          if (!job) {
            if (inputDone) return;
            await new Promise<void>((resolve) => {
              wake = resolve;
            });
            continue;
          }
          if ('end' in job) {
            const wait = emit(job.end);
            if (wait) await wait;
          } else {
            await play(job, emit, ctx, options);
          }
          jobs.shift();
        }
      };

      yield* fanIn([pump, reader]);
    },
  };
}

function cancel(job: Synthesis): void {
  if (job.controller.signal.aborted) return;
  job.controller.abort();
  job.context?.cancel();
}

async function play(job: Synthesis, emit: Emit, ctx: StageContext, options: TtsStageOptions): Promise<void> {
  const { generationId, turnId } = job;
  const send = async (f: Frame) => {
    const wait = emit(f);
    if (wait) await wait;
  };
  let bytes = 0;
  const done = (outcome: 'completed' | 'cancelled' | 'failed') =>
    ctx.trace.emit('tts.done', turnId, {
      generationId,
      outcome,
      bytes,
      ms: Math.round(performance.now() - job.createdAt),
    });
  if (job.cached) {
    for (const data of job.cached) {
      if (job.controller.signal.aborted) return done('cancelled');
      bytes += data.byteLength;
      await send({ type: 'tts-audio', turnId, at: performance.now(), generationId, data });
    }
    done('completed');
    await send({ type: 'tts-done', turnId, at: performance.now(), generationId });
    return;
  }
  const context = job.context!;
  const keep: Uint8Array[] | undefined = job.cacheKey ? [] : undefined;
  let first = true;
  let failed = false;
  try {
    for await (const e of context.events) {
      if (job.controller.signal.aborted) break;
      const at = performance.now();
      if (e.type === 'audio') {
        if (first) {
          first = false;
          const ms = at - job.createdAt;
          ctx.metrics.observe('tts_first_audio_ms', ms, { provider: options.tts.name });
          ctx.trace.emit('tts.first_audio', turnId, { ms: Math.round(ms), generationId }, at);
          options.turnMetrics?.ttsFirstAudio(generationId, ms);
        }
        bytes += e.data.byteLength;
        keep?.push(e.data);
        await send({ type: 'tts-audio', turnId, at, generationId, data: e.data });
      } else if (e.type === 'words') {
        await send({ type: 'tts-words', turnId, at, generationId, words: e.words, endSec: e.endSec });
      } else {
        traceFallback(ctx, turnId, 'tts', e);
      }
    }
  } catch (error) {
    if (job.controller.signal.aborted || ctx.signal.aborted) return done('cancelled');
    failed = true;
    const err =
      error instanceof VrmError
        ? error
        : new VrmError('tts_failed', String(error), { cause: error, retryable: true });
    ctx.trace.emit('error', turnId, { stage: 'tts', code: err.code, message: err.message });
    ctx.metrics.increment('errors_total', { stage: 'tts' });
    await send({ type: 'error', turnId, at: performance.now(), error: err, fatal: false });
  }
  if (job.controller.signal.aborted) return done('cancelled');
  done(failed ? 'failed' : 'completed');
  if (!failed && keep && job.cacheKey && keep.length > 0) options.cache?.set(job.cacheKey, keep);
  await send({ type: 'tts-done', turnId, at: performance.now(), generationId });
}
