import { DeepgramClient } from '@deepgram/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MULAW_SILENCE } from '../audio/g711.js';
import { type DeepgramServer, type DeepgramServerOptions, startDeepgramServer } from './deepgram-server.js';
import { waitUntil } from './wait.js';

type Message = Record<string, any>;

let server: DeepgramServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: DeepgramServerOptions): Promise<DeepgramServer> {
  server = await startDeepgramServer(options);
  return server;
}

/** Connects the real SDK and records every message it parses. */
async function connectSdk(url: string, args: Record<string, string>, apiKey = 'test-key') {
  const dg = new DeepgramClient({ apiKey, baseUrl: url });
  const socket = await dg.listen.v1.connect({ model: 'nova-3', reconnectAttempts: 0, ...args } as never);
  const messages: Message[] = [];
  let closeCode: number | undefined;
  socket.on('message', (m: unknown) => messages.push(m as Message));
  socket.on('close', (e: { code: number }) => {
    closeCode = e.code;
  });
  socket.on('error', () => {});
  // v5 returns an unconnected socket: connect() dials, waitForOpen() waits for the upgrade.
  socket.connect();
  await socket.waitForOpen();
  return { socket, messages, closed: () => closeCode };
}

/** 20 ms μ-law frames: silence, or "loud" when `level` is set. */
function mulawFrames(ms: number): Uint8Array[] {
  return Array.from({ length: ms / 20 }, () => new Uint8Array(160).fill(MULAW_SILENCE));
}

function pcm16(ms: number, rate: number, amplitude: number): Uint8Array {
  const samples = new Int16Array((rate * ms) / 1000);
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / rate));
  return new Uint8Array(samples.buffer);
}

const results = (messages: Message[]) => messages.filter((m) => m.type === 'Results');

