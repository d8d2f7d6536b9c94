import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Cartesia } from '@cartesia/cartesia-js';
import type { GenerationRequest, WebsocketResponse } from '@cartesia/cartesia-js/resources/tts';
import type { TTSWS } from '@cartesia/cartesia-js/resources/tts/ws';
import { VrmError } from '../errors.js';
import type { Logger } from '../kernel/logger.js';
import { EventQueue } from './event-queue.js';
import type { TextToSpeech, TextToSpeechContext, TextToSpeechEvent, TextToSpeechOptions } from './types.js';

// The SDK's ESM build calls `require('ws')`, which throws on Node 20 (no global WebSocket); its
// CommonJS build loads `ws` properly.
const require = createRequire(import.meta.url);
const { Cartesia: CartesiaClient } =
  require('@cartesia/cartesia-js') as typeof import('@cartesia/cartesia-js');

export interface CartesiaTextToSpeechOptions {
  readonly apiKey: string;
  /** `https://api.cartesia.ai` by default. The SDK always dials `wss://` on this host. */
  readonly baseURL?: string;
  readonly model: string;
  /** Cartesia waits up to this long for more text before synthesising (0–5000 ms). */
  readonly maxBufferDelayMs?: number;
  /** Extra CA certificate (PEM) to trust for the WebSocket, e.g. a private gateway's. */
  readonly ca?: string;
  readonly log?: Logger;
}

/**
 * Cartesia streaming TTS over one long-lived WebSocket (`@cartesia/cartesia-js` 4.x): one context
 * per agent reply, text pushed as continuations, `cancel` on barge-in. Events are routed by
 * `context_id` here, so late frames of a cancelled context are dropped.
 */
export class CartesiaTextToSpeech implements TextToSpeech {
  readonly name = 'cartesia';
  private readonly client: Cartesia;
  private connection: Promise<TTSWS> | undefined;
  private readonly contexts = new Map<string, CartesiaContext>();

  constructor(private readonly options: CartesiaTextToSpeechOptions) {
    this.client = new CartesiaClient({ apiKey: options.apiKey, baseURL: options.baseURL, maxRetries: 0 });
  }

  createContext(options: TextToSpeechOptions): TextToSpeechContext {
    const context = new CartesiaContext(this, this.request(options), options.signal);
    this.contexts.set(context.id, context);
    return context;
  }

  warmUp(): void {
    // A failed connect forgets itself; the first context then retries and reports the error.
    this.socket().catch(() => undefined);
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    for (const c of this.contexts.values()) c.cancel();
    (await connection?.catch(() => undefined))?.close();
  }

  /** @internal */
  socket(): Promise<TTSWS> {
    this.connection ??= this.connect();
    return this.connection;
  }

  /** @internal */
  forget(id: string): void {
    this.contexts.delete(id);
  }

  private async connect(): Promise<TTSWS> {
    let ws: TTSWS;
    try {
      ws = await this.client.tts.websocket(this.options.ca ? { ca: this.options.ca } : undefined);
    } catch (error) {
      this.connection = undefined;
      throw ttsError('Could not connect to Cartesia', error);
    }
    ws.on('event', (event) => this.route(event));
    // Without an error listener the SDK turns server errors into unhandled rejections.
    ws.on('error', (error) => {
      if (error.error) return; // an error event: already routed to its context
      this.options.log?.warn({ err: error.message }, 'cartesia socket error');
      this.failAll(ttsError('Cartesia connection failed', error));
    });
    ws.socket.addEventListener('close', () => {
      if (this.connection) this.connection = undefined;
      this.failAll(ttsError('Cartesia connection closed', undefined));
    });
    return ws;
  }

  private route(event: WebsocketResponse): void {
    const id = event.context_id;
    const context = id ? this.contexts.get(id) : undefined;
    if (context) context.receive(event);
    else if (event.type === 'error' && !id) this.failAll(ttsError(event.message || event.title, undefined));
  }

