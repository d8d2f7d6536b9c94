/**
 * The command line: stdio by default, Streamable HTTP with `--http`. Logs are JSON lines on
 * stderr, because on stdio the protocol owns stdout.
 */
import { parseArgs } from 'node:util';
import { StdioServerTransport, serveStdio } from '@modelcontextprotocol/server/stdio';
import { loadConfig } from './config.js';
import { isLoopback, startHttpServer } from './http.js';
import { createOrderStatusServer, VERSION } from './server.js';
import { OrderStore } from './store.js';

const USAGE = `Usage: order-status-mcp [--http] [--port N] [--host H]

Serves order-status MCP tools over stdio (default) or Streamable HTTP at /mcp (--http).

Options:
  --http        serve Streamable HTTP instead of stdio
  --port N      HTTP port (default: $PORT, else 3000; 0 picks a free port)
  --host H      HTTP bind address (default: $HOST, else 127.0.0.1)
  --version     print the version
  --help        show this help

Environment:
  ORDER_STATUS_AUTH_TOKEN            bearer token for HTTP (required unless bound to loopback)
  ORDER_STATUS_DATA_FILE             JSON file with the orders (default: demo orders in memory)
  ORDER_STATUS_RETURN_WINDOW_DAYS    days after delivery a return is accepted (default 30)
  ORDER_STATUS_DEFAULT_COUNTRY_CODE  for phone numbers given without one (default 1)
  ORDER_STATUS_TIME_ZONE             IANA time zone for dates in answers (default UTC)
`;

/** @type {import('./tools.js').Log} */
const log = (level, message, fields = {}) => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level, message, ...fields })}\n`);
};

/** Resolves when the process is asked to stop, or (stdio) when the client closes our stdin. */
function untilStopped(/** @type {boolean} */ watchStdin) {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
    if (watchStdin) process.stdin.once('end', () => resolve('stdin closed'));
  });
}

/**
 * Runs the server from command-line arguments; resolves with the exit code.
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Promise<number>}
 */
export async function main(argv, env = process.env) {
  /** @type {{ http?: boolean, port?: string, host?: string, help?: boolean, version?: boolean }} */
  let flags;
  try {
    flags = parseArgs({
      args: argv,
      options: {
        http: { type: 'boolean' },
        port: { type: 'string' },
        host: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(`${/** @type {Error} */ (error).message}\n\n${USAGE}`);
    return 2;
  }
  if (flags.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (flags.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }

  let config;
  try {
    config = loadConfig({
      ...env,
      ...(flags.port !== undefined && { PORT: flags.port }),
      ...(flags.host && { HOST: flags.host }),
    });
  } catch (error) {
    process.stderr.write(`${/** @type {Error} */ (error).message}\n`);
    return 2;
  }
  if (flags.http && !config.authToken && !isLoopback(config.host)) {
    process.stderr.write(
      `Refusing to serve HTTP on ${config.host} without ORDER_STATUS_AUTH_TOKEN: anyone who can reach it could read orders and open returns. Set a long random token, or bind to 127.0.0.1 for local use.\n`,
    );
    return 1;
  }

  let opened;
  try {
    opened = await OrderStore.open({
      file: config.dataFile,
      returnWindowDays: config.returnWindowDays,
      timeZone: config.timeZone,
    });
  } catch (error) {
    process.stderr.write(
      `order-status-mcp could not open its orders: ${/** @type {Error} */ (error).message}\n`,
    );
    return 1;
  }
  const { store, source } = opened;
  const factory = () => createOrderStatusServer({ store, settings: config, log });

  if (!flags.http) {
    const stopped = untilStopped(true);
    const handle = serveStdio(factory, {
      transport: new StdioServerTransport(),
      onerror: (error) => log('warn', 'stdio transport error', { error: error.message }),
    });
    log('info', 'serving MCP over stdio', { orders: source, version: VERSION });
    log('info', 'stopping', { reason: await stopped });
    await handle.close();
    await store.close();
    return 0;
  }

  let http;
  try {
    http = await startHttpServer({ factory, token: config.authToken, host: config.host, port: config.port });
  } catch (error) {
    process.stderr.write(
      `order-status-mcp could not listen on ${config.host}:${config.port}: ${/** @type {Error} */ (error).message}\n`,
    );
    return 1;
  }
  log('info', 'serving MCP over Streamable HTTP', {
    endpoint: http.url,
    auth: config.authToken ? 'bearer' : 'none (loopback only)',
    orders: source,
    version: VERSION,
  });
  // Supervisors and tests read the endpoint from this line.
  process.stderr.write(`listening on ${http.url}\n`);
  log('info', 'stopping', { reason: await untilStopped(false) });
  await http.close();
  await store.close();
  return 0;
}
