import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../kernel/logger.js';

export interface UpgradeRefusal {
  status: 401 | 403 | 404 | 400;
  message: string;
}

export interface WebSocketRoute {
  /** Checked before the upgrade is accepted (signatures, origin); a refusal answers plain HTTP. */
  verify?(req: IncomingMessage, url: URL): Promise<UpgradeRefusal | null>;
  /** Called once the socket is open. Must attach its own `message`, `close` and `error` listeners. */
  open(ws: WebSocket, req: IncomingMessage, url: URL): void;
}

/**
 * A message's bytes as one Buffer. With `ws`'s default binary type that is what arrives (a
 * fragmented message already joined); the other shapes of `RawData` are handled, not assumed away.
 */
export function messageBytes(raw: RawData): Buffer {
  if (Buffer.isBuffer(raw)) return raw;
  return Array.isArray(raw) ? Buffer.concat(raw) : Buffer.from(raw);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
};

/**
 * WebSocket endpoints by path (`/v1/live`, `/telephony/twilio/stream`, …) on the HTTP server's
 * `upgrade` event, through one `ws` server. Telephony audio runs here rather than through the
 * HTTP framework, so the per-frame path is the socket and nothing else.
 */
export class WebSocketRouter {
  readonly #routes = new Map<string, WebSocketRoute>();
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });

  constructor(private readonly log: Logger) {}

  route(path: string, route: WebSocketRoute): this {
    this.#routes.set(path, route);
    return this;
  }

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => void this.#upgrade(req, socket, head));
  }

  /** Closes every open socket (1001 "going away"), for shutdown. */
  close(): void {
    for (const client of this.#wss.clients) client.close(1001, 'server shutting down');
    this.#wss.close();
  }

  get openSockets(): number {
    return this.#wss.clients.size;
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? 'localhost'}`);
    const route = this.#routes.get(url.pathname);
    try {
      const refusal = route
        ? ((await route.verify?.(req, url)) ?? null)
        : { status: 404 as const, message: 'No WebSocket endpoint here' };
      if (refusal) {
        const body = JSON.stringify({ error: { code: 'upgrade_refused', message: refusal.message } });
        socket.end(
          `HTTP/1.1 ${refusal.status} ${STATUS_TEXT[refusal.status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
        );
        return;
      }
      this.#wss.handleUpgrade(req, socket, head, (ws) => route!.open(ws, req, url));
    } catch (error) {
      this.log.error({ err: error, path: url.pathname }, 'websocket upgrade failed');
      socket.destroy();
    }
  }
}
