import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { rmsLevel } from '../audio/frames.js';
import { decodeMulaw } from '../audio/g711.js';
import { type CartesiaServer, type CartesiaServerOptions, startCartesiaServer } from './cartesia-server.js';
import { generateTestCertificate, testTlsEnv, writeTestCertificate } from './tls.js';
import { waitUntil } from './wait.js';

// The SDK's ESM build calls require('ws'), which throws under Node 20's ESM loader.
const require = createRequire(import.meta.url);
const { Cartesia } = require('@cartesia/cartesia-js') as typeof import('@cartesia/cartesia-js');

type Event = { type: string; [key: string]: unknown };

let server: CartesiaServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: CartesiaServerOptions = {}) {
  server = await startCartesiaServer(options);
  return server;
}

async function openSdk(fake: CartesiaServer, apiKey = 'sk_car_test') {
  const client = new Cartesia({ apiKey, baseURL: fake.url });
  // ws ClientOptions pass through the SDK: `ca` trusts the test certificate in this process.
  const ws = await client.tts.websocket({ ca: fake.ca });
  const errors: Error[] = [];
  ws.on('error', (e) => errors.push(e));
  return { ws, errors };
}

const mulaw8k = { container: 'raw', encoding: 'pcm_mulaw', sample_rate: 8000 } as const;

