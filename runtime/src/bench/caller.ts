import WebSocket from 'ws';
import { MULAW_8K_FRAME_BYTES, TELEPHONY_FRAME_MS } from '../audio/frames.js';
import { encodeMulaw, MULAW_SILENCE } from '../audio/g711.js';
import {
  TwilioOutboundMessageSchema,
  twilioMediaMessage,
  twilioSid,
  twilioSignature,
} from '../testing/twilio-media-protocol.js';

const BYTES_PER_MS = 8;
/** 20 ms of a 1 kHz tone at about −15 dBFS: well above the STT test server's speech threshold. */
const SPEECH_PAYLOAD = (() => {
  const pcm = new Int16Array(MULAW_8K_FRAME_BYTES);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
  return Buffer.from(encodeMulaw(pcm)).toString('base64');
})();
const SILENCE_PAYLOAD = Buffer.alloc(MULAW_8K_FRAME_BYTES, MULAW_SILENCE).toString('base64');

export interface BenchCallerOptions {
  /** `ws://127.0.0.1:P/telephony/twilio/stream`, from the TwiML. */
  url: string;
  /** The TwiML `<Parameter>`s, delivered in `start.customParameters`. */
  customParameters: Record<string, string>;
  callSid: string;
  accountSid: string;
  /** Signs the upgrade with X-Twilio-Signature (over the stream URL as the TwiML gives it) when set. */
  authToken?: string;
  /** Check every message against Twilio's schema (zod). Off under load: it is the caller's CPU, not the runtime's. */
  validate?: boolean;
}

/** When a caller utterance went out (`performance.now()`). */
export interface SpeechSent {
  /** The last speech frame. */
  readonly lastSpeechAt: number;
  /** The last of the silent frames requested after it (= lastSpeechAt with none). */
  readonly tailAt: number;
}

/** Per-reply facts the caller observed; times are `performance.now()` in the benchmark process. */
export interface ReplyObservation {
  firstAudioAt: number;
  bytes: number;
  /** For each media message after the first: arrival minus when the playback clock needed it (ms; > 0 is a gap). */
  lateness: number[];
}

/**
 * A Twilio Media Streams caller built for load: one 20 ms μ-law frame per tick (speech or
 * silence, pre-encoded), outbound audio played on an 8000 bytes/s clock, marks echoed when the
 * clock passes them, `clear` honoured — and every arrival timestamped. Unlike the test caller in
 * `testing/`, it keeps no message log and validates only on request, so hundreds fit in one
 * process.
 */
export class BenchCaller {
  readonly streamSid = twilioSid('MZ');
  framesSent = 0;
  violations: string[] = [];
  /** Arrival times of every `clear`. */
  readonly clears: number[] = [];

  readonly #ws: WebSocket;
  readonly #options: BenchCallerOptions;
  #sequence = 0;
  #speechFrames = 0;
  #paused = false;
  #lastSpeechSentAt = 0;
  /** Frames still to send after the speech before `#speechSent` resolves. */
  #tailFrames = 0;
  #tailRemaining = -1;
  #speechSent: ((sent: SpeechSent) => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ticks = 0;
  #clockStart = 0;
  /** `{"event":"media","streamSid":"<ours>","media":{"payload":"` as the runtime writes it. */
  readonly #mediaPrefix: Buffer;
  /** Monotonic ms when everything received so far has played. */
  #playEndsAt = 0;
  readonly #markTimers = new Set<{ timer: NodeJS.Timeout; name: string }>();
  #reply: ReplyObservation | undefined;
  #replyExpected = 0;
  #onReply: ((reply: ReplyObservation) => void) | undefined;
  #onFirstAudio: ((at: number) => void) | undefined;
  #onClear: ((at: number) => void) | undefined;
  readonly closed: Promise<number>;