  private failAll(error: VrmError): void {
    for (const c of this.contexts.values()) c.fail(error);
  }

  private request(options: TextToSpeechOptions): Omit<GenerationRequest, 'transcript' | 'context_id'> {
    return {
      model_id: this.options.model,
      voice: { mode: 'id', id: options.voice },
      output_format: {
        container: 'raw',
        encoding: options.format.encoding === 'mulaw' ? 'pcm_mulaw' : 'pcm_s16le',
        sample_rate: options.format.sampleRate as 8000,
      },
      language: (options.language ?? 'en').split('-')[0]!.toLowerCase() as GenerationRequest['language'],
      add_timestamps: true,
      ...(this.options.maxBufferDelayMs === undefined
        ? {}
        : { max_buffer_delay_ms: this.options.maxBufferDelayMs }),
    };
  }
}

class CartesiaContext implements TextToSpeechContext {
  readonly id = `vrm-${randomUUID()}`;
  // Audio arrives faster than real time but is forwarded at once; the bound only guards memory.
  readonly events = new EventQueue<TextToSpeechEvent>(4096, (e) => e.type === 'words');
  private sending: Promise<void> = Promise.resolve();
  private finished = false;

  constructor(
    private readonly owner: CartesiaTextToSpeech,
    private readonly base: Omit<GenerationRequest, 'transcript' | 'context_id'>,
    signal: AbortSignal,
  ) {
    if (signal.aborted) this.cancel();
    else signal.addEventListener('abort', () => this.cancel(), { once: true });
  }

  push(text: string): void {
    if (text !== '') this.send({ transcript: text, continue: true });
  }

  flush(): void {
    this.send({ transcript: '', continue: true, flush: true });
  }

  end(): void {
    this.send({ transcript: '', continue: false });
  }

  cancel(): void {
    if (this.finished) return;
    this.finish();
    this.events.end();
    const id = this.id;
    // Queued after any pending input so the server never sees input for a cancelled context.
    this.sending = this.sending.then(async () => {
      const ws = await this.owner.socket();
      await ws.cancelContext(id);
    });
    this.sending.catch(() => undefined);
  }

  /** @internal */
  receive(event: WebsocketResponse): void {
    if (this.finished) return;
    switch (event.type) {
      case 'chunk':
        if (event.audio && event.audio.byteLength > 0) this.events.push({ type: 'audio', data: event.audio });
        return;
      case 'timestamps': {
        const w = event.word_timestamps;
        if (w) this.events.push({ type: 'words', words: w.words, startSec: w.start, endSec: w.end });
        return;
      }
      case 'done':
        this.finish();
        this.events.end();
        return;
      case 'error':
        this.fail(ttsError(event.message || event.title || 'Cartesia error', undefined, event.status_code));
        return;
      default:
        return;
    }
  }

  /** @internal */
  fail(error: VrmError): void {
    if (this.finished) return;
    this.finish();
    this.events.fail(error);
  }

  private finish(): void {
    this.finished = true;
    this.owner.forget(this.id);
  }

  private send(fields: Pick<GenerationRequest, 'transcript' | 'continue' | 'flush'>): void {
    if (this.finished) return;
    const message: GenerationRequest = { ...this.base, ...fields, context_id: this.id };
    this.sending = this.sending.then(async () => {
      if (this.finished) return;
      const ws = await this.owner.socket();
      await ws.send(message);
    });
    this.sending.catch((error: unknown) => this.fail(ttsError('Could not send to Cartesia', error)));
  }
}

function ttsError(message: string, cause: unknown, providerStatus?: number): VrmError {
  const detail = cause instanceof Error ? cause.message : '';
  return new VrmError('tts_failed', detail ? `${message}: ${detail}` : message, {
    status: 502,
    retryable: providerStatus === undefined || providerStatus >= 500 || providerStatus === 429,
    cause,
    details: providerStatus === undefined ? undefined : { providerStatus },
  });
}
