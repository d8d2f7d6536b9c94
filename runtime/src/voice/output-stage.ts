import { bytesPerSecond, type Telephony } from '../providers/types.js';
import type { Conversation } from './conversation.js';
import type { EndFrame, Frame } from './frames.js';
import type { Stage, StageContext } from './pipeline.js';
import { PlaybackTracker } from './playback.js';
import type { TurnMetricsRecorder } from './turn-metrics.js';

export interface OutputStageOptions {
  readonly telephony: Telephony;
  readonly conversation: Conversation;
  /** Extra wait for the carrier's last mark echo before hanging up anyway. */
  readonly drainGraceMs?: number;
  /** Told when the agent side starts ending the call, before the carrier hangs up. */
  readonly onEnding?: (end: EndFrame) => void;
  /** Told when each reply's first audio goes out (voice-to-voice latency). */
  readonly turnMetrics?: TurnMetricsRecorder;
}

/**
 * Agent audio → the carrier. Sends audio as it arrives with marks (one a second and one at the
 * end of each reply), reports playback start/stop upstream, and on `interrupt` clears the
 * carrier's buffer and cuts the conversation to what the caller heard. On `end` it lets the last
 * words play, then hangs up or transfers.
 */
export function createOutputStage(options: OutputStageOptions): Stage {
  const { telephony, conversation } = options;
  const grace = options.drainGraceMs ?? 1500;
  return {
    name: 'output',
    async *run(input, ctx) {
      const tracker = new PlaybackTracker(bytesPerSecond(telephony.outputFormat));
      let audibleGeneration = 0;
      let lostMarkTimer: NodeJS.Timeout | undefined;

      const stopped = (generationId: number, unheard?: string) => {
        audibleGeneration = 0;
        clearTimeout(lostMarkTimer);
        ctx.notify({
          type: 'playback',
          turnId: 0,
          at: performance.now(),
          state: 'stopped',
          generationId,
          unheard,
        });
      };
      // A carrier that never echoes the last mark must not leave the agent "speaking" forever.
      const watchLastMark = (generationId: number) => {
        clearTimeout(lostMarkTimer);
        lostMarkTimer = setTimeout(
          () => {
            if (audibleGeneration === generationId) {
              conversation.settle(generationId);
              stopped(generationId);
            }
          },
          Math.max(0, tracker.drainsAt - performance.now()) + grace,
        );
      };

      const it = input[Symbol.asyncIterator]();
      try {
        for (;;) {
          const next = await it.next();
          if (next.done) return;
          const f = next.value;
          switch (f.type) {
            case 'text':
              tracker.onText(f.generationId, f.text);
              break;
            case 'tts-audio': {
              const now = performance.now();
              const { first, mark } = tracker.onAudio(f.generationId, f.data.byteLength, now);
              telephony.sendAudio(f.data);
              if (mark) telephony.sendMark(mark);
              if (first) onFirstAudio(f.generationId, f.turnId, now);
              break;
            }
            case 'tts-words':
              tracker.onWords(f.generationId, f.endSec);
              break;
            case 'tts-done':
              telephony.sendMark(tracker.onDone(f.generationId));
              if (audibleGeneration === f.generationId) watchLastMark(f.generationId);
              break;
            case 'mark': {
              const now = performance.now();
              const playedSec = markPosition(f.name, tracker, now);
              const { finished } = tracker.onMark(f.name, now);
              ctx.trace.emit(
                'audio.mark',
                f.turnId,
                playedSec === undefined
                  ? { direction: 'out', name: f.name, cleared: true }
                  : { direction: 'out', name: f.name, playedSec },
                now,
              );
              if (finished !== undefined) {
                conversation.settle(finished);
                if (finished === audibleGeneration && !tracker.pendingEnd()) stopped(finished);
              }
              break;
            }
            case 'interrupt':
              interrupt(f.generationId);
              yield f;
              break;
            case 'end':
              yield* finish(f, it);
              return;
            default:
              yield f;
          }
        }
      } finally {
        clearTimeout(lostMarkTimer);
      }

      function onFirstAudio(generationId: number, turnId: number, now: number): void {
        audibleGeneration = generationId;
        ctx.notify({ type: 'playback', turnId, at: now, state: 'started', generationId });
        options.turnMetrics?.firstAudioSent(generationId, now);
      }

      function interrupt(upTo: number): void {
        const now = performance.now();
        const wasAudible = audibleGeneration !== 0 || tracker.audible(now);
        const heard = tracker.interrupt(upTo, now);
        const unheard = conversation.interrupt(upTo, (id) => heard.get(id) ?? 0);
        ctx.metrics.increment('interruptions_total');
        if (!wasAudible) return;
        telephony.clear();
        ctx.trace.emit('audio.cleared', 0, { heardWords: Object.fromEntries(heard), unheard }, now);
        stopped(audibleGeneration || upTo, unheard);
      }

      async function* finish(end: EndFrame, iterator: AsyncIterator<Frame>): AsyncGenerator<Frame> {
        // Keep reading marks until the goodbye has played (or the estimate says it must have).
        const deadline = () => Math.max(0, tracker.drainsAt - performance.now()) + grace;
        while (end.reason !== 'caller-hangup' && tracker.pendingEnd() && !ctx.signal.aborted) {
          let timer: NodeJS.Timeout | undefined;
          const timeout = new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), deadline());
          });
          const next = await Promise.race([iterator.next(), timeout]);
          clearTimeout(timer);
          if (next === 'timeout' || next.done) break;
          if (next.value.type === 'mark') tracker.onMark(next.value.name, performance.now());
        }
        options.onEnding?.(end);
        await hangUp(end, ctx);
        yield end;
      }

      async function hangUp(end: EndFrame, context: StageContext): Promise<void> {
        if (end.reason === 'caller-hangup') return;
        try {
          if (end.reason === 'transfer' && end.transferTo) await telephony.transfer(end.transferTo);
          else await telephony.hangUp();
        } catch (error) {
          context.log.warn(
            { err: error instanceof Error ? error.message : String(error) },
            'carrier hang-up failed',
          );
        }
      }
    },
  };
}

/**
 * Seconds of its reply a mark echo stands for, or undefined when the mark belongs to a reply that
 * was interrupted (the carrier echoes pending marks on `clear`) or is not one of ours.
 */
function markPosition(name: string, tracker: PlaybackTracker, now: number): number | undefined {
  const colon = name.indexOf(':');
  if (colon < 0) return undefined;
  const generationId = Number(name.slice(0, colon));
  if (!tracker.has(generationId)) return undefined;
  return Math.round(tracker.playedSec(generationId, now) * 1000) / 1000;
}
