import { describe, expect, it } from 'vitest';
import { type ClockTimers, FrameClock } from './frame-clock.js';

/** Manual time: `advance` fires due timers in order, each at its own time, as a real loop would. */
function manualTimers(): ClockTimers & { advance(ms: number): void; pending(): number; wakeUps: number } {
  let now = 0;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const manual = {
    wakeUps: 0,
    now: () => now,
    setTimeout(callback: () => void, ms: number) {
      const id = nextId++;
      // Node waits at least 1 ms.
      timers.set(id, { at: now + Math.max(1, ms), callback });
      return id;
    },
    clearTimeout(handle: unknown) {
      timers.delete(handle as number);
    },
    pending: () => timers.size,
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = [...timers.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!next || next[1].at > end) break;
        timers.delete(next[0]);
        now = Math.max(now, next[1].at);
        manual.wakeUps++;
        next[1].callback();
      }
      now = end;
    },
  };
  return manual;
}

function recorder(timers: ReturnType<typeof manualTimers>, log: Array<[string, number]>, name: string) {
  return () => log.push([name, timers.now()]);
}

describe('FrameClock', () => {
  it('ticks each member once per period from its own start, so members keep their phases', () => {
    const timers = manualTimers();
    const clock = new FrameClock(20, { timers });
    const log: Array<[string, number]> = [];
    clock.add(recorder(timers, log, 'a'));
    timers.advance(5);
    clock.add(recorder(timers, log, 'b'));
    timers.advance(12);
    clock.add(recorder(timers, log, 'c'));
    timers.advance(100);
    expect(log.filter(([n]) => n === 'a').map(([, t]) => t)).toEqual([20, 40, 60, 80, 100]);
    expect(log.filter(([n]) => n === 'b').map(([, t]) => t)).toEqual([25, 45, 65, 85, 105]);
    expect(log.filter(([n]) => n === 'c').map(([, t]) => t)).toEqual([37, 57, 77, 97, 117]);
    // Spread over the period: never two members in one wake-up.
    expect(timers.wakeUps).toBe(log.length);
  });

  it('never ticks early, and a late member catches up one tick per wake-up', () => {
    const timers = manualTimers();
    const clock = new FrameClock(20, { timers });
    const ticks: number[] = [];
    const entry = clock.add(() => {
      ticks.push(timers.now());
      // The first tick blocks the process for 70 ms.
      if (ticks.length === 1) timers.advance(70);
    });
    timers.advance(200);
    for (const [i, t] of ticks.entries()) expect(t).toBeGreaterThanOrEqual((i + 1) * 20);
    // Due at 40, 60 and 80 while blocked: sent 1 ms apart after the stall, not in one burst.
    expect(ticks.slice(0, 5)).toEqual([20, 91, 92, 93, 100]);
    // Scheduled against the start: the average rate is unchanged.
    expect(entry.ticks).toBe(10);
    expect(ticks).toHaveLength(10);
  });

  it('wakes at most every minIntervalMs, ticking together the members due in between', () => {
    const timers = manualTimers();
    const clock = new FrameClock(20, { timers, minIntervalMs: 2 });
    const log: number[] = [];
    for (let i = 0; i < 20; i++) {
      clock.add(() => log.push(timers.now()));
      timers.advance(1);
    }
    const wakeUpsBefore = timers.wakeUps;
    const ticksBefore = log.length;
    timers.advance(200);
    // 20 members, one due every ms: 10 wake-ups per period, each ticking two members.
    expect(log.length - ticksBefore).toBe(200);
    expect(timers.wakeUps - wakeUpsBefore).toBe(100);
  });

  it('stops a removed member, also from inside a tick, and leaves no timer once empty', () => {
    const timers = manualTimers();
    const clock = new FrameClock(20, { timers });
    let a = 0;
    let b = 0;
    const entryA = clock.add(() => {
      a++;
      if (a === 2) clock.remove(entryB);
    });
    const entryB = clock.add(() => b++);
    timers.advance(100);
    expect(a).toBe(5);
    expect(b).toBe(1);
    expect(clock.size).toBe(1);
    clock.remove(entryA);
    clock.remove(entryA);
    expect(clock.size).toBe(0);
    expect(timers.pending()).toBe(0);
    timers.advance(100);
    expect(a).toBe(5);
  });

  it('keeps every other member ticking when one tick throws', () => {
    const timers = manualTimers();
    const clock = new FrameClock(20, { timers });
    let ticks = 0;
    let thrown = false;
    clock.add(() => {
      if (thrown) return;
      thrown = true;
      throw new Error('boom');
    });
    clock.add(() => ticks++);
    expect(() => timers.advance(20)).toThrow('boom');
    timers.advance(40);
    expect(ticks).toBe(3);
  });
});
