/**
 * The command-line entry every plugin's bin calls: stdio by default, Streamable HTTP with
 * `--http`. It owns argument parsing, the refuse-to-start rules and clean shutdown; the plugin only
 * says how to open its resources and build an MCP server.
 */
import { parseArgs } from 'node:util';
import type { McpServer } from '@modelcontextprotocol/server';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import { DrizzleQueryError } from 'drizzle-orm';
import pino, { type Logger } from 'pino';
import { isLoopbackHost, startPluginHttpServer } from './http.js';

/** The logger a plugin's `start` receives (pino, writing JSON to stderr). */
export type PluginLogger = Logger;

/** What a plugin hands back once its storage is open. */
export interface PluginRuntime {
  /** Builds a fresh MCP server over the shared resources (one per stdio connection or HTTP request). */
  createServer(): McpServer;
  /** Releases storage and sockets. */
  close(): Promise<void>;
  /** A line for the start-up log, e.g. which database is in use. */
  describe?: string;
}

export interface PluginMainOptions {
  /** Short name, e.g. `crm`; the bin is `vrm-<name>`. */
  name: string;
  /** Prefix of the plugin's environment variables, e.g. `CRM` for `CRM_AUTH_TOKEN`. */
  envPrefix: string;
  /** Lines describing the plugin's own environment variables, for `--help`. */
  envHelp: string[];
  /** Opens storage and returns the server factory. Runs after the arguments were accepted. */
  start(env: NodeJS.ProcessEnv, log: Logger): Promise<PluginRuntime>;
}

/** Logs to stderr: on stdio, stdout belongs to the protocol. */
export function createPluginLogger(name: string, env: NodeJS.ProcessEnv = process.env): Logger {
  return pino(
    {
      name: `vrm-${name}`,
      level: env.LOG_LEVEL ?? 'info',
      redact: {
        paths: ['token', '*.token', 'authorization', '*.authorization', 'url', '*.url'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

function usage(options: PluginMainOptions): string {
  const prefix = options.envPrefix;
  return [
    `Usage: vrm-${options.name} [--http] [--port N] [--host H]`,
    '',
    'Serves the MCP protocol over stdio (default) or Streamable HTTP at /mcp (--http).',
    '',
    'Options:',
    '  --http        serve Streamable HTTP instead of stdio',
    '  --port N      HTTP port (default: $PORT, else 3000; 0 picks a free port)',
    '  --host H      HTTP bind address (default: $HOST, else 127.0.0.1)',
    '  --help        show this help',
    '',
    'Environment:',
    `  ${prefix}_AUTH_TOKEN    bearer token required on HTTP (mandatory unless bound to loopback)`,
    ...options.envHelp.map((line) => `  ${line}`),
    '',
  ].join('\n');
}

/** Resolves when stdin ends (the client went away) or the process is asked to stop. */
function untilStopped(watchStdin: boolean): Promise<string> {
  return new Promise((resolve) => {
    const stop = (reason: string) => () => resolve(reason);
    process.once('SIGINT', stop('SIGINT'));
    process.once('SIGTERM', stop('SIGTERM'));
    if (watchStdin) {
      process.stdin.once('end', stop('stdin closed'));
      process.stdin.once('close', stop('stdin closed'));
    }
  });
}

/**
 * Why start-up failed, in one line. Drizzle wraps driver errors as "Failed query: …" (what was
 * asked, not why it failed), so the driver's own error underneath is what the operator needs.
 */
function startFailure(error: unknown): string {
  let reason: unknown = error;
  while (reason instanceof DrizzleQueryError && reason.cause instanceof Error) reason = reason.cause;
  return reason instanceof Error ? reason.message : String(reason);
}

/** Runs a plugin from its command-line arguments; resolves with the process exit code. */
export async function runPluginMain(
  argv: string[],
  options: PluginMainOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let values: { http?: boolean; port?: string; host?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        http: { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage(options)}`);
    return 2;
  }
  if (values.help) {
    process.stderr.write(usage(options));
    return 0;
  }

  const log = createPluginLogger(options.name, env);
  const tokenVar = `${options.envPrefix}_AUTH_TOKEN`;
  const token = env[tokenVar]?.trim() || undefined;
  const host = values.host ?? env.HOST ?? '127.0.0.1';
  const portText = values.port ?? env.PORT ?? '3000';
  const port = Number(portText);
  if (values.http) {
    if (!Number.isInteger(port) || port < 0 || port > 65_535) {
      process.stderr.write(`Invalid port "${portText}": give an integer from 0 to 65535.\n`);
      return 2;
    }
    if (!token && !isLoopbackHost(host)) {
      process.stderr.write(
        `Refusing to serve ${options.name} over HTTP on ${host} without ${tokenVar}: anyone who can reach ` +
          `that address could read and change this plugin's data. Set ${tokenVar} to a long random secret, ` +
          'or bind to loopback (--host 127.0.0.1) for local use.\n',
      );
      return 1;
    }
  }

  let runtime: PluginRuntime;
  try {
    runtime = await options.start(env, log);
  } catch (error) {
    process.stderr.write(`vrm-${options.name} could not start: ${startFailure(error)}\n`);
    return 1;
  }

  if (!values.http) {
    const stopped = untilStopped(true);
    const handle = serveStdio(() => runtime.createServer(), {
      transport: new StdioServerTransport(),
      onerror: (error) => log.warn({ err: error }, 'stdio transport error'),
    });
    log.info({ storage: runtime.describe }, 'serving MCP over stdio');
    const reason = await stopped;
    log.info({ reason }, 'stopping');
    await handle.close();
    await runtime.close();
    return 0;
  }

  let server: Awaited<ReturnType<typeof startPluginHttpServer>>;
  try {
    server = await startPluginHttpServer({
      name: options.name,
      factory: () => runtime.createServer(),
      token,
      host,
      port,
    });
  } catch (error) {
    await runtime.close();
    process.stderr.write(
      `vrm-${options.name} could not listen on ${host}:${port}: ${(error as Error).message}\n`,
    );
    return 1;
  }
  log.info(
    { endpoint: server.url, auth: token ? 'bearer' : 'none (loopback)', storage: runtime.describe },
    'serving MCP over Streamable HTTP',
  );
  // Tests and supervisors read the endpoint from this line.
  process.stderr.write(`listening on ${server.url}\n`);
  const reason = await untilStopped(false);
  log.info({ reason }, 'stopping');
  await server.close();
  await runtime.close();
  return 0;
}