describe('Deepgram test server with @deepgram/sdk', () => {
  it('streams scripted interim and final results timed by the received audio', async () => {
    const dg = await start({
      apiKey: 'test-key',
      latencyMs: 5,
      script: [{ transcript: "What's the weather in Paris?", startMs: 500, endMs: 1500 }],
    });
    const { socket, messages, closed } = await connectSdk(dg.url, {
      encoding: 'mulaw',
      sample_rate: '8000',
      channels: '1',
      interim_results: 'true',
      endpointing: '300',
      utterance_end_ms: '1000',
      vad_events: 'true',
      smart_format: 'true',
      punctuate: 'true',
      language: 'en-US',
    });
    for (const frame of mulawFrames(3000)) socket.sendMedia(frame);
    await dg.waitForSent((m) => m.type === 'UtteranceEnd');
    socket.sendCloseStream({ type: 'CloseStream' });
    await waitUntil(() => closed() !== undefined);

    expect(closed()).toBe(1000);
    expect(messages.find((m) => m.type === 'SpeechStarted')).toEqual({
      type: 'SpeechStarted',
      channel: [0],
      timestamp: 0.5,
    });
    const interims = results(messages).filter(
      (m) => !m.is_final && m.channel.alternatives[0].transcript !== '',
    );
    expect(interims.length).toBeGreaterThan(0);
    expect("What's the weather in Paris?".startsWith(interims[0]!.channel.alternatives[0].transcript)).toBe(
      true,
    );

    const final = results(messages).find((m) => m.is_final && m.channel.alternatives[0].transcript !== '')!;
    expect(final).toMatchObject({
      channel_index: [0, 1],
      is_final: true,
      speech_final: true,
      from_finalize: false,
      metadata: { model_info: { arch: 'nova-3' } },
    });
    const alternative = final.channel.alternatives[0];
    expect(alternative.transcript).toBe("What's the weather in Paris?");
    expect(alternative.words.map((w: Message) => w.word)).toEqual([
      "what's",
      'the',
      'weather',
      'in',
      'paris',
    ]);
    expect(alternative.words[0].start).toBe(0.5);
    expect(alternative.words.at(-1).end).toBeLessThanOrEqual(1.5);
    // Endpointing: the final comes once 300 ms of audio after the speech has arrived.
    expect(final.start + final.duration).toBeCloseTo(1.8, 2);

    const utteranceEnd = messages.find((m) => m.type === 'UtteranceEnd')!;
    expect(utteranceEnd.last_word_end).toBe(alternative.words.at(-1).end);
    const metadata = messages.at(-1)!;
    expect(metadata).toMatchObject({
      type: 'Metadata',
      duration: 3,
      channels: 1,
      request_id: final.metadata.request_id,
    });

    // Interims every 500 ms of audio while a segment is being recognised (the first as its speech
    // begins, before any word is heard); through the silence after the final, an empty one a second.
    const cadence = results(messages)
      .filter((m) => !m.is_final)
      .map((m) => [+(m.start + m.duration).toFixed(2), m.channel.alternatives[0].transcript]);
    expect(cadence).toEqual([
      [0.5, ''],
      [1, "What's the weather"],
      [1.5, "What's the weather in Paris?"],
      [2.8, ''],
    ]);

    const [connection] = dg.connections;
    expect(connection!.headers.authorization).toBe('Token test-key');
    expect(connection!.query).toMatchObject({
      encoding: 'mulaw',
      sample_rate: '8000',
      interim_results: 'true',
    });
    expect(connection!.controls).toEqual([{ type: 'CloseStream' }]);
    expect(dg.violations).toEqual([]);
  });

  it('detects loud linear16 audio as speech and transcribes the next untimed utterance', async () => {
    const dg = await start({ script: [{ transcript: 'Book a table for two.' }] });
    const { socket, messages } = await connectSdk(dg.url, {
      encoding: 'linear16',
      sample_rate: '16000',
      interim_results: 'false',
      endpointing: '200',
      punctuate: 'false',
    });
    socket.sendMedia(pcm16(500, 16000, 0));
    socket.sendMedia(pcm16(800, 16000, 8000));
    socket.sendMedia(pcm16(600, 16000, 0));
    await waitUntil(() => results(messages).length > 0);

    expect(results(messages)).toHaveLength(1);
    const [final] = results(messages);
    expect(final).toMatchObject({ is_final: true, speech_final: true });
    expect(final!.channel.alternatives[0].transcript).toBe('book a table for two');
    const words = final!.channel.alternatives[0].words;
    expect(words[0].start).toBeCloseTo(0.5, 1);
    expect(words.at(-1).end).toBeLessThanOrEqual(1.3);
    expect(words[0].punctuated_word).toBeUndefined();
    expect(dg.violations).toEqual([]);
  });

  it('answers Finalize with a from_finalize final of what was heard, then finishes the utterance', async () => {
    const dg = await start({ script: [{ transcript: 'one two three four', startMs: 0, endMs: 2000 }] });
    const { socket, messages } = await connectSdk(dg.url, { encoding: 'mulaw', sample_rate: '8000' });
    for (const frame of mulawFrames(1100)) socket.sendMedia(frame);
    socket.sendFinalize({ type: 'Finalize' });
    await waitUntil(() => results(messages).length === 1);
    expect(results(messages)[0]).toMatchObject({ is_final: true, speech_final: false, from_finalize: true });
    expect(results(messages)[0]!.channel.alternatives[0].transcript).toBe('one two three');

    for (const frame of mulawFrames(1000)) socket.sendMedia(frame);
    await waitUntil(() => results(messages).length === 2);
    expect(results(messages)[1]).toMatchObject({ is_final: true, speech_final: true, from_finalize: false });
    expect(results(messages)[1]!.channel.alternatives[0].transcript).toBe('four');
  });

  it('rejects a bad key with HTTP 401 before the upgrade', async () => {
    const dg = await start({ apiKey: 'right-key' });
    const ws = new WebSocket(`${dg.url}/v1/listen?encoding=mulaw&sample_rate=8000`, {
      headers: { Authorization: 'Token wrong-key' },
    });
    const response = await new Promise<{ status?: number; body: string }>((resolve) => {
      ws.on('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
    });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toMatchObject({ err_code: 'INVALID_AUTH' });
    expect(dg.connections).toHaveLength(0);
  });

  it('refuses a query it cannot honour with HTTP 400 and records the violation', async () => {
    const dg = await start({});
    const ws = new WebSocket(`${dg.url}/v1/listen?encoding=opus&sample_rate=48000`, {
      headers: { Authorization: 'Token k' },
    });
    const status = await new Promise<number | undefined>((resolve) =>
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode)),
    );
    expect(status).toBe(400);
    expect(dg.violations[0]!.message).toMatch(/encoding/);
  });

  it('drops a stream mid-way with 1011, and the SDK reconnects by itself', async () => {
    const dg = await start({ dropAfterAudioMs: 400 });
    const client = new DeepgramClient({ apiKey: 'k', baseUrl: dg.url });
    const socket = await client.listen.v1.connect({
      model: 'nova-3',
      encoding: 'mulaw',
      sample_rate: '8000',
    } as never);
    const codes: number[] = [];
    socket.on('close', (e: { code: number }) => codes.push(e.code));
    socket.on('error', () => {});
    socket.connect();
    await socket.waitForOpen();
    for (const frame of mulawFrames(600)) if (socket.readyState === 1) socket.sendMedia(frame);
    await waitUntil(() => dg.connections.length === 2);
    expect(codes).toContain(1011);
    expect(dg.connections[0]!.closeCode).toBe(1011);
    socket.close();
  });

  it('closes an idle stream with Metadata and 1011 (NET-0001)', async () => {
    const dg = await start({ inactivityTimeoutMs: 100 });
    const ws = new WebSocket(`${dg.url}/v1/listen?encoding=mulaw&sample_rate=8000`, {
      headers: { Authorization: 'Token k' },
    });
    const messages: Message[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data))));
    const [code, reason] = await new Promise<[number, string]>((resolve) =>
      ws.on('close', (c, r) => resolve([c, r.toString()])),
    );
    expect(code).toBe(1011);
    expect(reason).toMatch(/net0001/);
    expect(messages).toEqual([expect.objectContaining({ type: 'Metadata', duration: 0 })]);
    expect(messages[0]!.models).toBeUndefined();
  });

  it('records malformed client messages as violations', async () => {
    const dg = await start({});
    const ws = new WebSocket(`${dg.url}/v1/listen?encoding=mulaw&sample_rate=8000`, {
      headers: { Authorization: 'Token k' },
    });
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(JSON.stringify({ type: 'Flush' }));
    ws.send('not json');
    ws.send(new Uint8Array(0), { binary: true });
    await waitUntil(() => dg.violations.length === 3);
    ws.close();
  });
});