  private constructor(ws: WebSocket, options: BenchCallerOptions) {
    this.#ws = ws;
    this.#options = options;
    this.#mediaPrefix = Buffer.from(`{"event":"media","streamSid":"${this.streamSid}","media":{"payload":"`);
    this.closed = new Promise((resolve) => ws.once('close', (code) => resolve(code)));
    void this.closed.then(() => this.#stopClock());
    ws.on('message', (data, isBinary) => {
      const now = performance.now();
      if (isBinary) return void this.violations.push('binary message');
      // Text frames arrive as one Buffer (ws's default binaryType).
      const bytes = Buffer.isBuffer(data)
        ? data
        : Array.isArray(data)
          ? Buffer.concat(data)
          : Buffer.from(data);
      if (!this.#options.validate && this.#receiveMedia(bytes, now)) return;
      this.#receive(bytes.toString(), now);
    });
  }

  /** Dials the stream, sends `connected` and `start`, and starts the 20 ms clock. */
  static async dial(options: BenchCallerOptions): Promise<BenchCaller> {
    const headers: Record<string, string> = {};
    if (options.authToken) headers['X-Twilio-Signature'] = twilioSignature(options.authToken, options.url);
    const ws = new WebSocket(options.url, { headers, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('error', () => {});
    const caller = new BenchCaller(ws, options);
    caller.#start();
    return caller;
  }

  /**
   * Sends `ms` of speech; resolves once `tailFrames` more (silent) frames went out, with the send
   * times of the last speech frame and of that last tail frame.
   */
  speak(ms: number, tailFrames = 0): Promise<SpeechSent> {
    this.#speechFrames += Math.max(1, Math.round(ms / TELEPHONY_FRAME_MS));
    this.#tailFrames = tailFrames;
    return new Promise((resolve) => {
      this.#speechSent = resolve;
    });
  }

  /** Stops sending frames (to count them against what the STT received), or resumes. */
  pause(paused: boolean): void {
    this.#paused = paused;
  }

  /**
   * The next reply: `bytes` of agent audio. Resolves when all of it arrived (or rejects after
   * `timeoutMs` with what arrived). `onFirstAudio` fires when its first audio arrives.
   */
  expectReply(
    bytes: number,
    timeoutMs: number,
    onFirstAudio?: (at: number) => void,
  ): Promise<ReplyObservation> {
    this.#reply = undefined;
    this.#replyExpected = bytes;
    this.#onFirstAudio = onFirstAudio;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#onReply = undefined;
        reject(
          new Error(`reply incomplete after ${timeoutMs} ms: ${this.#reply?.bytes ?? 0} of ${bytes} bytes`),
        );
      }, timeoutMs);
      this.#onReply = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
    });
  }

