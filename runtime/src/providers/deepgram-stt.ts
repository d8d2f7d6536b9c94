import { DeepgramClient } from '@deepgram/sdk';
import { z } from 'zod';
import { VrmError } from '../errors.js';
import type { Logger } from '../kernel/logger.js';
import { EventQueue } from './event-queue.js';
import {
  bytesPerSecond,
  type SpeechToText,
  type SpeechToTextEvent,
  type SpeechToTextOptions,
  type SpeechToTextSession,
} from './types.js';

export interface DeepgramSpeechToTextOptions {
  readonly apiKey: string;
  /** `wss://api.deepgram.com` by default; any compatible endpoint (`ws://127.0.0.1:PORT` in tests). */
  readonly baseUrl?: string;
  readonly model: string;
  /** Seconds of recent audio kept while reconnecting and resent on the new socket. */
  readonly reconnectBufferSec?: number;
  /** Reconnect attempts after the socket drops mid-call before the session fails. */
  readonly reconnectAttempts?: number;
  readonly connectTimeoutMs?: number;
  readonly log?: Logger;
}

type ListenSocket = Awaited<ReturnType<DeepgramClient['listen']['v1']['connect']>>;
type ConnectArgs = Parameters<DeepgramClient['listen']['v1']['connect']>[0];

const WordSchema = z.object({ start: z.number(), end: z.number() });
const MessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('Results'),
    is_final: z.boolean().optional(),
    speech_final: z.boolean().optional(),
    start: z.number(),
    duration: z.number(),
    channel: z.object({
      alternatives: z.array(
        z.object({ transcript: z.string(), confidence: z.number(), words: z.array(WordSchema).default([]) }),
      ),
    }),
  }),
  z.object({ type: z.literal('SpeechStarted'), timestamp: z.number() }),
  z.object({ type: z.literal('UtteranceEnd'), last_word_end: z.number() }),
  z.object({ type: z.literal('Metadata') }).loose(),
]);

/** Keep-alive cadence while no audio flows; Deepgram closes after ~10 s of silence on the wire. */
const KEEP_ALIVE_MS = 4000;
const RECONNECT_DELAYS_MS = [0, 250, 500, 1000, 2000];

/**
 * Deepgram live transcription (`/v1/listen`) over `@deepgram/sdk` 5.x. The SDK's own reconnect is
 * switched off: it waits 1–5 s before retrying and replays nothing. This adapter reconnects at
 * once instead and resends the audio buffered meanwhile (bounded to `reconnectBufferSec`).
 */
export class DeepgramSpeechToText implements SpeechToText {
  readonly name = 'deepgram';
  private client: DeepgramClient | undefined;

  constructor(private readonly options: DeepgramSpeechToTextOptions) {}

  async open(options: SpeechToTextOptions): Promise<SpeechToTextSession> {
    this.client ??= new DeepgramClient({ apiKey: this.options.apiKey, baseUrl: this.options.baseUrl });
    const args: ConnectArgs = {
      model: this.options.model,
      encoding: options.format.encoding === 'mulaw' ? 'mulaw' : 'linear16',
      sample_rate: String(options.format.sampleRate),
      channels: '1',
      language: options.language,
      interim_results: 'true',
      endpointing: String(options.endpointingMs),
      utterance_end_ms: String(options.utteranceEndMs ?? 1000),
      vad_events: 'true',
      smart_format: 'true',
      punctuate: 'true',
      ...(options.keyterms && options.keyterms.length > 0 ? { keyterm: [...options.keyterms] } : {}),
      reconnectAttempts: 0,
      shouldReconnect: () => false,
    };
    const session = new DeepgramSession(this.client, args, options, this.options);
    await session.start();
    return session;
  }
}

class DeepgramSession implements SpeechToTextSession {
  readonly events = new EventQueue<SpeechToTextEvent>(256, (e) => e.type === 'transcript' && !e.final);
  private socket: ListenSocket | undefined;
  private open = false;
  private started = false;
  private closing = false;
  private reconnecting = false;
  /** Audio waiting for a socket (while reconnecting), oldest first, bounded by `bufferBytes`. */
  private readonly backlog: Uint8Array[] = [];
  private backlogBytes = 0;
  private readonly bufferBytes: number;
  private readonly bytesPerSecond: number;
  /** Audio pushed into the session so far, and where the current socket's audio starts within it. */
  private pushedBytes = 0;
  private socketBaseSec = 0;
  private lastSentAt = performance.now();
  private keepAlive: NodeJS.Timeout | undefined;
  private closed: (() => void) | undefined;

  constructor(
    private readonly client: DeepgramClient,
    private readonly args: ConnectArgs,
    private readonly options: SpeechToTextOptions,
    private readonly adapter: DeepgramSpeechToTextOptions,
  ) {
    this.bytesPerSecond = bytesPerSecond(options.format);
    this.bufferBytes = Math.round(this.bytesPerSecond * (adapter.reconnectBufferSec ?? 2));
    options.signal.addEventListener('abort', () => this.shutdown(), { once: true });
  }

  async start(): Promise<void> {
    this.socket = await this.connect();
    this.started = true;
    this.keepAlive = setInterval(() => this.sendKeepAlive(), KEEP_ALIVE_MS);
    this.keepAlive.unref();
  }

