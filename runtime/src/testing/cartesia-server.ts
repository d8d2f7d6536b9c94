import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import {
  CancelRequestSchema,
  type CartesiaErrorSpec,
  contextSettings,
  errorMessage,
  type GenerationRequest,
  GenerationRequestSchema,
  sampleBytes,
  synthesizeTone,
} from './cartesia-protocol.js';
import { closeServer, listenLocal, rejectUpgrade, trackSockets } from './http-util.js';
import { getTestCertificate, type TestCertificate } from './tls.js';
import { delay, type ProtocolViolation, parseJson, ViolationLog } from './violations.js';

/** Options of {@link startCartesiaServer}. */
export interface CartesiaServerOptions {
  /** Port to bind on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** When set, only this key is accepted (Bearer header, X-API-Key, or `api_key` query). */
  apiKey?: string;
  /** Audio generated per transcript character. Default 50 ms, so durations are predictable. */
  msPerCharacter?: number;
  /** Audio per `chunk` message. Default 100 ms. */
  chunkMs?: number;
  /** Delay before a context's first chunk (time to first audio), for benchmarks and timeouts. */
  latencyMs?: number;
  /** Pause between chunks. Default 0: faster than real time, as the service is. */
  chunkIntervalMs?: number;
  /** Certificate to serve; default {@link getTestCertificate}. */
  certificate?: TestCertificate;
}

/** One synthesis context as the server saw it. */
export interface CartesiaContext {
  readonly id: string;
  readonly connectionId: number;
  /** The inputs' transcripts concatenated verbatim, as Cartesia does. */
  transcript: string;
  readonly request: GenerationRequest;
  /** Audio bytes sent in `chunk` messages. */
  audioBytes: number;
  chunks: number;
  done: boolean;
  cancelled: boolean;
}

export interface CartesiaConnection {
  readonly id: number;
  readonly headers: IncomingMessage['headers'];
  readonly query: Record<string, string>;
  /** Every JSON message sent to the client, in order (audio `data` elided). */
  readonly sent: Record<string, unknown>[];
}

/** A running Cartesia fake; see {@link startCartesiaServer}. */
export interface CartesiaServer {
  /** `https://127.0.0.1:PORT`: the SDK's `baseURL` (it dials `wss://…/tts/websocket` from it). */
  readonly url: string;
  /** `wss://127.0.0.1:PORT/tts/websocket` for raw WebSocket clients. */
  readonly wsUrl: string;
  readonly port: number;
  /** PEM of the certificate: pass as `ca` in ws options, or write it for NODE_EXTRA_CA_CERTS. */
  readonly ca: string;
  readonly connections: readonly CartesiaConnection[];
  readonly contexts: ReadonlyMap<string, CartesiaContext>;
  readonly violations: readonly ProtocolViolation[];
  /** Answers the next `count` generation inputs with an `error` message instead of audio. */
  failNext(spec?: CartesiaErrorSpec, count?: number): void;
  /** Cuts the connection of the next context after it has sent `afterChunks` chunks (1011, or abrupt). */
  dropNextStream(afterChunks: number, mode?: 'close-1011' | 'abrupt'): void;
  close(): Promise<void>;
}

/**
 * Starts a local Cartesia TTS WebSocket server over TLS (the SDK always dials `wss://`).
 * Synthesis is a deterministic 440 Hz tone lasting `msPerCharacter` per transcript character,
 * in the requested encoding and sample rate, so tests can count the audio they get back.
 */
