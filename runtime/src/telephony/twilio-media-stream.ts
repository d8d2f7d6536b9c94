import type { WebSocket } from 'ws';
import { VrmError } from '../errors.js';
import { messageBytes } from '../http/websockets.js';
import type { Logger } from '../kernel/logger.js';
import { EventQueue } from '../providers/event-queue.js';
import {
  type AudioFormat,
  TELEPHONY_FORMAT,
  type Telephony,
  type TelephonyEvent,
} from '../providers/types.js';
import { readTwilioMedia, TwilioInboundSchema, type TwilioStart } from './twilio-protocol.js';

/** Hang-up and transfer go through Twilio's REST API; see ./twilio-rest.ts. */
export interface TwilioCallControl {
  hangUp(callSid: string): Promise<void>;
  transfer(callSid: string, target: string): Promise<void>;
}

/** The `start` message's facts the call needs. */
export interface TwilioStreamStart {
  streamSid: string;
  callSid: string;
  accountSid: string;
  customParameters: Record<string, string>;
}

/**
 * One Twilio Media Stream as VRM's `Telephony`: inbound μ-law frames, DTMF and mark echoes become
 * events; outbound audio, marks and `clear` become Twilio messages. Every inbound message is
 * validated (media frames in Twilio's own layout by `readTwilioMedia`, everything else by zod); a
 * malformed one is logged and skipped, never fatal to the call.
 */
export class TwilioMediaStream implements Telephony {
  readonly inputFormat: AudioFormat = TELEPHONY_FORMAT;
  readonly outputFormat: AudioFormat = TELEPHONY_FORMAT;
  /** Resolves on the `start` message; rejects if the socket closes first. */
  readonly started: Promise<TwilioStreamStart>;

  readonly #ws: WebSocket;
  readonly #log: Logger;
  readonly #control: TwilioCallControl | undefined;
  // Audio frames may be dropped under pressure; marks, keypresses and stop never are.
  readonly #events = new EventQueue<TelephonyEvent>(500, (e) => e.type === 'audio');
  #start: TwilioStreamStart | undefined;
  #invalid = 0;
  #onAudio: ((data: Uint8Array) => void) | undefined;

  constructor(ws: WebSocket, options: { log: Logger; control?: TwilioCallControl | undefined }) {
    this.#ws = ws;
    this.#log = options.log;
    this.#control = options.control;
    let resolveStart!: (start: TwilioStreamStart) => void;
    let rejectStart!: (error: Error) => void;
    this.started = new Promise((resolve, reject) => {
      resolveStart = resolve;
      rejectStart = reject;
    });
    this.started.catch(() => {});

    ws.on('message', (raw, isBinary) => {
      if (isBinary) return this.#reject('binary frame');
      const bytes = messageBytes(raw);
      // Media frames (50 a second) in Twilio's layout skip the text, JSON.parse and zod.
      const media = readTwilioMedia(bytes);
      if (media) {
        if (media.inbound) this.#audio(media.audio);
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(bytes.toString());
      } catch {
        return this.#reject('not JSON');
      }
      const parsed = TwilioInboundSchema.safeParse(json);
      if (!parsed.success) return this.#reject(parsed.error.issues[0]?.message ?? 'invalid');
      const message = parsed.data;
      switch (message.event) {
        case 'media':
          if (message.media.track === 'inbound') this.#audio(Buffer.from(message.media.payload, 'base64'));
          return;
        case 'start':
          this.#start = startFacts(message);
          resolveStart(this.#start);
          return;
        case 'dtmf':
          this.#events.push({ type: 'dtmf', digit: message.dtmf.digit });
          return;
        case 'mark':
          this.#events.push({ type: 'mark', name: message.mark.name });
          return;
        case 'stop':
          this.#events.push({ type: 'stop' });
          this.#events.end();
          return;
        case 'connected':
          return;
      }
    });
    ws.on('close', () => {
      rejectStart(new VrmError('twilio_stream_closed', 'The media stream closed before it started'));
      this.#events.push({ type: 'stop' });
      this.#events.end();
    });
    ws.on('error', (error) => this.#log.warn({ err: error }, 'twilio media stream socket error'));
  }

  events(): AsyncIterable<TelephonyEvent> {
    return this.#events;
  }

  onAudio(listener: ((data: Uint8Array) => void) | undefined): void {
    this.#onAudio = listener;
  }

  sendAudio(data: Uint8Array): void {
    if (!this.#start || this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(
      `{"event":"media","streamSid":"${this.#start.streamSid}","media":{"payload":"${Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64')}"}}`,
    );
  }

  sendMark(name: string): void {
    this.#send({ event: 'mark', streamSid: this.#start?.streamSid, mark: { name } });
  }

  clear(): void {
    this.#send({ event: 'clear', streamSid: this.#start?.streamSid });
  }

  async hangUp(): Promise<void> {
    const callSid = this.#start?.callSid;
    try {
      if (callSid && this.#control) await this.#control.hangUp(callSid);
    } finally {
      // Closing the stream alone also ends <Connect>; Twilio then runs any TwiML after it.
      if (this.#ws.readyState === this.#ws.OPEN) this.#ws.close(1000, 'call ended');
    }
  }

  async transfer(target: string): Promise<void> {
    const callSid = this.#start?.callSid;
    if (!callSid || !this.#control) {
      throw new VrmError('transfer_unavailable', 'Transfers need TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
    }
    await this.#control.transfer(callSid, target);
  }

  #audio(data: Buffer) {
    if (this.#onAudio) this.#onAudio(data);
    else this.#events.push({ type: 'audio', data });
  }

  #send(message: object) {
    if (!this.#start || this.#ws.readyState !== this.#ws.OPEN) return;
    this.#ws.send(JSON.stringify(message));
  }

  #reject(reason: string) {
    this.#invalid += 1;
    // One line per hundred bad messages: a broken client must not flood the log.
    if (this.#invalid % 100 === 1)
      this.#log.warn({ reason, count: this.#invalid }, 'ignoring invalid Twilio message');
  }
}

function startFacts(message: TwilioStart): TwilioStreamStart {
  return {
    streamSid: message.start.streamSid,
    callSid: message.start.callSid,
    accountSid: message.start.accountSid,
    customParameters: message.start.customParameters,
  };
}