  push(audio: Uint8Array): void {
    if (this.closing) return;
    this.pushedBytes += audio.byteLength;
    if (this.open && this.socket) {
      try {
        this.socket.sendMedia(audio);
        this.lastSentAt = performance.now();
        return;
      } catch {
        // The socket closed under us; the close handler reconnects. Keep the audio meanwhile.
      }
    }
    this.backlog.push(audio);
    this.backlogBytes += audio.byteLength;
    while (this.backlogBytes > this.bufferBytes && this.backlog.length > 1) {
      this.backlogBytes -= this.backlog.shift()!.byteLength;
    }
  }

  finalize(): void {
    if (this.open) this.trySend(() => this.socket?.sendFinalize({ type: 'Finalize' }));
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.keepAlive);
    const socket = this.socket;
    if (socket && this.open) {
      // CloseStream makes Deepgram flush its last results, then close with 1000.
      const closed = new Promise<void>((resolve) => {
        this.closed = resolve;
      });
      this.trySend(() => socket.sendCloseStream({ type: 'CloseStream' }));
      const timer = setTimeout(() => this.closed?.(), 2000);
      await closed;
      clearTimeout(timer);
    }
    socket?.close();
    this.open = false;
    this.events.end();
  }

  private shutdown(): void {
    this.closing = true;
    clearInterval(this.keepAlive);
    this.open = false;
    this.socket?.close();
    this.events.end();
  }

  private async connect(): Promise<ListenSocket> {
    let socket: ListenSocket;
    try {
      socket = await this.client.listen.v1.connect({ ...this.args, abortSignal: this.options.signal });
    } catch (error) {
      throw sttError('Could not connect to Deepgram', error);
    }
    // One handler per event: a second on() would replace the first.
    socket.on('message', (message) => {
      if (socket === this.socket) this.onMessage(message);
    });
    socket.on('close', (event) => {
      if (socket !== this.socket) return;
      this.open = false;
      if (this.closing) {
        this.closed?.();
        return;
      }
      if (!this.started) return;
      this.adapter.log?.warn({ code: event.code }, 'deepgram socket dropped; reconnecting');
      void this.reconnect();
    });
    socket.on('error', (error) => {
      this.adapter.log?.debug({ err: error.message }, 'deepgram socket error');
    });
    this.socket = socket;
    socket.connect();
    await this.waitForOpen(socket);
    this.open = true;
    this.flushBacklog();
    return socket;
  }

  private async waitForOpen(socket: ListenSocket): Promise<void> {
    const timeoutMs = this.adapter.connectTimeoutMs ?? 5000;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        socket.waitForOpen(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no connection after ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } catch (error) {
      socket.close();
      throw sttError('Could not connect to Deepgram', error);
    } finally {
      clearTimeout(timer);
    }
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    const attempts = this.adapter.reconnectAttempts ?? RECONNECT_DELAYS_MS.length;
    let lastError: unknown;
    try {
      for (let attempt = 1; attempt <= attempts && !this.closing; attempt++) {
        const delay = RECONNECT_DELAYS_MS[Math.min(attempt - 1, RECONNECT_DELAYS_MS.length - 1)]!;
        if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
        if (this.closing) return;
        const resentBytes = this.backlogBytes;
        try {
          await this.connect();
          this.events.push({ type: 'reconnected', attempt, resentBytes });
          return;
        } catch (error) {
          lastError = error;
        }
      }
      if (!this.closing)
        this.events.fail(sttError('Deepgram connection lost and could not be re-established', lastError));
    } finally {
      this.reconnecting = false;
    }
  }

  private flushBacklog(): void {
    // Deepgram times words from the first byte a socket receives; that byte is the oldest kept.
    this.socketBaseSec = (this.pushedBytes - this.backlogBytes) / this.bytesPerSecond;
    const socket = this.socket;
    while (socket && this.open && this.backlog.length > 0) {
      const chunk = this.backlog.shift()!;
      this.backlogBytes -= chunk.byteLength;
      this.trySend(() => socket.sendMedia(chunk));
    }
    this.lastSentAt = performance.now();
  }

  private sendKeepAlive(): void {
    if (!this.open || performance.now() - this.lastSentAt < KEEP_ALIVE_MS) return;
    this.trySend(() => this.socket?.sendKeepAlive({ type: 'KeepAlive' }));
    this.lastSentAt = performance.now();
  }

  private trySend(send: () => void): void {
    try {
      send();
    } catch {
      // Not open: the close handler is already reconnecting.
    }
  }

  private onMessage(raw: unknown): void {
    const parsed = MessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const m = parsed.data;
    switch (m.type) {
      case 'Results': {
        const alt = m.channel.alternatives[0];
        if (!alt) return;
        const words = alt.words;
        const base = this.socketBaseSec;
        const startSec = base + (words[0]?.start ?? m.start);
        const endSec = words.length > 0 ? base + words[words.length - 1]!.end : startSec;
        this.events.push({
          type: 'transcript',
          text: alt.transcript,
          final: m.is_final ?? false,
          speechFinal: m.speech_final ?? false,
          confidence: alt.confidence,
          startSec,
          endSec,
        });
        return;
      }
      case 'SpeechStarted':
        this.events.push({ type: 'speech-started', atSec: this.socketBaseSec + m.timestamp });
        return;
      case 'UtteranceEnd':
        this.events.push({ type: 'utterance-end', lastWordEndSec: this.socketBaseSec + m.last_word_end });
        return;
      default:
        return;
    }
  }
}

function sttError(message: string, cause: unknown): VrmError {
  const detail = cause instanceof Error ? cause.message : cause === undefined ? '' : String(cause);
  return new VrmError('stt_failed', detail ? `${message}: ${detail}` : message, {
    status: 502,
    retryable: true,
    cause,
  });
}