  /** Resolves with the arrival time of the next `clear`. */
  nextClear(timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no clear within ${timeoutMs} ms`)), timeoutMs);
      this.#onClear = (at) => {
        clearTimeout(timer);
        resolve(at);
      };
    });
  }

  /** Resolves once everything received so far has played on the caller's clock. */
  async played(): Promise<void> {
    const wait = this.#playEndsAt - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  /** `stop`, then close 1000, as Twilio does when the caller hangs up. */
  async hangUp(): Promise<void> {
    this.#stopClock();
    this.#send(
      `{"event":"stop","sequenceNumber":"${++this.#sequence}","stop":{"accountSid":"${this.#options.accountSid}","callSid":"${this.#options.callSid}"},"streamSid":"${this.streamSid}"}`,
    );
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.close(1000);
    await this.closed;
  }

  #start() {
    const { accountSid, callSid, customParameters } = this.#options;
    this.#send(JSON.stringify({ event: 'connected', protocol: 'Call', version: '1.0.0' }));
    this.#send(
      JSON.stringify({
        event: 'start',
        sequenceNumber: String(++this.#sequence),
        start: {
          accountSid,
          streamSid: this.streamSid,
          callSid,
          tracks: ['inbound'],
          customParameters,
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
        streamSid: this.streamSid,
      }),
    );
    this.#clockStart = performance.now();
    this.#timer = setTimeout(this.#tick, TELEPHONY_FRAME_MS);
  }

  // Scheduled against the start time, so timer jitter never changes the average frame rate.
  // (One shared clock for all callers was measured: no gain the benchmark could see.) One bound
  // callback for the call's life, not a new closure per frame.
  readonly #tick = () => {
    this.#ticks++;
    if (!this.#paused) this.#sendFrame();
    const next = this.#clockStart + (this.#ticks + 1) * TELEPHONY_FRAME_MS - performance.now();
    this.#timer = setTimeout(this.#tick, Math.max(0, next));
  };

  #sendFrame() {
    const speech = this.#speechFrames > 0;
    const chunk = ++this.framesSent;
    const text = twilioMediaMessage({
      sequenceNumber: ++this.#sequence,
      chunk,
      payload: speech ? SPEECH_PAYLOAD : SILENCE_PAYLOAD,
      streamSid: this.streamSid,
    });
    // The same text frame as `send(text)`, but a Buffer goes out as one write (ws masks it into
    // the frame's own buffer) where a string costs a corked two-buffer writev.
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(Buffer.from(text), { binary: false });
    if (speech) {
      this.#lastSpeechSentAt = performance.now();
      if (--this.#speechFrames > 0) return;
      this.#tailRemaining = this.#tailFrames;
    } else if (this.#tailRemaining > 0) {
      this.#tailRemaining--;
    } else {
      return;
    }
    if (this.#tailRemaining === 0) {
      this.#tailRemaining = -1;
      const done = this.#speechSent;
      this.#speechSent = undefined;
      done?.({ lastSpeechAt: this.#lastSpeechSentAt, tailAt: performance.now() });
    }
  }

  #stopClock() {
    clearTimeout(this.#timer);
    for (const m of this.#markTimers) clearTimeout(m.timer);
    this.#markTimers.clear();
  }

  #send(text: string) {
    if (this.#ws.readyState === WebSocket.OPEN) this.#ws.send(text);
  }

  /**
   * The runtime's agent audio, 50 messages a second per reply, without decoding or parsing it: a
   * message exactly `{"event":"media","streamSid":"<ours>","media":{"payload":"<base64>"}}` is what
   * JSON.parse would make of it. Anything else (false) takes the full path.
   */
  #receiveMedia(bytes: Buffer, now: number): boolean {
    const prefix = this.#mediaPrefix;
    const end = bytes.length - 3;
    if (end < prefix.length || bytes.compare(prefix, 0, prefix.length, 0, prefix.length) !== 0) return false;
    if (bytes[end] !== QUOTE || bytes[end + 1] !== BRACE || bytes[end + 2] !== BRACE) return false;
    for (let i = prefix.length; i < end; i++) if (BASE64[bytes[i]!] === 0) return false;
    const pad = bytes[end - 1] === EQUALS ? (bytes[end - 2] === EQUALS ? 2 : 1) : 0;
    this.#onMedia(((end - prefix.length) * 3) / 4 - pad, now);
    return true;
  }

  #receive(text: string, now: number) {
    let message: {
      event?: string;
      streamSid?: string;
      media?: { payload?: string };
      mark?: { name?: string };
    };
    try {
      message = JSON.parse(text);
    } catch {
      return void this.violations.push('not JSON');
    }
    if (this.#options.validate) {
      const checked = TwilioOutboundMessageSchema.safeParse(message);
      if (!checked.success)
        return void this.violations.push(`malformed ${message.event}: ${checked.error.issues[0]?.message}`);
    }
    if (message.streamSid !== this.streamSid)
      return void this.violations.push(`wrong streamSid on ${message.event}`);
    if (message.event === 'media') this.#onMedia(decodedLength(message.media?.payload ?? ''), now);
    else if (message.event === 'mark') this.#onMark(message.mark?.name ?? '', now);
    else if (message.event === 'clear') this.#clear(now);
    else this.violations.push(`unexpected event ${message.event}`);
  }

  #onMedia(bytes: number, now: number) {
    const reply = this.#reply;
    if (!reply) {
      if (this.#replyExpected === 0) return void this.violations.push('agent audio nobody expected');
      this.#reply = { firstAudioAt: now, bytes, lateness: [] };
      this.#onFirstAudio?.(now);
    } else {
      // The playback clock needed this audio when the previous audio finished playing.
      reply.lateness.push(now - this.#playEndsAt);
      reply.bytes += bytes;
    }
    this.#playEndsAt = Math.max(now, this.#playEndsAt) + bytes / BYTES_PER_MS;
    const current = this.#reply!;
    if (current.bytes >= this.#replyExpected) {
      if (current.bytes > this.#replyExpected)
        this.violations.push(`reply longer than expected: ${current.bytes} bytes`);
      this.#reply = undefined;
      this.#replyExpected = 0;
      const done = this.#onReply;
      this.#onReply = undefined;
      done?.(current);
    }
  }

  #onMark(name: string, now: number) {
    const entry = { name, timer: setTimeout(() => this.#echo(entry), Math.max(0, this.#playEndsAt - now)) };
    this.#markTimers.add(entry);
  }

  #echo(entry: { name: string; timer: NodeJS.Timeout }) {
    this.#markTimers.delete(entry);
    this.#send(
      `{"event":"mark","sequenceNumber":"${++this.#sequence}","streamSid":"${this.streamSid}","mark":{"name":${JSON.stringify(entry.name)}}}`,
    );
  }

  #clear(now: number) {
    this.clears.push(now);
    this.#playEndsAt = now;
    // Twilio echoes the marks of cleared audio at once.
    for (const m of [...this.#markTimers]) {
      clearTimeout(m.timer);
      this.#echo(m);
    }
    const onClear = this.#onClear;
    this.#onClear = undefined;
    onClear?.(now);
  }
}

const QUOTE = 0x22;
const BRACE = 0x7d;
const EQUALS = 0x3d;
/** 1 for the bytes of the base64 alphabet (and `=`): a payload of only these needs no JSON unescaping. */
const BASE64 = (() => {
  const table = new Uint8Array(256);
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=')
    table[c.charCodeAt(0)] = 1;
  return table;
})();

/** Bytes a base64 string decodes to, without decoding it. */
function decodedLength(b64: string): number {
  const pad = b64.endsWith('==') ? 2 : b64.endsWith('=') ? 1 : 0;
  return (b64.length * 3) / 4 - pad;
}
