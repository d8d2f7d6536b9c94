import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { secrets } from '../../db/schema.js';
import { notFound } from '../../errors.js';
import { audit } from '../../kernel/audit.js';
import type { Services } from '../../kernel/container.js';
import { putSecret } from '../../kernel/secrets.js';
import { actor, tenant } from '../request-meta.js';
import { type ApiRouter, principalOf } from '../route.js';
import { parseBody, parseParams } from '../validate.js';

const NameParam = z.object({
  name: z
    .string()
    .regex(
      /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
      'must be 1-64 letters, digits, _ . or -, starting with a letter',
    ),
});
const PutSecretBody = z.strictObject({ value: z.string().min(1).max(8192) });

/** Secrets are write-only through the API: lists show names and dates, never values. */
export function secretRoutes(r: ApiRouter, services: Services) {
  r.get('/v1/secrets', 'secrets:read', async (c) => {
    const rows = await tenant(c, services, (tx) =>
      tx
        .select({ name: secrets.name, createdAt: secrets.createdAt, updatedAt: secrets.updatedAt })
        .from(secrets)
        .orderBy(secrets.name),
    );
    return c.json({ secrets: rows });
  });

  r.put('/v1/secrets/:name', 'secrets:write', async (c) => {
    const { name } = parseParams(c, NameParam);
    const { value } = await parseBody(c, PutSecretBody);
    const organizationId = principalOf(c).organizationId;
    await tenant(c, services, async (tx) => {
      await putSecret(tx, services.secretBox, organizationId, name, value);
      await audit(tx, { ...actor(c, services), action: 'secret.set', targetType: 'secret', targetId: name });
    });
    return c.json({ name }, 200);
  });

  r.delete('/v1/secrets/:name', 'secrets:write', async (c) => {
    const { name } = parseParams(c, NameParam);
    const organizationId = principalOf(c).organizationId;
    await tenant(c, services, async (tx) => {
      const deleted = await tx
        .delete(secrets)
        .where(and(eq(secrets.organizationId, organizationId), eq(secrets.name, name)))
        .returning({ name: secrets.name });
      if (deleted.length === 0) throw notFound(`Secret ${name}`);
      await audit(tx, {
        ...actor(c, services),
        action: 'secret.deleted',
        targetType: 'secret',
        targetId: name,
      });
    });
    return c.body(null, 204);
  });
}
