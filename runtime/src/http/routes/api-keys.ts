import { and, desc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { generateApiKey } from '../../auth/api-keys.js';
import { canAssignRole } from '../../auth/rbac.js';
import { apiKeys, ROLES } from '../../db/schema.js';
import { forbidden, notFound } from '../../errors.js';
import { audit } from '../../kernel/audit.js';
import type { Services } from '../../kernel/container.js';
import { actor, tenant } from '../request-meta.js';
import { type ApiRouter, principalOf } from '../route.js';
import { parseBody, parseParams } from '../validate.js';

const CreateKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  role: z.enum(ROLES).default('builder'),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
const IdParam = z.object({ id: z.uuid() });

const publicColumns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  role: apiKeys.role,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  expiresAt: apiKeys.expiresAt,
  revokedAt: apiKeys.revokedAt,
};

export function apiKeyRoutes(r: ApiRouter, services: Services) {
  r.get('/v1/api-keys', 'api_keys:read', async (c) => {
    const keys = await tenant(c, services, (tx) =>
      tx.select(publicColumns).from(apiKeys).orderBy(desc(apiKeys.createdAt)),
    );
    return c.json({ apiKeys: keys });
  });

  /** The key's plaintext is in this response only; VRM keeps its hash. */
  r.post('/v1/api-keys', 'api_keys:write', async (c) => {
    const body = await parseBody(c, CreateKeyBody);
    const principal = principalOf(c);
    if (!canAssignRole(principal.role, body.role))
      throw forbidden(`A ${principal.role} cannot create a ${body.role} key`);
    const generated = generateApiKey();
    const row = await tenant(c, services, async (tx) => {
      const [row] = await tx
        .insert(apiKeys)
        .values({
          organizationId: principal.organizationId,
          name: body.name,
          prefix: generated.prefix,
          keyHash: generated.hash,
          role: body.role,
          createdBy: principal.userId,
          expiresAt: body.expiresInDays ? new Date(Date.now() + body.expiresInDays * 86_400_000) : null,
        })
        .returning(publicColumns);
      await audit(tx, {
        ...actor(c, services),
        action: 'api_key.created',
        targetType: 'api_key',
        targetId: row!.id,
        data: { name: body.name, role: body.role },
      });
      return row!;
    });
    return c.json({ ...row, key: generated.key }, 201);
  });

  r.delete('/v1/api-keys/:id', 'api_keys:write', async (c) => {
    const { id } = parseParams(c, IdParam);
    await tenant(c, services, async (tx) => {
      const [row] = await tx
        .update(apiKeys)
        .set({ revokedAt: new Date() })
        .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
        .returning({ id: apiKeys.id });
      if (!row) throw notFound('API key');
      await audit(tx, {
        ...actor(c, services),
        action: 'api_key.revoked',
        targetType: 'api_key',
        targetId: id,
      });
    });
    return c.body(null, 204);
  });
}
