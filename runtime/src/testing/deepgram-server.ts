import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { messageBytes } from '../http/websockets.js';
import {
  INACTIVITY_CLOSE_REASON,
  type ListenControl,
  ListenControlSchema,
  type ListenQuery,
  ListenQuerySchema,
  metadataMessage,
  modelInfo,
  queryRecord,
  settingsFromQuery,
  toWireMessage,
} from './deepgram-protocol.js';
import { type EnergyVadOptions, ScriptedRecognizer, type ScriptedUtterance } from './deepgram-recognizer.js';
import { closeServer, listenLocal, rejectUpgrade, trackSockets } from './http-util.js';
import { type ProtocolViolation, parseJson, ViolationLog } from './violations.js';

export type { ScriptedUtterance } from './deepgram-recognizer.js';

/** Options of {@link startDeepgramServer}. */
export interface DeepgramServerOptions {
  /** Port to bind on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** When set, only `Authorization: Token <apiKey>` (or `Bearer`) is accepted; otherwise any non-empty key. */
  apiKey?: string;
  /** What the caller says, per connection: the same list for each, or a function of the connection. */
  script?: readonly ScriptedUtterance[] | ((connection: DeepgramConnection) => readonly ScriptedUtterance[]);
  /** Energy detection for untimed utterances; `false` turns it off. Default on, threshold 1000 RMS. */
  vad?: EnergyVadOptions | false;
  /**
   * Audio time between interim results while words are being recognised. Default 500 ms, so that
   * tests see words arrive in steps.
   */
  interimIntervalMs?: number;
  /**
   * Audio time between the empty interims sent through silence. Default 1000 ms: Deepgram streams
   * them about once a second.
   */
  silentInterimIntervalMs?: number;
  /** Fixed delay before every server message (benchmarks: simulated network and model latency). */
  latencyMs?: number;
  /** Closes with 1011 + NET-0001 after this long with no audio or text. Default 10 000 ms. */
  inactivityTimeoutMs?: number;
  /** Drops every connection once it has received this much audio (mid-stream failure). */
  dropAfterAudioMs?: number;
  /** How {@link DeepgramServerOptions.dropAfterAudioMs} drops: close 1011, or cut the TCP socket. Default 1011. */
  dropMode?: DropMode;
}

export type DropMode = 'close-1011' | 'abrupt';

/** What the server knows about one accepted WebSocket session. */
export interface DeepgramConnection {
  readonly id: number;
  readonly requestId: string;
  readonly query: ListenQuery;
  readonly headers: IncomingMessage['headers'];
  /** Binary audio bytes received. */
  audioBytes: number;
  /** Client text messages, in order. */
  readonly controls: ListenControl[];
  /** Every JSON message sent to the client, in order. */
  readonly sent: Record<string, unknown>[];
  /** Set when the socket closed: the code the server sent or received. */
  closeCode: number | undefined;
}

