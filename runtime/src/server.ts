import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { createApp, type RouteModule } from './http/app.js';
import { WebSocketRouter } from './http/websockets.js';
import { type Config, loadConfig } from './kernel/config.js';
import { createServices, type Services } from './kernel/container.js';
import { createLogger, type Logger } from './kernel/logger.js';
import { BROWSER_CALL_PATH, browserCallRoute } from './telephony/browser-transport.js';
import { TWILIO_STREAM_PATH, twilioStreamRoute } from './telephony/twilio-routes.js';
import { liveRoute } from './traces/live-socket.js';

export interface RunningServer {
  services: Services;
  websockets: WebSocketRouter;
  server: Server;
  url: string;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes the database. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  config?: Config;
  log?: Logger;
  routes?: RouteModule[];
  websockets?: Array<(router: WebSocketRouter, services: Services) => void>;
}

/** Starts VRM: database (migrated), services, HTTP server. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config = options.config ?? loadConfig();
  const log = options.log ?? createLogger(config.VRM_LOG_LEVEL);
  const services = await createServices({ config, log });
  const { app } = createApp(services, options.routes);
  const server = createAdaptorServer({ fetch: app.fetch, hostname: config.HOST }) as Server;
  const websockets = new WebSocketRouter(log);
  websockets.route('/v1/live', liveRoute(services));
  websockets.route(TWILIO_STREAM_PATH, twilioStreamRoute(services, services.calls));
  websockets.route(BROWSER_CALL_PATH, browserCallRoute(services, services.calls));
  for (const register of options.websockets ?? []) register(websockets, services);
  websockets.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${address.address.includes(':') ? `[${address.address}]` : address.address}:${address.port}`;
  log.info({ url, database: services.db.kind }, 'VRM is listening');

  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 10_000) => {
    stopping ??= (async () => {
      log.info('shutting down: finishing in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      websockets.close();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await services.shutdown();
      await services.db.close();
      log.info('stopped');
    })();
    return stopping;
  };
  return { services, websockets, server, url, stop };
}