export async function startCartesiaServer(options: CartesiaServerOptions = {}): Promise<CartesiaServer> {
  const log = new ViolationLog('cartesia');
  const certificate = options.certificate ?? getTestCertificate();
  const connections: CartesiaConnection[] = [];
  const contexts = new Map<string, CartesiaContext>();
  const sockets = new Set<WebSocket>();
  let failures: { spec: CartesiaErrorSpec; count: number } = { spec: {}, count: 0 };
  let drop: { afterChunks: number; mode: 'close-1011' | 'abrupt' } | undefined;
  const msPerChar = options.msPerCharacter ?? 50;
  const chunkMs = options.chunkMs ?? 100;
  /**
   * Base64 chunks by format and sample range. Every context of a benchmark speaks the same few
   * scripted texts, so the same ranges recur; synthesizing (a sine per sample) and encoding each
   * chunk afresh was about 3 % of the benchmark process's CPU. Bounded: cleared when full.
   */
  const tones = new Map<string, string>();
  const toneBase64 = (format: GenerationRequest['output_format'], offset: number, samples: number) => {
    const key = `${format.encoding}/${format.sample_rate}/${offset}/${samples}`;
    let data = tones.get(key);
    if (data === undefined) {
      if (tones.size >= 4096) tones.clear();
      data = synthesizeTone(format, offset, samples).toString('base64');
      tones.set(key, data);
    }
    return data;
  };

  const https = createServer({ cert: certificate.cert, key: certificate.key });
  const tcp = trackSockets(https);
  const wss = new WebSocketServer({ noServer: true });

  https.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const query = Object.fromEntries(url.searchParams);
    const fail = (status: number, message: string) => rejectUpgrade(socket, status, { error: message });
    if (url.pathname !== '/tts/websocket') return fail(404, `No route for ${url.pathname}`);
    // The query wins over headers, as documented for browsers that cannot set headers.
    const key =
      query.api_key ??
      query.access_token ??
      /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ??
      (req.headers['x-api-key'] as string | undefined);
    if (!key || (options.apiKey !== undefined && key !== options.apiKey)) {
      log.record('handshake without a valid API key', url.search);
      return fail(401, 'Invalid API key.');
    }
    const version = query.cartesia_version ?? req.headers['cartesia-version'];
    if (!version || !/^\d{4}-\d{2}-\d{2}$/.test(String(version))) {
      log.record('handshake without a cartesia-version header or cartesia_version query', String(version));
      return fail(400, 'A valid Cartesia-Version is required.');
    }
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, query));
  });

  function accept(ws: WebSocket, req: IncomingMessage, query: Record<string, string>) {
    sockets.add(ws);
    const connection: CartesiaConnection = {
      id: connections.length + 1,
      headers: req.headers,
      query,
      sent: [],
    };
    connections.push(connection);
    const requestId = randomUUID();
    // Inputs are synthesized one after another per connection, as a single model stream would.
    let queue: Promise<void> = Promise.resolve();

    const send = (message: Record<string, unknown>) => {
      if (ws.readyState !== ws.OPEN) return false;
      connection.sent.push(
        message.type === 'chunk' ? { ...message, data: `<${message.data?.toString().length} b64>` } : message,
      );
      ws.send(JSON.stringify(message));
      return true;
    };

    ws.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? '' : data.toString();
      const parsed = parseJson(text);
      if (isBinary || !parsed.ok) {
        log.record('messages must be JSON text frames', isBinary ? '<binary>' : text);
        send(
          errorMessage(
            { status_code: 400, title: 'Invalid message', message: 'Message is not valid JSON.' },
            undefined,
            requestId,
          ),
        );
        return;
      }
      const value = parsed.value as Record<string, unknown> | null;
      if (value && typeof value === 'object' && 'cancel' in value) {
        const cancel = log.check(CancelRequestSchema, value, 'bad cancel request', text);
        const context = cancel && contexts.get(cancel.context_id);
        if (context && !context.done) context.cancelled = true;
        return;
      }
      const request = log.check(GenerationRequestSchema, value, 'bad generation request', text);
      const contextId = typeof value?.context_id === 'string' ? value.context_id : undefined;
      if (!request) {
        send(
          errorMessage(
            {
              status_code: 400,
              title: 'Invalid request',
              message: 'Invalid generation request.',
              error_code: 'invalid_request',
            },
            contextId,
            requestId,
          ),
        );
        return;
      }
      let context = contexts.get(request.context_id);
      if (
        context &&
        !context.done &&
        !context.cancelled &&
        contextSettings(context.request) !== contextSettings(request)
      ) {
        log.record(
          `context ${request.context_id}: inputs must keep every field but transcript/continue the same`,
          text,
        );
      }
      if (!context || context.done) {
        context = {
          id: request.context_id,
          connectionId: connection.id,
          transcript: '',
          request,
          audioBytes: 0,
          chunks: 0,
          done: false,
          cancelled: false,
        };
        contexts.set(context.id, context);
      }
      context.transcript += request.transcript;
      const ctx = context;
      queue = queue.then(() => generate(ws, send, ctx, request, requestId)).catch(() => ws.terminate());
    });
    ws.on('close', () => sockets.delete(ws));
    ws.on('error', () => ws.terminate());
  }

  /** Synthesizes one input of a context: chunks, timestamps, flush_done, done. */
  async function generate(
    ws: WebSocket,
    send: (m: Record<string, unknown>) => boolean,
    context: CartesiaContext,
    request: GenerationRequest,
    requestId: string,
  ) {
    if (context.cancelled || context.done) return;
    if (failures.count > 0) {
      failures.count--;
      context.done = true;
      send(errorMessage(failures.spec, context.id, requestId));
      return;
    }
    const format = request.output_format;
    const flushId = (flushIds.get(context) ?? 0) + 1;
    const samplesPerChar = (format.sample_rate * msPerChar) / 1000;
    const startSample = Math.round((context.transcript.length - request.transcript.length) * samplesPerChar);
    const total = Math.round(request.transcript.length * samplesPerChar);
    const perChunk = Math.max(1, Math.round((format.sample_rate * chunkMs) / 1000));
    if (total > 0 && context.chunks === 0 && options.latencyMs) await delay(options.latencyMs);
    for (let offset = 0; offset < total; offset += perChunk) {
      if (context.cancelled || ws.readyState !== ws.OPEN) return;
      const began = performance.now();
      const samples = Math.min(perChunk, total - offset);
      const data = toneBase64(format, startSample + offset, samples);
      const stepTime = Math.round((performance.now() - began) * 1000) / 1000;
      send({
        type: 'chunk',
        data,
        done: false,
        status_code: 206,
        step_time: stepTime,
        context_id: context.id,
        flush_id: flushId,
      });
      context.audioBytes += samples * sampleBytes(format.encoding);
      context.chunks++;
      if (drop && context.chunks >= drop.afterChunks) {
        const { mode } = drop;
        drop = undefined;
        if (mode === 'abrupt') ws.terminate();
        else ws.close(1011, 'Internal server error');
        return;
      }
      // Yield so a cancel arriving mid-generation is seen before the next chunk.
      await delay(options.chunkIntervalMs ?? 0);
    }
    if (context.cancelled) return;
    if (request.add_timestamps && total > 0)
      send(timestamps(context, request, startSample / format.sample_rate, flushId));
    if (request.flush) {
      send({
        type: 'flush_done',
        done: false,
        flush_done: true,
        flush_id: flushId,
        status_code: 206,
        context_id: context.id,
      });
      flushIds.set(context, flushId);
    }
    if (!request.continue) {
      context.done = true;
      send({ type: 'done', done: true, status_code: 206, context_id: context.id });
    }
  }

  function timestamps(
    context: CartesiaContext,
    request: GenerationRequest,
    offsetSec: number,
    flushId: number,
  ) {
    const words: string[] = [];
    const start: number[] = [];
    const end: number[] = [];
    const re = /\S+/g;
    for (let m = re.exec(request.transcript); m; m = re.exec(request.transcript)) {
      words.push(m[0]);
      start.push(Math.round((offsetSec + (m.index * msPerChar) / 1000) * 1000) / 1000);
      end.push(Math.round((offsetSec + ((m.index + m[0].length) * msPerChar) / 1000) * 1000) / 1000);
    }
    return {
      type: 'timestamps',
      done: false,
      status_code: 206,
      context_id: context.id,
      flush_id: flushId,
      word_timestamps: { words, start, end },
    };
  }
  const flushIds = new WeakMap<CartesiaContext, number>();

  const port = await listenLocal(https, options.port);
  return {
    url: `https://127.0.0.1:${port}`,
    wsUrl: `wss://127.0.0.1:${port}/tts/websocket`,
    port,
    ca: certificate.cert,
    connections,
    contexts,
    violations: log.violations,
    failNext(spec = {}, count = 1) {
      failures = { spec, count };
    },
    dropNextStream(afterChunks, mode = 'close-1011') {
      drop = { afterChunks, mode };
    },
    async close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
      await closeServer(https, tcp);
    },
  };
}
