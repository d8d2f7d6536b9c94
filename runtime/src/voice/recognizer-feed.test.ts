import { describe, expect, it } from 'vitest';
import { MULAW_SILENCE, mulawEncodeSample } from '../audio/g711.js';
import { TELEPHONY_FORMAT } from '../providers/types.js';
import { RecognizerFeed } from './recognizer-feed.js';

const FRAME = 160;
const quiet = (tag = 0) => {
  // Quiet but recognisable: the first byte tags the frame so the order can be checked.
  const frame = new Uint8Array(FRAME).fill(MULAW_SILENCE);
  frame[0] = mulawEncodeSample(tag);
  return frame;
};
const loud = () => {
  const frame = new Uint8Array(FRAME);
  for (let i = 0; i < FRAME; i++) frame[i] = mulawEncodeSample(Math.round(6000 * Math.sin(i)));
  return frame;
};

/** Line noise between the two levels: loud enough to count as sound, too weak to count as speech. */
const noisy = () => new Uint8Array(FRAME).map((_, i) => mulawEncodeSample(i % 2 ? 300 : -300));

function setup(hangoverMs = 300) {
  const sent: Uint8Array[] = [];
  const feed = new RecognizerFeed({ format: TELEPHONY_FORMAT, send: (c) => sent.push(c), hangoverMs });
  return { feed, sent, sizes: () => sent.map((c) => c.byteLength / FRAME) };
}

describe('RecognizerFeed', () => {
  it('sends quiet audio 200 ms at a time, every byte in order', () => {
    const { feed, sent, sizes } = setup();
    const frames = Array.from({ length: 23 }, (_, i) => quiet(i * 8));
    for (const [i, f] of frames.entries()) feed.push(f, i * 20);
    expect(sizes()).toEqual([10, 10]);
    feed.flush();
    expect(sizes()).toEqual([10, 10, 3]);
    expect(Buffer.concat(sent)).toEqual(Buffer.concat(frames));
  });

  it('sends a speech onset at once, with the quiet audio held before it', () => {
    const { feed, sizes } = setup();
    feed.push(quiet(), 0);
    feed.push(quiet(), 20);
    feed.push(loud(), 40);
    expect(sizes()).toEqual([3]);
  });

  it('sends speech that goes on two frames at a time, and its last frame with the silence after it', () => {
    const { feed, sent, sizes } = setup(300);
    const frames = [loud(), loud(), loud(), loud(), loud(), loud(), quiet(1), quiet(2)];
    for (const [i, f] of frames.entries()) feed.push(f, i * 20);
    // Onset alone; then pairs; the sixth loud frame waits for the first quiet one, which is never
    // held (it may be the frame that ends the turn), and the next quiet one goes alone.
    expect(sizes()).toEqual([1, 2, 2, 2, 1]);
    expect(Buffer.concat(sent)).toEqual(Buffer.concat(frames));
  });

  it('on a noisy line sends the noise after speech frame by frame: the recogniser may end the turn on any of it', () => {
    const { feed, sizes } = setup(300);
    feed.push(loud(), 0);
    feed.push(loud(), 20);
    for (let t = 40; t <= 200; t += 20) feed.push(noisy(), t);
    // The onset alone; the held speech frame with the first noise frame; then noise one by one.
    expect(sizes()).toEqual([1, 2, ...Array(8).fill(1)]);
  });

  it('sends a held speech frame as soon as the recogniser reports speech', () => {
    const { feed, sizes } = setup();
    feed.push(loud(), 0);
    feed.push(loud(), 20);
    expect(sizes()).toEqual([1]);
    feed.speechActive(30);
    expect(sizes()).toEqual([1, 1]);
  });

  it('keeps the silence after speech prompt through the hangover, then holds again', () => {
    const { feed, sizes } = setup(300);
    feed.push(loud(), 0);
    for (let t = 20; t <= 300; t += 20) feed.push(quiet(), t);
    // 1 loud + 15 quiet frames, each sent alone: the frame that ends the turn is never held back.
    expect(sizes()).toEqual(Array(16).fill(1));
    for (let t = 320; t < 520; t += 20) feed.push(quiet(), t);
    expect(sizes().slice(16)).toEqual([10]);
  });

  it('holds again as soon as the recogniser closes the utterance', () => {
    const { feed, sizes } = setup(1000);
    feed.push(loud(), 0);
    feed.push(quiet(), 20);
    feed.speechEnded();
    for (let t = 40; t < 240; t += 20) feed.push(quiet(), t);
    expect(sizes()).toEqual([1, 1, 10]);
  });

  it('stays prompt while the recogniser hears speech too quiet for the level check, for a bounded time', () => {
    const { feed, sizes } = setup(300);
    feed.push(quiet(), 0);
    feed.push(quiet(), 20);
    feed.speechActive(40);
    // What was held is the start of that speech: sent at once.
    expect(sizes()).toEqual([2]);
    for (let t = 40; t <= 340; t += 20) feed.push(quiet(), t);
    expect(sizes().slice(1)).toEqual(Array(16).fill(1));
    // No further report of speech: quiet audio is held again.
    for (let t = 360; t < 560; t += 20) feed.push(quiet(), t);
    expect(sizes().slice(17)).toEqual([10]);
  });

  it('reads 16-bit PCM levels for the browser transport', () => {
    const sent: Uint8Array[] = [];
    const feed = new RecognizerFeed({
      format: { encoding: 'pcm16', sampleRate: 16000 },
      send: (c) => sent.push(c),
      hangoverMs: 300,
    });
    const silent = new Uint8Array(640);
    const speech = new Uint8Array(new Int16Array(320).map((_, i) => Math.round(8000 * Math.sin(i))).buffer);
    feed.push(silent, 0);
    feed.push(silent, 20);
    expect(sent).toHaveLength(0);
    feed.push(speech, 40);
    expect(sent.map((c) => c.byteLength)).toEqual([1920]);
  });
});
