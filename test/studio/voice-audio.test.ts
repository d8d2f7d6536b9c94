import { describe, expect, it } from 'vitest';
import { CallProblem, closeProblem, microphoneProblem } from '../../studio/src/voice/call-problems.js';
import { PlaybackQueue } from '../../studio/src/voice/playback-queue.js';
import { floatToPcm16, Resampler } from '../../studio/src/voice/resampler.js';

const tone = (rate: number, hz: number, seconds: number, amplitude = 0.5) =>
  Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amplitude * Math.sin((2 * Math.PI * hz * i) / rate),
  );

const rms = (xs: ArrayLike<number>) => Math.sqrt(Array.from(xs).reduce((s, x) => s + x * x, 0) / xs.length);

/** Feeds `input` through `resampler` in render quanta of 128, as the worklet does. */
function resampleAll(resampler: Resampler, input: Float32Array): Float32Array {
  const out = new Float32Array(resampler.maxOutput(128));
  const all: number[] = [];
  for (let i = 0; i < input.length; i += 128) {
    const n = resampler.process(input.subarray(i, i + 128), out);
    for (let j = 0; j < n; j++) all.push(out[j]!);
  }
  return Float32Array.from(all);
}

describe('the microphone resampler', () => {
  it.each([48_000, 44_100])('turns %i Hz into exactly 16 kHz over a stream of render quanta', (rate) => {
    const out = resampleAll(new Resampler(rate, 16_000), tone(rate, 440, 2));
    expect(Math.abs(out.length - 32_000)).toBeLessThanOrEqual(1);
  });

  it('keeps speech-band tones and filters out most of what would fold back', () => {
    const speech = resampleAll(new Resampler(48_000, 16_000), tone(48_000, 1000, 1));
    // 1 kHz keeps its level (0.5 / √2 ≈ 0.354) …
    expect(rms(speech.subarray(100))).toBeGreaterThan(0.33);
    // … a 15 kHz tone, which would alias to 1 kHz, comes out far quieter.
    const alias = resampleAll(new Resampler(48_000, 16_000), tone(48_000, 15_000, 1));
    expect(rms(alias.subarray(100))).toBeLessThan(0.1);
  });

  it('upsamples by linear interpolation when the context runs below 16 kHz', () => {
    const out = resampleAll(
      new Resampler(8000, 16_000),
      Float32Array.from({ length: 800 }, (_, i) => i / 800),
    );
    expect(out.length).toBe(1600);
    expect(out[3]! - out[2]!).toBeCloseTo(out[5]! - out[4]!, 6);
  });

  it('clips floats to 16-bit PCM', () => {
    expect([floatToPcm16(2), floatToPcm16(-2), floatToPcm16(0), floatToPcm16(0.5)]).toEqual([
      32767, -32768, 0, 16384,
    ]);
  });
});

describe('the playback queue', () => {
  const second = () => new Int16Array(16_000).fill(1000);

  it('plays the queued audio at the output rate, then silence', () => {
    const queue = new PlaybackQueue(16_000, 48_000, 10);
    queue.write(new Int16Array(16).fill(16_384));
    const out = new Float32Array(128);
    queue.render(out, () => undefined);
    // 16 source samples are 48 output samples at three times the rate.
    expect(Array.from(out.subarray(0, 48)).every((x) => x === 0.5)).toBe(true);
    expect(Array.from(out.subarray(48)).every((x) => x === 0)).toBe(true);
    expect(queue.queued).toBe(0);
    expect(queue.played).toBe(16);
  });

  it('echoes a mark only once the audio before it has played', () => {
    const queue = new PlaybackQueue(16_000, 48_000, 10);
    const echoed: string[] = [];
    queue.write(second());
    queue.mark('m1');
    queue.write(second());
    queue.mark('m2');
    const out = new Float32Array(128);
    // Just under one second of output: 48 000 samples less one quantum.
    for (let i = 0; i < 48_000 / 128 - 1; i++) queue.render(out, (n) => echoed.push(n));
    expect(echoed).toEqual([]);
    for (let i = 0; i < 2; i++) queue.render(out, (n) => echoed.push(n));
    expect(echoed).toEqual(['m1']);
    for (let i = 0; i < 48_000 / 128; i++) queue.render(out, (n) => echoed.push(n));
    expect(echoed).toEqual(['m1', 'm2']);
  });

  it('on clear drops the queue and releases every pending mark at once, in order', () => {
    const queue = new PlaybackQueue(16_000, 48_000, 10);
    const echoed: string[] = [];
    queue.write(second());
    queue.mark('a');
    queue.write(second());
    queue.mark('b');
    queue.render(new Float32Array(128), (n) => echoed.push(n));
    queue.clear((n) => echoed.push(n));
    expect(echoed).toEqual(['a', 'b']);
    expect(queue.queued).toBe(0);
    const out = new Float32Array(128).fill(1);
    queue.render(out, (n) => echoed.push(n));
    expect(Array.from(out).every((x) => x === 0)).toBe(true);
  });

  it('echoes a mark that arrives with nothing queued on the next render', () => {
    const queue = new PlaybackQueue(16_000, 48_000, 10);
    const echoed: string[] = [];
    queue.mark('now');
    queue.render(new Float32Array(128), (n) => echoed.push(n));
    expect(echoed).toEqual(['now']);
  });

  it('drops and counts what does not fit, keeping what was queued', () => {
    const queue = new PlaybackQueue(16_000, 16_000, 1);
    queue.write(second());
    queue.write(new Int16Array(400));
    expect(queue.queued).toBe(16_000);
    expect(queue.takeDropped()).toBe(400);
    expect(queue.takeDropped()).toBe(0);
  });
});

describe('call problems a person can act on', () => {
  const dom = (name: string) => Object.assign(new Error('x'), { name });

  it('names a blocked, missing or busy microphone and says what to do', () => {
    expect(microphoneProblem(dom('NotAllowedError')).title).toBe('Microphone blocked');
    expect(microphoneProblem(dom('NotAllowedError')).hint).toMatch(/Allow the microphone/);
    expect(microphoneProblem(dom('NotFoundError')).title).toBe('No microphone');
    expect(microphoneProblem(dom('NotReadableError')).title).toBe('Microphone busy');
  });

  it('turns a missing provider key into the key to set and where', () => {
    const problem = closeProblem({
      code: 4500,
      reason: 'No API key: set OPENAI_API_KEY.',
      serverMessage: 'No API key: set OPENAI_API_KEY.',
      started: false,
      hungUp: false,
    });
    expect(problem).toBeInstanceOf(CallProblem);
    expect(problem!.title).toBe('The agent has no provider keys');
    expect(problem!.hint).toContain('PUT /v1/secrets/OPENAI_API_KEY');
  });

  it('reads the close codes: a normal end, a dropped socket, an unreachable server, a refusal', () => {
    expect(closeProblem({ code: 1000, reason: 'call ended', started: true, hungUp: true })).toBeUndefined();
    expect(closeProblem({ code: 1006, reason: '', started: true, hungUp: false })!.title).toBe(
      'The connection dropped',
    );
    expect(closeProblem({ code: 1006, reason: '', started: false, hungUp: false })!.title).toBe(
      'Could not reach VRM',
    );
    expect(
      closeProblem({
        code: 4403,
        reason: 'your role cannot place test calls',
        started: false,
        hungUp: false,
      })!.title,
    ).toBe('Not allowed');
    const unknown = closeProblem({ code: 1011, reason: 'internal', started: true, hungUp: false })!;
    expect(unknown.message).toBe('The server closed the connection (code 1011: internal).');
  });
});
