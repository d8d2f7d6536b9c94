import { describe, expect, it } from 'vitest';
import { TurnTakingSchema } from './config.js';
import type { Frame } from './frames.js';
import { GenerationControl, TurnCounter } from './generations.js';
import { MemoryTraceSink, Tracer } from './trace.js';
import { TurnTaker, type TurnTimers } from './turn-taking.js';

/** Timers fired by the test instead of the clock. */
class ManualTimers implements TurnTimers {
  readonly pending = new Map<string, () => void>();
  set(kind: string, _ms: number, fire: () => void) {
    this.pending.set(kind, fire);
  }
  clear(kind: string) {
    this.pending.delete(kind);
  }
  clearAll() {
    this.pending.clear();
  }
  fire(kind: string) {
    const f = this.pending.get(kind);
    if (!f) throw new Error(`no ${kind} timer armed`);
    this.pending.delete(kind);
    f();
  }
}

function setup(overrides: Partial<ReturnType<typeof TurnTakingSchema.parse>> = {}) {
  const out: Frame[] = [];
  const timers = new ManualTimers();
  const generations = new GenerationControl(new AbortController().signal);
  const taker = new TurnTaker({
    config: { ...TurnTakingSchema.parse({}), ...overrides },
    generations,
    turns: new TurnCounter(),
    trace: new Tracer(new MemoryTraceSink()),
    timers,
    out: (f) => out.push(f),
    maxDurationMs: 60_000,
  });
  taker.start();
  const at = 0;
  const transcript = (text: string, final: boolean, speechSec: number, speechFinal = final): Frame => ({
    type: 'transcript',
    turnId: 0,
    at,
    text,
    final,
    speechFinal,
    speechSec,
  });
  const playing = (generationId: number) =>
    taker.handle({ type: 'playback', turnId: 0, at, state: 'started', generationId });
  return { taker, out, timers, generations, transcript, playing };
}

const types = (frames: Frame[]) => frames.map((f) => f.type);

describe('TurnTaker', () => {
  it('ends the turn on endpointing with the final words', () => {
    const { taker, out, transcript } = setup();
    taker.handle(transcript('book a', false, 0.4));
    taker.handle(transcript('Book a visit', true, 0.9, false));
    taker.handle(transcript('for Tuesday.', true, 0.6, true));
    expect(out).toMatchObject([
      { type: 'end-of-turn', text: 'Book a visit for Tuesday.', turnId: 1, source: 'speech' },
    ]);
  });

  it('interrupts the agent only after enough recognised speech', () => {
    const { taker, out, generations, transcript, playing } = setup({ minInterruptionMs: 500 });
    const g = generations.start(0);
    generations.finish(g.generationId);
    playing(g.generationId);
    taker.handle(transcript('mm', false, 0.2));
    expect(types(out)).toEqual([]);
    taker.handle(transcript('wait a second', false, 0.7));
    expect(out).toMatchObject([{ type: 'interrupt', generationId: g.generationId }]);
    expect(g.signal.aborted).toBe(true);
  });

  it('resumes the unheard reply when an interruption brings no words', () => {
    const { taker, out, generations, timers, transcript, playing } = setup({ minInterruptionMs: 0 });
    const g = generations.start(0);
    playing(g.generationId);
    taker.handle(transcript('uh', false, 0.3));
    taker.noteUnheard('we close at five.');
    // The recogniser revises the noise away: no words in the end.
    taker.handle(transcript('', true, 0, true));
    timers.fire('false-interruption');
    expect(types(out)).toEqual(['interrupt', 'resume']);
    expect(out[1]).toMatchObject({ text: 'we close at five.' });
  });

  it('does not resume when the caller really spoke', () => {
    const { taker, out, generations, timers, transcript, playing } = setup({ minInterruptionMs: 0 });
    playing(generations.start(0).generationId);
    taker.handle(transcript('actually', false, 0.4));
    taker.noteUnheard('the rest');
    taker.handle(transcript('Actually, cancel it.', true, 1.1, true));
    expect(timers.pending.has('false-interruption')).toBe(false);
    expect(types(out)).toEqual(['interrupt', 'end-of-turn']);
  });

  it('cancels a reply still being written when the caller keeps talking', () => {
    const { taker, out, generations, transcript } = setup();
    const g = generations.start(1);
    taker.handle(transcript('and also', false, 0.3));
    expect(out).toMatchObject([{ type: 'interrupt', generationId: g.generationId }]);
  });

  it('re-prompts after silence once the agent stopped speaking, then asks to end', () => {
    const { taker, out, timers, generations } = setup();
    const g = generations.start(0);
    generations.finish(g.generationId);
    taker.handle({ type: 'playback', turnId: 0, at: 0, state: 'stopped', generationId: g.generationId });
    timers.fire('silence');
    expect(out).toMatchObject([{ type: 'silence', count: 1 }]);
  });

  it('ends the call at the maximum duration', () => {
    const { out, timers } = setup();
    timers.fire('max-duration');
    expect(out.at(-1)).toMatchObject({ type: 'end', reason: 'max-duration' });
  });

  it('collects keypad digits into one turn', () => {
    const { taker, out, timers } = setup();
    taker.handle({ type: 'dtmf', turnId: 0, at: 0, digit: '1' });
    taker.handle({ type: 'dtmf', turnId: 0, at: 0, digit: '2' });
    timers.fire('dtmf');
    expect(out).toMatchObject([{ type: 'end-of-turn', text: '12', source: 'dtmf' }]);
  });
});
