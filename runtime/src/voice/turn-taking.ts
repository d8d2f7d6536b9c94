import type { TurnTakingConfig } from './config.js';
import { type Emit, fanIn } from './fan-in.js';
import type { EndReason, Frame } from './frames.js';
import type { GenerationControl, TurnCounter } from './generations.js';
import type { Stage } from './pipeline.js';
import { countWords } from './sentences.js';
import type { Tracer } from './trace.js';
import type { TurnMetricsRecorder } from './turn-metrics.js';

type TimerKind = 'silence' | 'false-interruption' | 'dtmf' | 'max-duration';

/** Timers behind an interface so tests fire them by hand instead of waiting. */
export interface TurnTimers {
  set(kind: TimerKind, ms: number, fire: () => void): void;
  clear(kind: TimerKind): void;
  clearAll(): void;
}

export function realTimers(): TurnTimers {
  const handles = new Map<TimerKind, NodeJS.Timeout>();
  return {
    set(kind, ms, fire) {
      clearTimeout(handles.get(kind));
      handles.set(
        kind,
        setTimeout(() => {
          handles.delete(kind);
          fire();
        }, ms),
      );
    },
    clear(kind) {
      clearTimeout(handles.get(kind));
      handles.delete(kind);
    },
    clearAll() {
      for (const h of handles.values()) clearTimeout(h);
      handles.clear();
    },
  };
}

export interface TurnTakerDeps {
  readonly config: TurnTakingConfig;
  readonly generations: GenerationControl;
  readonly turns: TurnCounter;
  readonly trace: Tracer;
  readonly timers: TurnTimers;
  /** Receives the frames the turn-taker decides on (end-of-turn, interrupt, silence, resume, end). */
  readonly out: (frame: Frame) => void;
  readonly maxDurationMs: number;
  /** Told when each caller turn ends, with when the caller's speech ended (turn latency figures). */
  readonly turnMetrics?: TurnMetricsRecorder;
}

/**
 * Decides whose turn it is from recogniser and playback events: when the caller has finished
 * (endpointing / utterance end), when they barge in (enough recognised speech while the agent is
 * audible), when an interruption was only noise (resume), when the line went quiet (re-prompt),
 * and when the call ran too long. Pure state plus timers: no I/O.
 */
export class TurnTaker {
  private finals = '';
  private interim = '';
  private speechSec = 0;
  /** When the last recognised word of the turn so far ended, and when its final transcript came. */
  private speechEndAt: number | undefined;
  private finalAt: number | undefined;
  private agentAudible = false;
  private unheard = '';
  private interruptedAt = 0;
  private reprompts = 0;
  private digits = '';
  private ended = false;

  constructor(private readonly deps: TurnTakerDeps) {}

  start(): void {
    const { timers, maxDurationMs } = this.deps;
    timers.set('max-duration', maxDurationMs, () => this.end('max-duration'));
  }

  stop(): void {
    this.deps.timers.clearAll();
  }

  handle(f: Frame): void {
    switch (f.type) {
      case 'speech-started':
        this.deps.timers.clear('silence');
        this.deps.trace.emit('speech.started', this.deps.turns.current);
        return;
      case 'transcript':
        if (f.text !== '' && (!this.agentAudible || this.deps.config.bargeIn)) {
          if (f.speechEndAt !== undefined) this.speechEndAt = f.speechEndAt;
          if (f.final) this.finalAt = f.at;
        }
        this.onTranscript(f.text, f.final, f.speechFinal, f.speechSec);
        return;
      case 'utterance-end':
        this.endOfUtterance();
        return;
      case 'playback':
        this.onPlayback(f.state, f.generationId);
        return;
      case 'dtmf':
        this.onDigit(f.digit);
        return;
      case 'end':
        this.stop();
        this.ended = true;
        this.deps.out(f);
        return;
      default:
        this.deps.out(f);
    }
  }

  /** The output reports what the caller did not hear of an interrupted reply. */
  noteUnheard(text: string): void {
    this.unheard = text;
  }

  private onTranscript(text: string, final: boolean, speechFinal: boolean, speechSec: number): void {
    const { config, timers } = this.deps;
    if (text !== '') timers.clear('silence');
    if (this.agentAudible && !config.bargeIn) {
      // Barge-in is off: what the caller says over the agent is not a turn.
      if (final && text !== '') this.deps.trace.emit('speech.ignored', this.deps.turns.current, { text });
      return;
    }
    if (final) {
      if (text !== '') {
        this.finals = this.finals === '' ? text : `${this.finals} ${text}`;
        this.speechSec += speechSec;
      }
      this.interim = '';
    } else {
      this.interim = text;
    }
    const heard = this.interim === '' ? this.finals : `${this.finals} ${this.interim}`;
    const words = countWords(heard);
    if (words > 0) timers.clear('false-interruption');
    if (words > 0 && config.bargeIn && (this.agentAudible || this.deps.generations.active)) {
      const sec = this.speechSec + (final ? 0 : speechSec);
      if (
        !this.agentAudible ||
        (words >= config.minInterruptionWords && sec * 1000 >= config.minInterruptionMs)
      ) {
        this.interrupt(this.agentAudible ? 'barge-in' : 'caller-continued');
      }
    }
    if (speechFinal) this.endOfUtterance();
  }