describe('Cartesia test server with @cartesia/cartesia-js', () => {
  it('streams a continued context as μ-law tone chunks, timestamps and done', async () => {
    const fake = await start({ apiKey: 'sk_car_test' });
    const { ws, errors } = await openSdk(fake);
    const ctx = ws.context({
      model_id: 'sonic-3',
      voice: { mode: 'id', id: 'voice-1' },
      output_format: mulaw8k,
      add_timestamps: true,
      language: 'en',
    });
    await ctx.push({ transcript: 'Hello there, ' });
    await ctx.push({ transcript: 'friend.' });
    await ctx.no_more_inputs();
    const events: Event[] = [];
    const audio: Buffer[] = [];
    for await (const event of ctx.receive()) {
      events.push(event as unknown as Event);
      if (event.type === 'chunk') audio.push(Buffer.from(event.data, 'base64'));
    }
    ws.close();

    const bytes = Buffer.concat(audio);
    // 20 characters × 50 ms at 8 kHz, one byte per μ-law sample.
    expect(bytes.length).toBe(20 * 400);
    expect(rmsLevel(decodeMulaw(bytes))).toBeGreaterThan(4000);
    expect(events.at(-1)).toEqual({ type: 'done', done: true, status_code: 206, context_id: ctx.contextId });
    const chunk = events.find((e) => e.type === 'chunk')!;
    expect(chunk).toMatchObject({ done: false, status_code: 206, context_id: ctx.contextId, flush_id: 1 });
    expect(typeof chunk.step_time).toBe('number');
    const words = events
      .filter((e) => e.type === 'timestamps')
      .flatMap((e) => (e.word_timestamps as { words: string[] }).words);
    expect(words).toEqual(['Hello', 'there,', 'friend.']);

    expect(fake.contexts.get(ctx.contextId)).toMatchObject({
      transcript: 'Hello there, friend.',
      done: true,
      audioBytes: 8000,
    });
    const [connection] = fake.connections;
    expect(connection!.headers.authorization).toBe('Bearer sk_car_test');
    expect(connection!.headers['cartesia-version']).toBe('2026-08-14');
    expect(errors).toEqual([]);
    expect(fake.violations).toEqual([]);
  });

  it('generates PCM16 at 24 kHz for a single input', async () => {
    const fake = await start({ chunkMs: 40 });
    const { ws } = await openSdk(fake);
    let bytes = 0;
    for await (const event of ws.generate({
      model_id: 'sonic-3',
      voice: 'voice-1',
      transcript: 'Hi.',
      output_format: { container: 'raw', encoding: 'pcm_s16le', sample_rate: 24000 },
    })) {
      if (event.type === 'chunk') bytes += Buffer.from(event.data, 'base64').length;
    }
    ws.close();
    // 3 characters × 50 ms × 24 000 Hz × 2 bytes.
    expect(bytes).toBe(7200);
    expect(fake.violations).toEqual([]);
  });

  it('stops a cancelled context and sends no done for it', async () => {
    const fake = await start({ chunkIntervalMs: 5 });
    const { ws } = await openSdk(fake);
    const ctx = ws.context({ model_id: 'sonic-3', voice: 'v', output_format: mulaw8k });
    await ctx.push({ transcript: 'x'.repeat(200) });
    await waitUntil(() => (fake.contexts.get(ctx.contextId)?.chunks ?? 0) > 0);
    await ctx.cancel();
    await waitUntil(() => fake.contexts.get(ctx.contextId)!.cancelled);
    const sentAtCancel = fake.contexts.get(ctx.contextId)!.chunks;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fake.contexts.get(ctx.contextId)!.chunks).toBeLessThanOrEqual(sentAtCancel + 1);
    expect(fake.contexts.get(ctx.contextId)!.chunks).toBeLessThan(100);
    expect(fake.connections[0]!.sent.some((m) => m.type === 'done')).toBe(false);
    ws.close();
  });

  it('acknowledges a flush with flush_done and numbers later chunks with the next flush_id', async () => {
    const fake = await start();
    const { ws } = await openSdk(fake);
    const ctx = ws.context({ model_id: 'sonic-3', voice: { id: 'v' }, output_format: mulaw8k });
    await ctx.push({ transcript: 'First part.', flush: true });
    await ctx.push({ transcript: 'Second.' });
    await ctx.no_more_inputs();
    const events: Event[] = [];
    for await (const event of ctx.receive()) events.push(event as unknown as Event);
    ws.close();
    const flushDone = events.findIndex((e) => e.type === 'flush_done');
    expect(events[flushDone]).toMatchObject({ flush_done: true, flush_id: 1 });
    expect(events.slice(0, flushDone).every((e) => e.type !== 'chunk' || e.flush_id === 1)).toBe(true);
    expect(
      events
        .slice(flushDone)
        .filter((e) => e.type === 'chunk')
        .every((e) => e.flush_id === 2),
    ).toBe(true);
    expect(fake.violations).toEqual([]);
  });

  it('injects an error message that the SDK surfaces', async () => {
    const fake = await start();
    fake.failNext({
      title: 'Invalid model',
      message: 'The model is not valid.',
      error_code: 'model_not_found',
      status_code: 400,
    });
    const { ws, errors } = await openSdk(fake);
    const ctx = ws.context({ model_id: 'sonic-3', voice: 'v', output_format: mulaw8k });
    await ctx.push({ transcript: 'Hello.' });
    await expect(async () => {
      for await (const _ of ctx.receive()) {
        // drain
      }
    }).rejects.toThrow('The model is not valid.');
    expect(errors[0]?.message).toMatch(/model_not_found/);
    ws.close();
  });

  it('drops the socket mid-stream; the SDK reconnects on its next send', async () => {
    const fake = await start({ chunkIntervalMs: 2 });
    fake.dropNextStream(2);
    const { ws } = await openSdk(fake);
    const closed = new Promise<number>((resolve) => (ws.socket as WebSocket).once('close', resolve));
    const ctx = ws.context({ model_id: 'sonic-3', voice: 'v', output_format: mulaw8k });
    await ctx.push({ transcript: 'A fairly long sentence to speak.' });
    expect(await closed).toBe(1011);
    let chunks = 0;
    for await (const event of ws.generate({
      model_id: 'sonic-3',
      voice: 'v',
      transcript: 'Again.',
      output_format: mulaw8k,
    })) {
      if (event.type === 'chunk') chunks++;
    }
    expect(chunks).toBeGreaterThan(0);
    expect(fake.connections).toHaveLength(2);
    ws.close();
  });

  it('accepts query-string auth and rejects a wrong key or a missing version', async () => {
    const fake = await start({ apiKey: 'right' });
    const status = (url: string) =>
      new Promise<number | undefined>((resolve) => {
        const ws = new WebSocket(url, { ca: fake.ca });
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
      });
    expect(await status(`${fake.wsUrl}?api_key=right&cartesia_version=2026-08-14`)).toBe(101);
    expect(await status(`${fake.wsUrl}?api_key=wrong&cartesia_version=2026-08-14`)).toBe(401);
    expect(await status(`${fake.wsUrl}?api_key=right`)).toBe(400);
  });

  it('records malformed requests and inconsistent context fields as violations', async () => {
    const fake = await start();
    const ws = new WebSocket(`${fake.wsUrl}?api_key=k&cartesia_version=2026-08-14`, { ca: fake.ca });
    const received: Event[] = [];
    ws.on('message', (d) => received.push(JSON.parse(String(d))));
    await new Promise((resolve) => ws.on('open', resolve));
    const base = { model_id: 'sonic-3', voice: 'v', output_format: mulaw8k, context_id: 'c1' };
    ws.send(JSON.stringify({ ...base, transcript: 'One ', continue: true }));
    ws.send(JSON.stringify({ ...base, model_id: 'sonic-2', transcript: 'two', continue: false }));
    ws.send(JSON.stringify({ context_id: 'c2', transcript: 'no voice' }));
    await waitUntil(
      () => received.some((e) => e.type === 'error') && received.some((e) => e.type === 'done'),
    );
    expect(received.find((e) => e.type === 'error')).toMatchObject({ context_id: 'c2', status_code: 400 });
    expect(fake.violations.map((v) => v.message)).toEqual([
      expect.stringContaining('inputs must keep every field'),
      expect.stringContaining('bad generation request'),
    ]);
    ws.close();
  });

  it('is trusted through NODE_EXTRA_CA_CERTS by a process started with it', async () => {
    const certificate = generateTestCertificate();
    const files = writeTestCertificate(certificate);
    const fake = await start({ certificate });
    const sdkPath = require.resolve('@cartesia/cartesia-js');
    // No `ca` option in the child: only the env var makes the handshake verify.
    const script = `
      const { Cartesia } = require(${JSON.stringify(sdkPath)});
      (async () => {
        const ws = await new Cartesia({ apiKey: 'k', baseURL: ${JSON.stringify(fake.url)} }).tts.websocket();
        ws.on('error', (e) => { console.error(e.message); process.exit(2); });
        let bytes = 0;
        for await (const e of ws.generate({ model_id: 'sonic-3', voice: 'v', transcript: 'Hey.',
          output_format: { container: 'raw', encoding: 'pcm_mulaw', sample_rate: 8000 } })) {
          if (e.type === 'chunk') bytes += Buffer.from(e.data, 'base64').length;
        }
        console.log(bytes);
        ws.close();
      })().catch((e) => { console.error(e.message); process.exit(1); });`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      env: { ...process.env, ...testTlsEnv(files) },
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe(String(4 * 400));
  });
});
