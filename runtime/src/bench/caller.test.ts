import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { MULAW_SILENCE } from '../audio/g711.js';
import { BenchCaller } from './caller.js';

interface Line {
  server: WebSocketServer;
  caller: BenchCaller;
  /** The runtime's side of the call. */
  socket: WebSocket;
  /** Every message the caller sent, parsed. */
  received: Array<Record<string, any>>;
}

const open: Line[] = [];

afterEach(async () => {
  for (const { caller, server } of open.splice(0)) {
    await caller.hangUp();
    server.close();
  }
});

async function connect(options: { validate?: boolean } = {}): Promise<Line> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const received: Array<Record<string, any>> = [];
  const accepted = new Promise<WebSocket>((resolve) =>
    server.once('connection', (socket) => {
      socket.on('message', (data) => received.push(JSON.parse(data.toString())));
      resolve(socket);
    }),
  );
  const caller = await BenchCaller.dial({
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/telephony/twilio/stream`,
    customParameters: { agent: 'a1' },
    callSid: 'CA1',
    accountSid: 'AC1',
    validate: options.validate,
  });
  const line = { server, caller, socket: await accepted, received };
  open.push(line);
  return line;
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
};

/** Agent audio exactly as the runtime writes it (`TwilioMediaStream.sendAudio`). */
const media = (streamSid: string, bytes: number) =>
  `{"event":"media","streamSid":"${streamSid}","media":{"payload":"${Buffer.alloc(bytes, MULAW_SILENCE).toString('base64')}"}}`;

describe('BenchCaller', () => {
  it('sends numbered 20 ms frames and resolves speak() after the requested silent tail', async () => {
    const { caller, received } = await connect();
    let framesAtResolve = 0;
    const sent = await caller.speak(60, 2).then((s) => {
      framesAtResolve = caller.framesSent;
      return s;
    });
    expect(sent.tailAt).toBeGreaterThanOrEqual(sent.lastSpeechAt);
    await until(() => received.filter((m) => m.event === 'media').length >= framesAtResolve);

    const [connected, start, ...frames] = received;
    expect(connected).toMatchObject({ event: 'connected', protocol: 'Call' });
    expect(start).toMatchObject({ event: 'start', start: { customParameters: { agent: 'a1' } } });
    const media = frames.slice(0, framesAtResolve);
    for (const [i, m] of media.entries()) {
      expect(m).toMatchObject({
        event: 'media',
        sequenceNumber: String(i + 2),
        streamSid: caller.streamSid,
        media: { track: 'inbound', chunk: String(i + 1), timestamp: String(i * 20) },
      });
    }
    const silence = Buffer.alloc(160, MULAW_SILENCE).toString('base64');
    const speech = media.map((m) => m.media.payload !== silence);
    // Three speech frames, then exactly two silent ones before speak() resolved.
    expect(speech.filter(Boolean)).toHaveLength(3);
    expect(speech.slice(-5)).toEqual([true, true, true, false, false]);
  });

  it('stops sending while paused', async () => {
    const { caller } = await connect();
    await until(() => caller.framesSent >= 2);
    caller.pause(true);
    const paused = caller.framesSent;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(caller.framesSent).toBe(paused);
    caller.pause(false);
    await until(() => caller.framesSent > paused);
  });

  for (const validate of [false, true]) {
    it(`counts agent audio however it is encoded and echoes marks after playback (validate: ${validate})`, async () => {
      const { caller, socket, received } = await connect({ validate });
      const firstAudio: number[] = [];
      const reply = caller.expectReply(800 + 160 + 3, 5000, (at) => firstAudio.push(at));
      socket.send(media(caller.streamSid, 800));
      // Escaped JSON and padding: not the runtime's layout, the same message once parsed.
      socket.send(
        `{"event":"media","streamSid":"${caller.streamSid}","media":{"payload":"${Buffer.alloc(160, 0xfb).toString('base64').replace(/\//g, '\\/')}"}}`,
      );
      socket.send(
        JSON.stringify({ media: { payload: 'AAAA' }, streamSid: caller.streamSid, event: 'media' }),
      );
      socket.send(JSON.stringify({ event: 'mark', streamSid: caller.streamSid, mark: { name: 'm1' } }));
      const heard = await reply;
      expect(heard.bytes).toBe(963);
      expect(firstAudio).toEqual([heard.firstAudioAt]);
      expect(heard.lateness).toHaveLength(2);
      await until(() => received.some((m) => m.event === 'mark'));
      expect(received.find((m) => m.event === 'mark')).toMatchObject({
        streamSid: caller.streamSid,
        mark: { name: 'm1' },
      });
      expect(caller.violations).toEqual([]);
    });
  }

  it('echoes pending marks at once on clear', async () => {
    const { caller, socket, received } = await connect();
    const reply = caller.expectReply(8000, 5000);
    socket.send(media(caller.streamSid, 8000));
    await reply;
    socket.send(JSON.stringify({ event: 'mark', streamSid: caller.streamSid, mark: { name: 'late' } }));
    const cleared = caller.nextClear(5000);
    socket.send(JSON.stringify({ event: 'clear', streamSid: caller.streamSid }));
    await cleared;
    // The mark would play 1 s from now; clear releases it.
    await until(() => received.some((m) => m.event === 'mark'));
    expect(caller.clears).toHaveLength(1);
  });

  it('records protocol violations', async () => {
    const { caller, socket } = await connect();
    socket.send(media('MZwrong', 160));
    socket.send(`${media(caller.streamSid, 160)} `.replace('"media"', '"medium"'));
    socket.send(media(caller.streamSid, 160));
    socket.send(Buffer.from([1, 2, 3]));
    socket.send('not json');
    socket.send(`${media(caller.streamSid, 160).slice(0, -1)}`);
    await until(() => caller.violations.length >= 6);
    expect(caller.violations).toEqual([
      'wrong streamSid on media',
      'unexpected event medium',
      'agent audio nobody expected',
      'binary message',
      'not JSON',
      'not JSON',
    ]);
  });
});
