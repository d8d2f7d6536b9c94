import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { connectTwilioCaller } from './twilio-media-client.js';
import {
  type TwilioInboundMessage,
  TwilioInboundMessageSchema,
  twilioSignature,
} from './twilio-media-protocol.js';
import { waitUntil } from './wait.js';

/** A stand-in for the application's stream endpoint: records what "Twilio" sends, lets the test reply. */
async function startApp() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const inbound: TwilioInboundMessage[] = [];
  const invalid: unknown[] = [];
  let socket: WebSocket | undefined;
  let upgrade: IncomingMessage | undefined;
  wss.on('connection', (ws, req) => {
    socket = ws;
    upgrade = req;
    ws.on('message', (data) => {
      const parsed = TwilioInboundMessageSchema.safeParse(JSON.parse(String(data)));
      if (parsed.success) inbound.push(parsed.data);
      else invalid.push(parsed.error.issues);
    });
  });
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/telephony/twilio/stream`,
    inbound,
    invalid,
    reply: (message: unknown) => socket!.send(JSON.stringify(message)),
    upgrade: () => upgrade!,
    close: () => new Promise<void>((resolve) => wss.close(() => resolve())),
  };
}

let app: Awaited<ReturnType<typeof startApp>> | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

const media = (streamSid: string, bytes: number) => ({
  event: 'media',
  streamSid,
  media: { payload: Buffer.alloc(bytes, 0xff).toString('base64') },
});

describe('Twilio Media Streams caller', () => {
  it('sends connected, start, paced media, dtmf and stop as Twilio documents them', async () => {
    app = await startApp();
    const caller = await connectTwilioCaller({
      url: app.url,
      pacing: 'fast',
      customParameters: { agent: 'front-desk' },
      authToken: 'auth-token',
    });
    await caller.sendAudio(new Uint8Array(400).fill(0x00));
    await caller.sendDtmf('5');
    await caller.hangUp();
    await waitUntil(() => app!.inbound.some((m) => m.event === 'stop'));

    expect(app.invalid).toEqual([]);
    expect(app.inbound.map((m) => m.event)).toEqual([
      'connected',
      'start',
      'media',
      'media',
      'media',
      'dtmf',
      'stop',
    ]);
    const [, start, firstMedia] = app.inbound;
    expect(start).toMatchObject({
      sequenceNumber: '1',
      streamSid: caller.streamSid,
      start: { callSid: caller.callSid, customParameters: { agent: 'front-desk' }, tracks: ['inbound'] },
    });
    expect(firstMedia).toMatchObject({
      sequenceNumber: '2',
      media: { track: 'inbound', chunk: '1', timestamp: '0' },
    });
    // 400 bytes become three 160-byte frames, the last padded with μ-law silence.
    const frames = app.inbound
      .filter((m) => m.event === 'media')
      .map((m) => Buffer.from(m.media.payload, 'base64'));
    expect(frames.map((f) => f.length)).toEqual([160, 160, 160]);
    expect(frames[2]!.subarray(80).every((b) => b === 0xff)).toBe(true);
    expect(app.inbound.map((m) => ('sequenceNumber' in m ? m.sequenceNumber : null))).toEqual([
      null,
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
    ]);

    const signature = app.upgrade().headers['x-twilio-signature'] as string;
    const signedUrl = app.url.replace('ws:', 'wss:');
    expect(twilio.validateRequest('auth-token', signature, signedUrl, {})).toBe(true);
  });

  it('echoes a mark only once the audio before it has played', async () => {
    app = await startApp();
    const caller = await connectTwilioCaller({ url: app.url, pacing: 'realtime' });
    app.reply(media(caller.streamSid, 800));
    app.reply(media(caller.streamSid, 800));
    app.reply({ event: 'mark', streamSid: caller.streamSid, mark: { name: 'turn-1' } });
    const mark = await caller.waitForMark('turn-1');
    expect(mark).toEqual({ name: 'turn-1', playedBytes: 1600, cleared: false });
    await waitUntil(() => app!.inbound.some((m) => m.event === 'mark'));
    expect(app.inbound.find((m) => m.event === 'mark')).toMatchObject({
      streamSid: caller.streamSid,
      mark: { name: 'turn-1' },
    });
    // While idle, a live call keeps sending silence frames.
    expect(app.inbound.filter((m) => m.event === 'media').length).toBeGreaterThan(0);
    expect(caller.violations).toEqual([]);
    await caller.hangUp();
  });

  it('on clear drops queued audio and echoes pending marks at once', async () => {
    app = await startApp();
    const caller = await connectTwilioCaller({ url: app.url, pacing: 'fast', playback: 'realtime' });
    app.reply(media(caller.streamSid, 16000));
    app.reply({ event: 'mark', streamSid: caller.streamSid, mark: { name: 'long' } });
    await caller.waitFor((m) => m.event === 'mark');
    app.reply({ event: 'clear', streamSid: caller.streamSid });
    const mark = await caller.waitForMark('long');
    expect(mark.cleared).toBe(true);
    expect(mark.playedBytes).toBeLessThan(16000);
    expect(caller.outboundAudio().length).toBe(16000);
    await caller.hangUp();
  });

  it('records malformed messages from the application as violations', async () => {
    app = await startApp();
    const caller = await connectTwilioCaller({ url: app.url, pacing: 'fast' });
    app.reply({ event: 'media', streamSid: caller.streamSid, media: { payload: 'not base64!' } });
    app.reply({ event: 'media', streamSid: 'MZwrong', media: { payload: 'AAAA' } });
    app.reply({ event: 'mark', streamSid: caller.streamSid });
    app.reply({
      event: 'media',
      streamSid: caller.streamSid,
      media: { payload: Buffer.from('RIFF....WAVE').toString('base64') },
    });
    app.reply({ event: 'clear', streamSid: caller.streamSid, extra: true });
    await waitUntil(() => caller.violations.length === 5);
    expect(caller.violations.map((v) => v.message)).toEqual([
      expect.stringContaining('payload must be base64'),
      expect.stringContaining('is not this stream'),
      expect.stringContaining('mark'),
      expect.stringContaining('WAV header'),
      expect.stringContaining('extra'),
    ]);
    await caller.hangUp();
  });

  it('computes X-Twilio-Signature for webhooks exactly as the twilio library does', () => {
    const url = 'https://agent.example.com/telephony/twilio/voice?agent=front-desk';
    const params = { CallSid: 'CA123', From: '+15551230000', To: '+15559870000', CallStatus: 'ringing' };
    const signature = twilioSignature('secret', url, params);
    expect(signature).toBe(twilio.getExpectedTwilioSignature('secret', url, params));
    expect(twilio.validateRequest('secret', signature, url, params)).toBe(true);
    expect(twilio.validateRequest('other', signature, url, params)).toBe(false);
  });
});
