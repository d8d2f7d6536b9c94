import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context } from 'hono';
import type { Tx } from '../db/client.js';
import type { AuditEntry } from '../kernel/audit.js';
import type { Services } from '../kernel/container.js';
import type { AppEnv } from './context.js';
import { principalOf } from './route.js';

/** The client's address: the socket peer, or X-Forwarded-For's first hop when behind a trusted proxy. */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket.
    return 'local';
  }
}

export function requestMeta(c: Context<AppEnv>, services: Services) {
  return { ip: clientIp(c, services.config.VRM_TRUST_PROXY), requestId: c.get('requestId') ?? null };
}

/** Audit fields for the current request's actor. */
export function actor(c: Context<AppEnv>, services: Services): Omit<AuditEntry, 'action'> {
  const principal = principalOf(c);
  return {
    organizationId: principal.organizationId,
    actorUserId: principal.userId,
    actorApiKeyId: principal.apiKeyId,
    ...requestMeta(c, services),
  };
}

/** Runs `fn` inside the caller's organization: row-level security applies to every statement. */
export function tenant<T>(c: Context<AppEnv>, services: Services, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return services.db.withTenant(principalOf(c).organizationId, fn);
}
