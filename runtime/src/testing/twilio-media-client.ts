import WebSocket from 'ws';
import { MULAW_8K_FRAME_BYTES, TELEPHONY_FRAME_MS } from '../audio/frames.js';
import { MULAW_SILENCE } from '../audio/g711.js';
import {
  type TwilioOutboundMessage,
  TwilioOutboundMessageSchema,
  twilioMediaMessage,
  twilioSid,
  twilioSignature,
} from './twilio-media-protocol.js';
import { type ProtocolViolation, parseJson, ViolationLog } from './violations.js';

export { twilioSignature } from './twilio-media-protocol.js';

/** Options of {@link connectTwilioCaller}. */
export interface TwilioCallerOptions {
  /** The application's Media Streams endpoint, e.g. `ws://127.0.0.1:P/telephony/twilio/stream`. */
  url: string;
  accountSid?: string;
  callSid?: string;
  streamSid?: string;
  /** `<Parameter>` values of the TwiML `<Stream>`, delivered in `start.customParameters`. */
  customParameters?: Record<string, string>;
  /** When set, the upgrade carries `X-Twilio-Signature` over `signatureUrl` (default: `url` as `wss://`). */
  authToken?: string;
  signatureUrl?: string;
  /** `realtime` (default): one 20 ms frame every 20 ms, like a live call. `fast`: frames as fast as the socket takes them. */
  pacing?: 'realtime' | 'fast';
  /** In realtime pacing, send μ-law silence when no audio is queued, as Twilio does. Default true. */
  fillSilence?: boolean;
  /** Outbound playback clock: `realtime` (8000 bytes/s) or `instant`. Default: follows `pacing`. */
  playback?: 'realtime' | 'instant';
  /** Extra ws options, e.g. `ca` for a wss endpoint. */
  wsOptions?: WebSocket.ClientOptions;
}

/** A mark the caller echoed, with how much outbound audio had played by then. */
export interface EchoedMark {
  readonly name: string;
  readonly playedBytes: number;
  /** True when it was echoed because of `clear`, before its audio played. */
  readonly cleared: boolean;
}

/** A simulated Twilio leg of a call; see {@link connectTwilioCaller}. */
export interface TwilioCaller {
  readonly accountSid: string;
  readonly callSid: string;
  readonly streamSid: string;
  /** Every valid message the application sent, in order. */
  readonly received: readonly TwilioOutboundMessage[];
  readonly echoedMarks: readonly EchoedMark[];
  /** Messages that broke the protocol (malformed, wrong streamSid, audio with a header…). */
  readonly violations: readonly ProtocolViolation[];
  /** Outbound audio bytes the playback clock has consumed. */
  readonly playedBytes: number;
  /** All μ-law audio the application sent (including any later cleared). */
  outboundAudio(): Buffer;
  /** Queues caller audio (μ-law 8 kHz), cut into 160-byte frames; resolves once all are sent. */
  sendAudio(mulaw: Uint8Array): Promise<void>;
  /** Queues `ms` of silence. */
  sendSilence(ms: number): Promise<void>;
  /** Sends a keypad digit after the audio queued so far. */
  sendDtmf(digit: string): Promise<void>;
  /** Resolves when a message matching `predicate` has been received. */
  waitFor(
    predicate: (m: TwilioOutboundMessage) => boolean,
    timeoutMs?: number,
  ): Promise<TwilioOutboundMessage>;
  /** Resolves when the mark named `name` has been echoed. */
  waitForMark(name: string, timeoutMs?: number): Promise<EchoedMark>;
  /** The caller hangs up: `stop`, then close 1000. */
  hangUp(): Promise<void>;
  /** Resolves when the socket closes, by either side. */
  readonly closed: Promise<{ code: number; reason: string }>;
}

type Pending = { frame: Uint8Array; done?: () => void } | { dtmf: string; done: () => void };
type PlaybackItem = { audio: number } | { mark: string };

