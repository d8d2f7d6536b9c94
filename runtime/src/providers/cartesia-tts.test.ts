import { afterEach, describe, expect, it } from 'vitest';
import { type CartesiaServer, startCartesiaServer } from '../testing/cartesia-server.js';
import { waitUntil } from '../testing/wait.js';
import { CartesiaTextToSpeech } from './cartesia-tts.js';
import { withTextToSpeechFallback } from './fallback.js';
import { TELEPHONY_FORMAT, type TextToSpeech, type TextToSpeechEvent } from './types.js';

let server: CartesiaServer | undefined;
const engines: TextToSpeech[] = [];
afterEach(async () => {
  await Promise.all(engines.splice(0).map((e) => e.close?.()));
  await server?.close();
  server = undefined;
});

async function setup() {
  server = await startCartesiaServer({ apiKey: 'sk_car_test', msPerCharacter: 10, chunkMs: 100 });
  const tts = new CartesiaTextToSpeech({
    apiKey: 'sk_car_test',
    baseURL: server.url,
    model: 'sonic-2',
    ca: server.ca,
  });
  engines.push(tts);
  return { server, tts };
}

async function collect(events: AsyncIterable<TextToSpeechEvent>): Promise<TextToSpeechEvent[]> {
  const out: TextToSpeechEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

/** One whole reply: a context, its text, its end; resolves with every event. */
function speak(tts: TextToSpeech, text: string, voice = 'voice-1') {
  const ctx = tts.createContext({ voice, format: TELEPHONY_FORMAT, signal: new AbortController().signal });
  ctx.push(text);
  ctx.end();
  return collect(ctx.events);
}

const audioBytes = (events: TextToSpeechEvent[]) =>
  events.reduce((n, e) => n + (e.type === 'audio' ? e.data.byteLength : 0), 0);

describe('CartesiaTextToSpeech against the Cartesia protocol server (TLS)', () => {
  it('synthesises one context from continuations, as μ-law 8 kHz straight from the provider', async () => {
    const { server, tts } = await setup();
    const signal = new AbortController().signal;
    const ctx = tts.createContext({ voice: 'voice-1', format: TELEPHONY_FORMAT, language: 'en-US', signal });
    ctx.push('It is ');
    ctx.push('sunny in Paris.');
    ctx.end();
    const events = await collect(ctx.events);
    const context = server.contexts.get(ctx.id)!;
    expect(context.transcript).toBe('It is sunny in Paris.');
    expect(context.request).toMatchObject({
      model_id: 'sonic-2',
      output_format: { container: 'raw', encoding: 'pcm_mulaw', sample_rate: 8000 },
      language: 'en',
    });
    // 21 characters × 10 ms at 8000 bytes/s.
    expect(audioBytes(events)).toBe(context.audioBytes);
    expect(audioBytes(events)).toBeGreaterThan(0);
    expect(server.violations).toEqual([]);
  });

  it('runs contexts for consecutive replies over one connection', async () => {
    const { server, tts } = await setup();
    for (const text of ['First reply.', 'Second reply.']) {
      expect(audioBytes(await speak(tts, text))).toBeGreaterThan(0);
    }
    expect(server.connections).toHaveLength(1);
  });

  it('connects on warm-up, before any context, and the first reply uses that connection', async () => {
    const { server, tts } = await setup();
    tts.warmUp();
    await waitUntil(() => server.connections.length === 1, 5000, 'connected on warm-up');
    expect(audioBytes(await speak(tts, 'Hello.'))).toBeGreaterThan(0);
    expect(server.connections).toHaveLength(1);
  });

  it('cancels the context on barge-in and ends its audio', async () => {
    const { server, tts } = await setup();
    const controller = new AbortController();
    const ctx = tts.createContext({ voice: 'voice-1', format: TELEPHONY_FORMAT, signal: controller.signal });
    ctx.push('A long answer that the caller will interrupt before it finishes playing. '.repeat(5));
    const events: TextToSpeechEvent[] = [];
    for await (const e of ctx.events) {
      events.push(e);
      if (events.length === 1) controller.abort();
    }
    await waitUntil(() => server.contexts.get(ctx.id)?.cancelled === true, 5000, 'cancel on the wire');
    expect(events.length).toBeLessThan(5);
    expect(server.violations).toEqual([]);
  });

  it('surfaces a provider error as a retryable failure the fallback recovers from', async () => {
    const { server, tts } = await setup();
    server.failNext({ status_code: 500 }, 1);
    const backup = await startCartesiaServer({ apiKey: 'sk_car_test', msPerCharacter: 10 });
    const second = new CartesiaTextToSpeech({
      apiKey: 'sk_car_test',
      baseURL: backup.url,
      model: 'sonic-2',
      ca: backup.ca,
    });
    engines.push(second);
    try {
      const both = withTextToSpeechFallback([tts, second]);
      const events = await speak(both, 'Hello there.', 'v');
      expect(events[0]).toMatchObject({ type: 'fallback', from: 'cartesia', to: 'cartesia' });
      expect(audioBytes(events)).toBeGreaterThan(0);
      expect([...backup.contexts.values()][0]!.transcript).toBe('Hello there.');
    } finally {
      await backup.close();
    }
  });
});
