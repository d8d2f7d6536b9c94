import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveStatic } from '@hono/node-server/serve-static';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { unauthorized, VrmError } from '../errors.js';
import type { Services } from '../kernel/container.js';
import { requestContext } from '../kernel/request-context.js';
import { twilioRoutes } from '../telephony/twilio-routes.js';
import type { AppEnv, Principal } from './context.js';
import { errorResponse, handleError } from './errors.js';
import { rateLimit } from './middleware/rate-limit.js';
import { clientIp } from './request-meta.js';
import { ApiRouter, type RouteSpec } from './route.js';
import { agentRoutes } from './routes/agents.js';
import { analyticsRoutes } from './routes/analytics.js';
import { apiKeyRoutes } from './routes/api-keys.js';
import { auditRoutes } from './routes/audit.js';
import { authRoutes } from './routes/auth.js';
import { callRoutes } from './routes/calls.js';
import { mcpServerRoutes } from './routes/mcp-servers.js';
import { organizationRoutes } from './routes/organization.js';
import { secretRoutes } from './routes/secrets.js';
import { sessionRoutes } from './routes/sessions.js';

export const VERSION = '0.1.0';
const STUDIO_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../studio/dist');

/** Adds a feature's routes to the API (agents, MCP servers, calls, …). */
export type RouteModule = (router: ApiRouter, services: Services) => void;

export interface VrmApp {
  app: Hono<AppEnv>;
  routes: RouteSpec[];
}

/**
 * The HTTP application: middleware, then `/health` and `/metrics`, then the `/v1` API whose every
 * route declares its access rule, then the studio. Tests drive it with `app.request()`.
 */
export function createApp(services: Services, extraRoutes: RouteModule[] = []): VrmApp {
  const { config, log, metrics, limiter } = services;
  const app = new Hono<AppEnv>();

  app.use(requestId({ headerName: 'X-Request-Id' }));
  app.use(async function observe(c, next) {
    const started = performance.now();
    c.set('log', log);
    await requestContext.run({ requestId: c.get('requestId') }, next);
    const route = c.req.routePath || 'unmatched';
    const seconds = (performance.now() - started) / 1000;
    metrics.httpRequests.inc({ method: c.req.method, route, status: String(c.res.status) });
    metrics.httpDuration.observe({ method: c.req.method, route }, seconds);
    log.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        route,
        status: c.res.status,
        ms: Math.round(seconds * 1000),
      },
      'request',
    );
  });
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        imgSrc: ["'self'", 'data:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        frameAncestors: ["'none'"],
      },
    }),
  );
  const origins =
    config.VRM_CORS_ORIGINS?.split(',')
      .map((o) => o.trim())
      .filter(Boolean) ?? [];
  if (origins.length > 0) {
    app.use(
      '/v1/*',
      cors({ origin: origins, allowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'], maxAge: 600 }),
    );
  }
  app.onError(handleError);

  app.get('/health', async (c) => {
    try {
      await services.db.ping();
      return c.json({
        status: 'ok',
        database: services.db.kind,
        version: VERSION,
        uptimeSeconds: Math.round(process.uptime()),
      });
    } catch (error) {
      c.get('log').error({ err: error }, 'health check failed');
      return c.json({ status: 'error', database: services.db.kind, version: VERSION }, 503);
    }
  });

  app.get('/metrics', async (c) => {
    if (config.VRM_METRICS_TOKEN && c.req.header('authorization') !== `Bearer ${config.VRM_METRICS_TOKEN}`) {
      throw unauthorized('GET /metrics needs the bearer token set in VRM_METRICS_TOKEN');
    }
    return c.text(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType });
  });

  app.use(
    '*',
    bodyLimit({
      maxSize: config.VRM_BODY_LIMIT_BYTES,
      onError: (c) =>
        errorResponse(
          c,
          413,
          'payload_too_large',
          `Request body exceeds ${config.VRM_BODY_LIMIT_BYTES} bytes`,
        ),
    }),
  );
  // Credential guessing is limited per client address, before any work is done.
  app.use(
    '/v1/auth/*',
    rateLimit({
      limiter,
      limit: config.VRM_AUTH_RATE_LIMIT_PER_MINUTE,
      key: (c) => (c.req.method === 'POST' ? `auth:${clientIp(c, config.VRM_TRUST_PROXY)}` : null),
    }),
  );

  const authenticate = async (c: Context<AppEnv>): Promise<Principal> => {
    const header = c.req.header('authorization');
    const match = header?.match(/^Bearer\s+(\S+)$/i);
    if (!match?.[1]) throw unauthorized('Send "Authorization: Bearer <token or API key>"');
    const principal = await services.authenticator.authenticate(match[1], c.req.header('x-vrm-organization'));
    const subject = principal.apiKeyId ?? principal.userId ?? 'unknown';
    const retryAfterSeconds = limiter.hit(`api:${subject}`, config.VRM_RATE_LIMIT_PER_MINUTE);
    if (retryAfterSeconds > 0) {
      throw new VrmError('rate_limited', `Too many requests; retry in ${retryAfterSeconds} s`, {
        status: 429,
        details: { retryAfterSeconds },
      });
    }
    return principal;
  };

  const router = new ApiRouter(authenticate);
  for (const register of [
    authRoutes,
    organizationRoutes,
    apiKeyRoutes,
    secretRoutes,
    auditRoutes,
    agentRoutes,
    callRoutes,
    mcpServerRoutes,
    sessionRoutes,
    analyticsRoutes,
    twilioRoutes,
    ...extraRoutes,
  ]) {
    register(router, services);
  }
  app.route('/', router.app);
  app.all('/v1/*', (c) => errorResponse(c, 404, 'not_found', `No route for ${c.req.method} ${c.req.path}`));

  mountStudio(app);
  return { app, routes: router.specs };
}

/** Serves the built studio, with its index.html for client-side routes. */
function mountStudio(app: Hono<AppEnv>) {
  const indexFile = path.join(STUDIO_DIST, 'index.html');
  if (!existsSync(indexFile)) {
    app.get('/', (c) =>
      c.html(
        '<!doctype html><title>VRM</title><h1>VRM is running</h1><p>The studio is not built: run <code>npm run build</code>. The API is under <code>/v1</code>.</p>',
      ),
    );
    return;
  }
  const index = readFileSync(indexFile, 'utf8');
  const root = path.relative(process.cwd(), STUDIO_DIST) || '.';
  app.use('/*', serveStatic({ root }));
  app.get('*', (c) => c.html(index));
}