/**
 * Dials the application's Media Streams WebSocket as Twilio does: `connected`, `start`, then
 * 20 ms μ-law `media` frames; echoes `mark`s when its playback clock passes them, flushes on
 * `clear`, and validates everything the application sends against Twilio's schema.
 */
export async function connectTwilioCaller(options: TwilioCallerOptions): Promise<TwilioCaller> {
  const log = new ViolationLog('twilio');
  const accountSid = options.accountSid ?? twilioSid('AC');
  const callSid = options.callSid ?? twilioSid('CA');
  const streamSid = options.streamSid ?? twilioSid('MZ');
  const realtime = (options.pacing ?? 'realtime') === 'realtime';
  const realtimePlayback = (options.playback ?? (realtime ? 'realtime' : 'instant')) === 'realtime';
  const headers: Record<string, string> = {
    ...(options.wsOptions?.headers as Record<string, string> | undefined),
  };
  if (options.authToken) {
    const signed = options.signatureUrl ?? options.url.replace(/^ws(s)?:/, 'wss:');
    headers['X-Twilio-Signature'] = twilioSignature(options.authToken, signed);
  }
  const ws = new WebSocket(options.url, { ...options.wsOptions, headers });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  ws.on('error', () => {});

  let sequence = 0;
  let chunk = 0;
  /** A message object, or a media message already written as Twilio's text. */
  const send = (message: Record<string, unknown> | string) => {
    if (ws.readyState === ws.OPEN) ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  };
  const next = () => String(++sequence);
  send({ event: 'connected', protocol: 'Call', version: '1.0.0' });
  send({
    event: 'start',
    sequenceNumber: next(),
    start: {
      accountSid,
      streamSid,
      callSid,
      tracks: ['inbound'],
      customParameters: options.customParameters ?? {},
      mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
    },
    streamSid,
  });

  // Caller → application.
  const outgoing: Pending[] = [];
  const silence = new Uint8Array(MULAW_8K_FRAME_BYTES).fill(MULAW_SILENCE);
  const sendNext = (): boolean => {
    const item = outgoing.shift();
    if (!item && !(realtime && (options.fillSilence ?? true))) return false;
    if (item && 'dtmf' in item) {
      send({
        event: 'dtmf',
        streamSid,
        sequenceNumber: next(),
        dtmf: { track: 'inbound_track', digit: item.dtmf },
      });
      item.done();
      return true;
    }
    chunk++;
    const payload = Buffer.from(
      (item?.frame ?? silence).buffer,
      item?.frame.byteOffset ?? 0,
      MULAW_8K_FRAME_BYTES,
    );
    send(
      twilioMediaMessage({
        sequenceNumber: ++sequence,
        chunk,
        payload: payload.toString('base64'),
        streamSid,
      }),
    );
    item?.done?.();
    return true;
  };
  const enqueue = (items: Pending[]) => {
    outgoing.push(...items);
    if (!realtime) while (outgoing.length > 0) sendNext();
  };

  // Application → caller: a playback queue drained by the clock.
  const received: TwilioOutboundMessage[] = [];
  const audio: Buffer[] = [];
  const echoedMarks: EchoedMark[] = [];
  const playback: PlaybackItem[] = [];
  let playedBytes = 0;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  const echo = (name: string, cleared: boolean) => {
    echoedMarks.push({ name, playedBytes, cleared });
    send({ event: 'mark', sequenceNumber: next(), streamSid, mark: { name } });
    wake();
  };
  const play = (budget: number) => {
    while (playback.length > 0) {
      const head = playback[0]!;
      if ('mark' in head) {
        playback.shift();
        echo(head.mark, false);
        continue;
      }
      if (budget <= 0) break;
      const take = Math.min(head.audio, budget);
      head.audio -= take;
      budget -= take;
      playedBytes += take;
      if (head.audio === 0) playback.shift();
    }
  };

  ws.on('message', (data, isBinary) => {
    const text = isBinary ? '' : data.toString();
    const parsed = parseJson(text);
    if (isBinary || !parsed.ok)
      return log.record('Twilio accepts JSON text messages only', isBinary ? '<binary>' : text);
    const message = log.check(TwilioOutboundMessageSchema, parsed.value, 'malformed message to Twilio', text);
    if (!message) return;
    if (message.streamSid !== streamSid)
      return log.record(`streamSid ${message.streamSid} is not this stream's`, text);
    received.push(message);
    if (message.event === 'media') {
      const bytes = Buffer.from(message.media.payload, 'base64');
      if (bytes.subarray(0, 4).toString('latin1') === 'RIFF')
        log.record('media payload has a WAV header; send raw μ-law', text.slice(0, 80));
      audio.push(bytes);
      playback.push({ audio: bytes.length });
      if (!realtimePlayback) play(Number.POSITIVE_INFINITY);
    } else if (message.event === 'mark') {
      playback.push({ mark: message.mark.name });
      play(realtimePlayback ? 0 : Number.POSITIVE_INFINITY);
    } else {
      const pending = playback.filter((p): p is { mark: string } => 'mark' in p);
      playback.length = 0;
      for (const p of pending) echo(p.mark, true);
    }
    wake();
  });

  // One clock for both directions: every 20 ms, send a frame and play 160 bytes. Scheduling
  // against the start time keeps the average rate exact despite timer jitter.
  let timer: NodeJS.Timeout | undefined;
  const started = performance.now();
  let ticks = 0;
  const tick = () => {
    ticks++;
    if (realtime) sendNext();
    if (realtimePlayback) play(MULAW_8K_FRAME_BYTES);
    timer = setTimeout(tick, Math.max(0, started + (ticks + 1) * TELEPHONY_FRAME_MS - performance.now()));
  };
  if (realtime || realtimePlayback) timer = setTimeout(tick, TELEPHONY_FRAME_MS);
  void closed.then(() => {
    clearTimeout(timer);
    for (const item of outgoing.splice(0)) item.done?.();
    wake();
  });

  const waitFor = <T>(find: () => T | undefined, timeoutMs: number, what: string) =>
    new Promise<T>((resolve, reject) => {
      const check = () => {
        const hit = find();
        if (hit === undefined) return;
        waiters.delete(check);
        clearTimeout(t);
        resolve(hit);
      };
      const t = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`Twilio caller: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });

  function sendAudio(mulaw: Uint8Array): Promise<void> {
    if (mulaw.length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const items: Pending[] = [];
      for (let i = 0; i < mulaw.length; i += MULAW_8K_FRAME_BYTES) {
        const frame = new Uint8Array(MULAW_8K_FRAME_BYTES).fill(MULAW_SILENCE);
        frame.set(mulaw.subarray(i, i + MULAW_8K_FRAME_BYTES));
        items.push({ frame });
      }
      (items.at(-1) as { done?: () => void }).done = resolve;
      enqueue(items);
    });
  }

  return {
    accountSid,
    callSid,
    streamSid,
    received,
    echoedMarks,
    violations: log.violations,
    get playedBytes() {
      return playedBytes;
    },
    outboundAudio: () => Buffer.concat(audio),
    sendAudio,
    sendSilence: (ms) => sendAudio(new Uint8Array(Math.round(ms * 8)).fill(MULAW_SILENCE)),
    sendDtmf(digit) {
      return new Promise((resolve) => enqueue([{ dtmf: digit, done: resolve }]));
    },
    waitFor: (predicate, timeoutMs = 5000) => waitFor(() => received.find(predicate), timeoutMs, 'a message'),
    waitForMark: (name, timeoutMs = 5000) =>
      waitFor(() => echoedMarks.find((m) => m.name === name), timeoutMs, `mark ${name}`),
    async hangUp() {
      clearTimeout(timer);
      send({ event: 'stop', sequenceNumber: next(), stop: { accountSid, callSid }, streamSid });
      if (ws.readyState === ws.OPEN) ws.close(1000);
      await closed;
    },
    closed,
  };
}