/** A running Deepgram fake; see {@link startDeepgramServer}. */
export interface DeepgramServer {
  /** `ws://127.0.0.1:PORT`: pass as `new DeepgramClient({ baseUrl })` or DEEPGRAM_BASE_URL. */
  readonly url: string;
  readonly port: number;
  readonly connections: readonly DeepgramConnection[];
  /** Protocol errors clients made (bad query, malformed control messages…). Tests assert it is empty. */
  readonly violations: readonly ProtocolViolation[];
  /** Adds utterances to every open session and to the script of later ones. */
  say(...utterances: ScriptedUtterance[]): void;
  /** Fails the next `count` handshakes with an HTTP error (401 by default). */
  rejectNextHandshakes(count: number, status?: number): void;
  /** Drops every open connection now. */
  dropConnections(mode?: DropMode): void;
  /** Resolves when `predicate` holds for a message sent on any connection (polls on each send). */
  waitForSent(
    predicate: (message: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * Starts a local server that speaks Deepgram's live transcription protocol
 * (`GET /v1/listen` upgraded to a WebSocket, `Authorization: Token <key>`), driven by a script
 * instead of a speech model. Results are timed by the audio the server receives, counted at
 * the session's `encoding`/`sample_rate`, exactly like the real service's stream offsets.
 */
export async function startDeepgramServer(options: DeepgramServerOptions = {}): Promise<DeepgramServer> {
  const log = new ViolationLog('deepgram');
  const connections: DeepgramConnection[] = [];
  const live = new Map<DeepgramConnection, { ws: WebSocket; recognizer: ScriptedRecognizer }>();
  const extraScript: ScriptedUtterance[] = [];
  const waiters = new Set<() => void>();
  let rejections: { count: number; status: number } = { count: 0, status: 401 };
  const latency = options.latencyMs ?? 0;

  const http = createServer((_req, res) => {
    res.writeHead(426, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ err_code: 'UPGRADE_REQUIRED', err_msg: 'Use a WebSocket to /v1/listen.' }));
  });
  const sockets = trackSockets(http);
  const wss = new WebSocketServer({ noServer: true });

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const requestId = randomUUID();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fail = (status: number, code: string, message: string) =>
      rejectUpgrade(
        socket,
        status,
        { err_code: code, err_msg: message, request_id: requestId },
        { 'dg-request-id': requestId },
      );
    if (url.pathname !== '/v1/listen') return fail(404, 'NOT_FOUND', `No route for ${url.pathname}`);
    if (rejections.count > 0) {
      rejections.count--;
      return fail(
        rejections.status,
        rejections.status === 401 ? 'INVALID_AUTH' : 'REJECTED',
        'Rejected by test.',
      );
    }
    const auth = /^(Token|Bearer) (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth || (options.apiKey !== undefined && auth[2] !== options.apiKey)) {
      log.record(
        'handshake without a valid Authorization: Token <key> header',
        req.headers.authorization ?? '',
      );
      return fail(401, 'INVALID_AUTH', 'Invalid credentials.');
    }
    const query = log.check(
      ListenQuerySchema,
      queryRecord(url.searchParams),
      'bad /v1/listen query',
      url.search,
    );
    if (!query) return fail(400, 'Bad Request', 'Invalid query string.');
    if (query.utterance_end_ms !== undefined && query.interim_results !== 'true') {
      log.record('utterance_end_ms requires interim_results=true', url.search);
    }
    requestIds.set(req, requestId);
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, query, requestId));
  });
  const requestIds = new WeakMap<IncomingMessage, string>();
  wss.on('headers', (headers, req) => headers.push(`dg-request-id: ${requestIds.get(req) ?? randomUUID()}`));

  function accept(ws: WebSocket, req: IncomingMessage, query: ListenQuery, requestId: string) {
    const connection: DeepgramConnection = {
      id: connections.length + 1,
      requestId,
      query,
      headers: req.headers,
      audioBytes: 0,
      controls: [],
      sent: [],
      closeCode: undefined,
    };
    connections.push(connection);
    const settings = settingsFromQuery(query, {
      interimIntervalMs: options.interimIntervalMs ?? 500,
      silentInterimIntervalMs: options.silentInterimIntervalMs ?? 1000,
      vad: options.vad ?? {},
    });
    const model = modelInfo(query.model);
    const created = new Date();
    const baseScript =
      typeof options.script === 'function' ? options.script(connection) : (options.script ?? []);
    let closing = false;

    const send = (message: Record<string, unknown>) => {
      connection.sent.push(message);
      for (const wake of waiters) wake();
      const text = JSON.stringify(message);
      const write = () => {
        if (ws.readyState === ws.OPEN) ws.send(text);
      };
      if (latency > 0) setTimeout(write, latency);
      else write();
    };
    // Closing after `latency` keeps the close behind the messages already scheduled.
    const closeWith = (code: number, reason: string) => {
      closing = true;
      clearTimeout(idle);
      setTimeout(() => ws.close(code, reason), latency);
    };
    const recognizer = new ScriptedRecognizer(settings, [...baseScript, ...extraScript], (event) =>
      send(toWireMessage(event, { requestId, channels: settings.channels, model })),
    );
    live.set(connection, { ws, recognizer });
    const sendMetadata = () =>
      send(
        metadataMessage({
          requestId,
          channels: settings.channels,
          durationSec: recognizer.clock,
          created,
          model,
        }),
      );

    const idle = setTimeout(() => {
      sendMetadata();
      closeWith(1011, INACTIVITY_CLOSE_REASON);
    }, options.inactivityTimeoutMs ?? 10_000);

    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (closing) return;
      // Restarts the inactivity countdown in place: audio arrives 50 times a second per session.
      idle.refresh();
      const bytes = messageBytes(data);
      if (isBinary) {
        if (bytes.length === 0) {
          log.record('empty binary frame (the deprecated way to close; send CloseStream)', bytes);
          return;
        }
        connection.audioBytes += bytes.length;
        recognizer.pushAudio(bytes);
        if (options.dropAfterAudioMs !== undefined && recognizer.clock * 1000 >= options.dropAfterAudioMs) {
          drop(ws, options.dropMode ?? 'close-1011');
        }
        return;
      }
      const text = Buffer.from(bytes).toString('utf8');
      const parsed = parseJson(text);
      const control = parsed.ok
        ? log.check(ListenControlSchema, parsed.value, 'bad control message', text)
        : undefined;
      if (!parsed.ok) log.record('text frame is not JSON (audio must be sent as binary frames)', text);
      if (!control) return;
      connection.controls.push(control);
      if (control.type === 'Finalize') recognizer.flush(true);
      if (control.type === 'CloseStream') {
        recognizer.flush(false);
        sendMetadata();
        closeWith(1000, '');
      }
    });
    ws.on('close', (code) => {
      clearTimeout(idle);
      connection.closeCode = code;
      live.delete(connection);
    });
    ws.on('error', () => ws.terminate());
  }

  function drop(ws: WebSocket, mode: DropMode) {
    if (mode === 'abrupt') ws.terminate();
    else ws.close(1011, 'Internal server error');
  }

  const port = await listenLocal(http, options.port);
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    connections,
    violations: log.violations,
    say(...utterances) {
      extraScript.push(...utterances);
      for (const { recognizer } of live.values()) recognizer.add(utterances);
    },
    rejectNextHandshakes(count, status = 401) {
      rejections = { count, status };
    },
    dropConnections(mode = 'close-1011') {
      for (const { ws } of live.values()) drop(ws, mode);
    },
    waitForSent(predicate, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          for (const c of connections) {
            const hit = c.sent.find(predicate);
            if (hit) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(hit);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Deepgram fake sent no matching message within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const { ws } of live.values()) ws.terminate();
      wss.close();
      await closeServer(http, sockets);
    },
  };
}
