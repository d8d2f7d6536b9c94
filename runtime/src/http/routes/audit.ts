import { and, desc, eq, lt } from 'drizzle-orm';
import { z } from 'zod';
import { auditLog } from '../../db/schema.js';
import type { Services } from '../../kernel/container.js';
import { tenant } from '../request-meta.js';
import type { ApiRouter } from '../route.js';
import { parseQuery } from '../validate.js';

const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `id` of the last entry of the previous page. */
  before: z.coerce.number().int().positive().optional(),
  action: z.string().max(64).optional(),
});

export function auditRoutes(r: ApiRouter, services: Services) {
  r.get('/v1/audit-log', 'audit:read', async (c) => {
    const q = parseQuery(c, AuditQuery);
    const entries = await tenant(c, services, (tx) =>
      tx
        .select()
        .from(auditLog)
        .where(
          and(
            q.before ? lt(auditLog.id, q.before) : undefined,
            q.action ? eq(auditLog.action, q.action) : undefined,
          ),
        )
        .orderBy(desc(auditLog.id))
        .limit(q.limit),
    );
    const last = entries.at(-1);
    return c.json({ entries, nextBefore: entries.length === q.limit && last ? last.id : null });
  });
}
