/**
 * Streamable HTTP on plain `node:http`: the SDK's web-standard handler (`createMcpHandler`) behind
 * a bearer token and, on loopback, DNS-rebinding protection. The only glue is turning Node's
 * request into a `Request` and the `Response` back, which Node 20 can do with its own streams.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createMcpHandler,
  hostHeaderValidationResponse,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
} from '@modelcontextprotocol/server';

/** @typedef {import('@modelcontextprotocol/server').McpServerFactory} McpServerFactory */

/** True for addresses only this machine can reach. */
export function isLoopback(/** @type {string} */ host) {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Hashing both sides gives equal-length inputs, so the comparison reveals nothing, not even length. */
function sameSecret(/** @type {string} */ given, /** @type {string} */ expected) {
  const digest = (/** @type {string} */ s) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

const json = (/** @type {number} */ status, /** @type {unknown} */ body, headers = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

/**
 * @typedef {object} HttpServerOptions
 * @property {McpServerFactory} factory builds a server for each request (the SDK serves HTTP statelessly)
 * @property {string | undefined} token bearer token every `/mcp` request must carry; undefined only on loopback
 * @property {string} host
 * @property {number} port 0 picks a free port
 */

/**
 * Starts the HTTP server: `POST /mcp` (the MCP endpoint) and `GET /health` (no auth, no data).
 * @param {HttpServerOptions} options
 * @returns {Promise<{ url: string, close: () => Promise<void> }>}
 */
export async function startHttpServer({ factory, token, host, port }) {
  if (!token && !isLoopback(host)) {
    throw new Error('refusing to serve HTTP on a non-loopback address without ORDER_STATUS_AUTH_TOKEN');
  }
  // 'auto' answers with plain JSON, and switches to an SSE stream when a tool sends progress first.
  const mcp = createMcpHandler(factory, { responseMode: 'auto' });
  const loopback = isLoopback(host);

  /** @param {Request} request @returns {Promise<Response>} */
  const handle = async (request) => {
    // A web page must not reach a local server through DNS rebinding or a cross-site request.
    if (loopback) {
      const refused =
        hostHeaderValidationResponse(request, localhostAllowedHostnames()) ??
        originValidationResponse(request, localhostAllowedOrigins());
      if (refused) return refused;
    }
    const { pathname } = new URL(request.url);
    if (pathname === '/health' && request.method === 'GET') return json(200, { status: 'ok' });
    if (pathname !== '/mcp') return json(404, { error: 'not_found', message: 'The MCP endpoint is /mcp.' });
    if (token === undefined) return mcp.fetch(request);
    const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
    if (!given || !sameSecret(given, token)) {
      return json(
        401,
        { error: 'invalid_token', message: 'Missing or wrong bearer token.' },
        {
          'www-authenticate': 'Bearer realm="order-status"',
        },
      );
    }
    return mcp.fetch(request, { authInfo: { token: given, clientId: 'bearer', scopes: [] } });
  };

  const server = createServer(async (req, res) => {
    const aborted = new AbortController();
    res.once('close', () => aborted.abort());
    try {
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value])
          headers.append(name, v);
      }
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
        method: req.method ?? 'GET',
        headers,
        signal: aborted.signal,
        ...(hasBody && { body: /** @type {ReadableStream} */ (Readable.toWeb(req)), duplex: 'half' }),
      });
      const response = await handle(request);
      res.writeHead(response.status, [...response.headers].flat());
      // SSE responses stream: each chunk goes out as it is produced, and a client that hangs up
      // cancels the stream (the pipeline rejects; nothing is left to answer).
      if (response.body) await pipeline(Readable.fromWeb(/** @type {any} */ (response.body)), res);
      else res.end();
    } catch (error) {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'internal_error' }));
      } else if (!aborted.signal.aborted) res.destroy(/** @type {Error} */ (error));
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${hostForUrl}:${address.port}/mcp`,
    async close() {
      await mcp.close();
      await new Promise((resolve) => {
        server.close(() => resolve(undefined));
        server.closeAllConnections();
      });
    },
  };
}
