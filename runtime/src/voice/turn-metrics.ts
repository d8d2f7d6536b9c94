import type { LoopMetrics } from './metrics.js';
import type { Tracer } from './trace.js';

/**
 * The latency figures of one caller turn, in milliseconds, as stored in the `turn.metrics` trace
 * event (the calls API and the analytics plugin read exactly these names). A figure is absent
 * when its stage did not run in the turn (a keypad turn has no speech; an interrupted reply may
 * never have produced audio).
 */
export interface TurnMetrics {
  /** End of the caller's last recognised word → the loop decided the turn was over. */
  endpointingMs?: number;
  /** End of the caller's last recognised word → the final transcript holding it arrived. */
  sttMs?: number;
  /** The reply's first model request → its first token (text or tool call). */
  llmTtftMs?: number;
  /** The reply's first text handed to the TTS → its first audio byte back. */
  ttsTtfbMs?: number;
  /** The caller stopped speaking (end of the last word) → the reply's first audio sent to the carrier. */
  voiceToVoiceMs?: number;
}

interface PendingTurn {
  readonly turnId: number;
  /** Monotonic ms when the caller's last word ended (undefined for keypad turns). */
  readonly speechEndAt: number | undefined;
  figures: TurnMetrics;
  generationId: number | undefined;
}

/**
 * Collects a turn's figures from the stages that see them and emits one `turn.metrics` event per
 * caller turn: when the reply's first audio goes out, or — for a turn that never got audio (the
 * caller spoke again, the call ended) — when the next turn ends or the call is over. Holds at
 * most the current turn and the one before it.
 */
export class TurnMetricsRecorder {
  private current: PendingTurn | undefined;

  constructor(
    private readonly trace: Tracer,
    private readonly metrics: LoopMetrics,
  ) {}

  /**
   * The caller's turn `turnId` ended at `decidedAt`. `speechEndAt` is when their last word ended
   * and `finalAt` when its final transcript arrived (monotonic ms; both absent for keypad turns).
   */
  turnEnded(turnId: number, at: { decidedAt: number; speechEndAt?: number; finalAt?: number }): void {
    this.flush();
    const figures: TurnMetrics = {};
    if (at.speechEndAt !== undefined) {
      figures.endpointingMs = nonNegative(at.decidedAt - at.speechEndAt);
      if (at.finalAt !== undefined) {
        figures.sttMs = nonNegative(at.finalAt - at.speechEndAt);
        this.metrics.observe('stt_final_lag_ms', figures.sttMs);
      }
    }
    this.current = { turnId, speechEndAt: at.speechEndAt, figures, generationId: undefined };
  }

  /** Reply `generationId` answers turn `turnId` (re-prompts and greetings answer no turn). */
  replyStarted(turnId: number, generationId: number): void {
    const turn = this.current;
    if (turn?.turnId === turnId && turn.generationId === undefined) turn.generationId = generationId;
  }

  /** A model request of turn `turnId` got its first token after `ms`; the turn's first one counts. */
  llmFirstToken(turnId: number, ms: number): void {
    const turn = this.current;
    if (turn?.turnId === turnId && turn.figures.llmTtftMs === undefined)
      turn.figures.llmTtftMs = nonNegative(ms);
  }

  /** The TTS gave the first audio of `generationId` `ms` after it got the first text. */
  ttsFirstAudio(generationId: number, ms: number): void {
    const turn = this.current;
    if (turn && turn.generationId === generationId && turn.figures.ttsTtfbMs === undefined) {
      turn.figures.ttsTtfbMs = nonNegative(ms);
    }
  }

  /** The first audio of `generationId` went to the carrier at `at` (monotonic ms). */
  firstAudioSent(generationId: number, at: number): void {
    const turn = this.current;
    if (!turn || turn.generationId !== generationId) return;
    if (turn.speechEndAt !== undefined) {
      turn.figures.voiceToVoiceMs = nonNegative(at - turn.speechEndAt);
      this.metrics.observe('turn_latency_ms', turn.figures.voiceToVoiceMs);
    }
    this.emit(turn, at);
  }

  /** Emits the figures of a turn still waiting for audio (the call is ending, or a new turn began). */
  flush(): void {
    const turn = this.current;
    if (turn) this.emit(turn, performance.now());
  }

  private emit(turn: PendingTurn, at: number): void {
    this.current = undefined;
    this.trace.emit('turn.metrics', turn.turnId, { ...turn.figures }, at);
  }
}

function nonNegative(ms: number): number {
  return Math.max(0, Math.round(ms));
}
