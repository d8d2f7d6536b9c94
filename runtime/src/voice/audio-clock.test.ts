import { describe, expect, it } from 'vitest';
import { AudioClock } from './audio-clock.js';

describe('AudioClock', () => {
  it('places a stream offset at the arrival of its frame, less the rest of that frame', () => {
    const clock = new AudioClock(8000);
    // 20 ms frames of 160 bytes arriving every 20 ms from t = 1000.
    for (let i = 0; i < 10; i++) clock.push(160, 1000 + i * 20);
    expect(clock.seconds).toBeCloseTo(0.2);
    // 0.1 s is the end of frame 5 (arrived at 1080).
    expect(clock.monoAt(0.1)).toBeCloseTo(1080);
    // 0.11 s is half way into frame 6 (arrived at 1100): spoken 10 ms before it arrived.
    expect(clock.monoAt(0.11)).toBeCloseTo(1090);
    expect(clock.monoAt(0)).toBeCloseTo(980);
  });

  it('knows nothing about audio it never received or has forgotten', () => {
    const clock = new AudioClock(8000, 4);
    expect(clock.monoAt(0)).toBeUndefined();
    for (let i = 0; i < 6; i++) clock.push(160, i * 20);
    expect(clock.monoAt(0.5)).toBeUndefined();
    expect(clock.monoAt(0.01)).toBeUndefined();
    expect(clock.monoAt(0.1)).toBeCloseTo(80);
  });
});
