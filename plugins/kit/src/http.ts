/**
 * Streamable HTTP serving for a plugin: the SDK's fetch-shaped handler behind bearer-token auth
 * and DNS-rebinding protection, mounted on Hono and served by node:http.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  type McpServerFactory,
} from '@modelcontextprotocol/server';
import { Hono } from 'hono';

export interface PluginHttpAppOptions {
  /** Builds a fresh MCP server for each request (the SDK serves HTTP statelessly). */
  factory: McpServerFactory;
  /** The bearer token every request to `/mcp` must carry; undefined disables auth (loopback only). */
  token?: string | undefined;
  /**
   * Host names accepted in the `Host` header; undefined accepts any. Set to the localhost names when
   * bound to loopback, so a web page cannot reach the server through DNS rebinding.
   */
  allowedHostnames?: string[] | undefined;
  /** Plugin name reported by `/health`. */
  name: string;
}

export interface PluginHttpApp {
  app: Hono;
  close(): Promise<void>;
}

/** Hashing both sides first gives equal-length buffers, so the comparison leaks nothing about length. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** Builds the Hono app: `GET /health` (no auth, no data) and the MCP endpoint at `/mcp`. */
export function createPluginHttpApp(options: PluginHttpAppOptions): PluginHttpApp {
  const handler = createMcpHandler(options.factory, { responseMode: 'json' });
  const app = new Hono();

  app.use('*', async (c, next) => {
    if (!options.allowedHostnames) return next();
    return hostHeaderValidationResponse(c.req.raw, options.allowedHostnames) ?? next();
  });

  app.get('/health', (c) => c.json({ status: 'ok', name: options.name }));

  app.all('/mcp', async (c) => {
    if (options.token !== undefined) {
      const header = c.req.header('authorization') ?? '';
      const match = /^Bearer\s+(.+)$/i.exec(header);
      if (!match?.[1] || !sameSecret(match[1].trim(), options.token)) {
        c.header('WWW-Authenticate', 'Bearer realm="mcp"');
        return c.json({ error: { code: 'unauthorized', message: 'Missing or invalid bearer token.' } }, 401);
      }
      return handler.fetch(c.req.raw, {
        authInfo: { token: match[1].trim(), clientId: 'bearer', scopes: [] },
      });
    }
    return handler.fetch(c.req.raw);
  });

  app.notFound((c) => c.json({ error: { code: 'not_found', message: 'The MCP endpoint is /mcp.' } }, 404));

  return { app, close: () => handler.close() };
}

export interface StartedHttpServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** True for addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Starts the app on `host:port` (port 0 picks a free one) and resolves once it is listening. */
export async function startPluginHttpServer(
  options: PluginHttpAppOptions & { host: string; port: number },
): Promise<StartedHttpServer> {
  const loopback = isLoopbackHost(options.host);
  const { app, close: closeHandler } = createPluginHttpApp({
    ...options,
    allowedHostnames: options.allowedHostnames ?? (loopback ? localhostAllowedHostnames() : undefined),
  });
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: options.host, port: options.port },
      (info: AddressInfo) => {
        const hostForUrl = info.family === 'IPv6' ? `[${info.address}]` : info.address;
        resolve({
          url: `http://${hostForUrl}:${info.port}/mcp`,
          port: info.port,
          async close() {
            await closeHandler();
            await new Promise<void>((done) => {
              server.close(() => done());
              if ('closeAllConnections' in server) server.closeAllConnections();
            });
          },
        });
      },
    );
    server.once('error', reject);
  });
}
