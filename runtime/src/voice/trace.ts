/**
 * Every step of a call leaves a trace event. The loop calls `TraceSink.emit` synchronously and
 * never awaits it: the sink (a batched database writer, the live-events fan-out) must queue.
 */
export type TraceEventType =
  | 'call.started'
  | 'call.ended'
  | 'greeting.started'
  | 'speech.started'
  | 'speech.ignored'
  | 'transcript.interim'
  | 'transcript.final'
  | 'turn.started'
  | 'turn.ended'
  | 'turn.metrics'
  | 'llm.request'
  | 'llm.first_token'
  | 'llm.completed'
  | 'tool.called'
  | 'tool.progress'
  | 'tool.result'
  | 'tool.confirmation'
  | 'tts.started'
  | 'tts.first_audio'
  | 'tts.done'
  | 'audio.mark'
  | 'interruption'
  | 'interruption.false'
  | 'audio.cleared'
  | 'silence.reprompt'
  | 'dtmf'
  | 'dtmf.sent'
  | 'stt.reconnected'
  | 'fallback'
  | 'error';

export interface TraceEvent {
  readonly type: TraceEventType;
  /** Wall-clock epoch milliseconds, derived from a monotonic clock so events never go back. */
  readonly at: number;
  /** 0 for the greeting, then one per caller turn. */
  readonly turnId: number;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface TraceSink {
  emit(event: TraceEvent): void;
}

export const noopTraceSink: TraceSink = { emit() {} };

/** Stamps events for one call. `wallClock(mono)` converts a `performance.now()` reading. */
export class Tracer {
  private readonly wallOrigin = Date.now();
  private readonly monoOrigin = performance.now();

  constructor(private readonly sink: TraceSink) {}

  wallClock(mono: number): number {
    return Math.round(this.wallOrigin + (mono - this.monoOrigin));
  }

  emit(
    type: TraceEventType,
    turnId: number,
    data: Record<string, unknown> = {},
    mono = performance.now(),
  ): void {
    try {
      this.sink.emit({ type, at: this.wallClock(mono), turnId, data });
    } catch {
      // A failing trace store must never take a call down; the sink reports its own errors.
    }
  }
}

/** Keeps events in memory; used by tests and `vrm chat --trace`. */
export class MemoryTraceSink implements TraceSink {
  readonly events: TraceEvent[] = [];
  emit(event: TraceEvent): void {
    this.events.push(event);
  }
  ofType(type: TraceEventType): TraceEvent[] {
    return this.events.filter((e) => e.type === type);
  }
}
