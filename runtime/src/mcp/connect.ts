import {
  Client,
  type ClientCapabilities,
  type FetchLike,
  SdkHttpError,
  SSEClientTransport,
  StreamableHTTPClientTransport,
  type Tool,
  type Transport,
} from '@modelcontextprotocol/client';
import { VrmError } from '../errors.js';
import type { McpHttpTransportConfig, McpTransportConfig } from './config.js';
import { ClientCredentialsAuth } from './oauth.js';
import { ProcessGroupStdioTransport } from './stdio-transport.js';

/** Which wire transport a session ended up on (Streamable HTTP may have fallen back to SSE). */
export type McpWireTransport = 'stdio' | 'streamable-http' | 'sse';

/** A connected MCP client and the transport under it. */
export interface McpSession {
  client: Client;
  transport: Transport;
  wire: McpWireTransport;
}

export interface McpConnectOptions {
  /** How VRM introduces itself in `initialize`. */
  clientInfo?: { name: string; version: string };
  /** Roots to offer servers; when given, the `roots` capability is declared and answered. */
  roots?: { uri: string; name?: string }[];
  /** Called with the server's full, fresh tool list after each debounced `tools/list_changed`. */
  onToolsChanged?: (error: Error | null, tools: Tool[] | null) => void;
  /** Coalesces bursts of `list_changed` (servers often register several tools in a row). */
  listChangedDebounceMs?: number;
  /** Time allowed for the `initialize` handshake. */
  connectTimeoutMs?: number;
  /** fetch used for HTTP transports and the OAuth token endpoint (tests inject one). */
  fetch?: FetchLike;
}

const DEFAULT_CLIENT_INFO = { name: 'vrm', version: '0.1.0' };

function createClient(options: McpConnectOptions): Client {
  const capabilities: ClientCapabilities = {};
  if (options.roots) capabilities.roots = { listChanged: false };
  const onChanged = options.onToolsChanged;
  const client = new Client(options.clientInfo ?? DEFAULT_CLIENT_INFO, {
    capabilities,
    ...(onChanged
      ? { listChanged: { tools: { onChanged, debounceMs: options.listChangedDebounceMs ?? 300 } } }
      : {}),
  });
  const roots = options.roots;
  if (roots) client.setRequestHandler('roots/list', async () => ({ roots }));
  return client;
}

/**
 * A 4xx on the Streamable HTTP `initialize` POST means the server predates Streamable HTTP (the
 * 2024-11-05 HTTP+SSE transport answers POSTs to its SSE URL with 404/405), except for the
 * statuses that mean "not you, not now": auth, rate limiting, timeouts.
 */
function isLegacyServerSignal(error: unknown): boolean {
  if (!(error instanceof SdkHttpError)) return false;
  const status = error.status;
  return status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
}

async function attempt(client: Client, transport: Transport, timeout: number): Promise<void> {
  try {
    await client.connect(transport, { timeout });
  } catch (error) {
    await transport.close().catch(() => undefined);
    throw error;
  }
}

async function connectHttp(
  config: McpHttpTransportConfig,
  options: McpConnectOptions,
  timeout: number,
): Promise<McpSession> {
  const url = new URL(config.url);
  const authProvider = config.auth ? new ClientCredentialsAuth(config.auth, options.fetch) : undefined;
  const requestInit: RequestInit = config.headers ? { headers: config.headers } : {};
  const common = {
    requestInit,
    ...(authProvider ? { authProvider } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const client = createClient(options);
  const streamable = new StreamableHTTPClientTransport(url, common);
  try {
    await attempt(client, streamable, timeout);
    return { client, transport: streamable, wire: 'streamable-http' };
  } catch (error) {
    if (!isLegacyServerSignal(error)) throw error;
  }
  const legacyClient = createClient(options);
  const sse = new SSEClientTransport(url, common);
  await attempt(legacyClient, sse, timeout);
  return { client: legacyClient, transport: sse, wire: 'sse' };
}

/**
 * Opens one MCP session: spawns (stdio) or dials (HTTP) the server and runs `initialize`. The
 * caller has already applied the operator policy. On failure nothing is left running.
 */
export async function connectMcpServer(
  config: McpTransportConfig,
  options: McpConnectOptions = {},
): Promise<McpSession> {
  const timeout = options.connectTimeoutMs ?? 10_000;
  try {
    if (config.type === 'stdio') {
      const client = createClient(options);
      const transport = new ProcessGroupStdioTransport(config);
      try {
        await attempt(client, transport, timeout);
      } catch (error) {
        const stderr = transport.stderr.trim();
        if (stderr) {
          throw new VrmError('mcp_connect_failed', describe(error, stderr), {
            status: 502,
            retryable: true,
            cause: error,
          });
        }
        throw error;
      }
      return { client, transport, wire: 'stdio' };
    }
    return await connectHttp(config, options, timeout);
  } catch (error) {
    if (error instanceof VrmError) throw error;
    throw new VrmError('mcp_connect_failed', describe(error), { status: 502, retryable: true, cause: error });
  }
}

function describe(error: unknown, stderr?: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const tail = stderr ? ` (server stderr: ${stderr.slice(-500)})` : '';
  return `Could not connect to the MCP server: ${message}${tail}`;
}