  private endOfUtterance(): void {
    const text = (this.interim === '' ? this.finals : `${this.finals} ${this.interim}`).trim();
    this.finals = '';
    this.interim = '';
    this.speechSec = 0;
    if (text === '') {
      this.armSilence();
      return;
    }
    this.emitTurn(text, 'speech');
  }

  private emitTurn(text: string, source: 'speech' | 'dtmf'): void {
    const { timers, turns, trace } = this.deps;
    timers.clear('false-interruption');
    timers.clear('silence');
    this.unheard = '';
    this.reprompts = 0;
    const turnId = turns.next();
    const at = performance.now();
    trace.emit('turn.ended', turnId, { text, source }, at);
    this.deps.turnMetrics?.turnEnded(
      turnId,
      source === 'speech'
        ? { decidedAt: at, speechEndAt: this.speechEndAt, finalAt: this.finalAt }
        : { decidedAt: at },
    );
    this.speechEndAt = undefined;
    this.finalAt = undefined;
    this.deps.out({ type: 'end-of-turn', turnId, at, text, source });
  }

  private interrupt(cause: 'barge-in' | 'caller-continued' | 'dtmf'): void {
    const { generations, trace, turns, config, timers } = this.deps;
    const generationId = generations.interrupt();
    trace.emit('interruption', turns.current, { generationId, cause });
    this.interruptedAt = performance.now();
    if (this.agentAudible && config.falseInterruptionTimeoutMs > 0 && cause !== 'dtmf') {
      timers.set('false-interruption', config.falseInterruptionTimeoutMs, () => this.resume());
    }
    this.agentAudible = false;
    this.deps.out({ type: 'interrupt', turnId: turns.current, at: this.interruptedAt, generationId });
  }

  /** The interruption produced no words: say again what the caller missed. */
  private resume(): void {
    const text = this.unheard;
    this.unheard = '';
    if (this.finals !== '' || this.interim !== '' || text === '') return;
    this.deps.trace.emit('interruption.false', this.deps.turns.current, { resumed: text });
    this.deps.out({ type: 'resume', turnId: this.deps.turns.current, at: performance.now(), text });
  }

  private onPlayback(state: 'started' | 'stopped', generationId: number): void {
    if (state === 'started') {
      this.agentAudible = true;
      this.deps.timers.clear('silence');
      return;
    }
    if (generationId < this.deps.generations.latest && this.deps.generations.active) return;
    this.agentAudible = false;
    if (!this.deps.generations.active) this.armSilence();
  }

  private armSilence(): void {
    const { config, timers } = this.deps;
    if (config.silenceTimeoutMs === 0 || this.agentAudible || this.deps.generations.active || this.ended)
      return;
    timers.set('silence', config.silenceTimeoutMs, () => {
      this.reprompts++;
      const turnId = this.deps.turns.current;
      this.deps.trace.emit('silence.reprompt', turnId, { count: this.reprompts });
      this.deps.out({ type: 'silence', turnId, at: performance.now(), count: this.reprompts });
    });
  }

  private onDigit(digit: string): void {
    const { timers, trace, turns, config, generations } = this.deps;
    trace.emit('dtmf', turns.current, { digit });
    timers.clear('silence');
    if (config.bargeIn && (this.agentAudible || generations.active)) this.interrupt('dtmf');
    this.digits += digit;
    if (digit === '#') {
      this.flushDigits();
      return;
    }
    timers.set('dtmf', config.dtmfTimeoutMs, () => this.flushDigits());
  }

  private flushDigits(): void {
    this.deps.timers.clear('dtmf');
    const digits = this.digits;
    this.digits = '';
    if (digits !== '') this.emitTurn(digits, 'dtmf');
  }

  private end(reason: EndReason): void {
    if (this.ended) return;
    this.ended = true;
    this.deps.timers.clearAll();
    const { generations, turns } = this.deps;
    const generationId = generations.interrupt();
    this.deps.out({ type: 'interrupt', turnId: turns.current, at: performance.now(), generationId });
    this.deps.out({ type: 'end', turnId: turns.current, at: performance.now(), reason });
  }
}

/** The turn-taking stage: wraps a `TurnTaker` with real timers; takes playback feedback. */
export function createTurnTakingStage(deps: Omit<TurnTakerDeps, 'out' | 'timers' | 'trace'>): Stage {
  return {
    name: 'turn-taking',
    feedback: true,
    async *run(input, ctx) {
      let emit: Emit | undefined;
      const taker = new TurnTaker({
        ...deps,
        trace: ctx.trace,
        timers: realTimers(),
        // Decisions are a few frames per turn; the fan-in channel never refuses control frames.
        out: (f) => void emit?.(f),
      });
      const pump = async (e: Emit) => {
        emit = e;
        taker.start();
        try {
          for await (const f of input) {
            if (f.type === 'playback' && f.state === 'stopped' && f.unheard) taker.noteUnheard(f.unheard);
            taker.handle(f);
            if (f.type === 'end') break;
          }
        } finally {
          taker.stop();
        }
      };
      yield* fanIn([pump]);
    },
  };
}
