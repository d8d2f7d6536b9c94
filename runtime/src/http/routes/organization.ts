import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { findUserByEmail } from '../../auth/auth-service.js';
import { canAssignRole } from '../../auth/rbac.js';
import { memberships, organizations, ROLES, users } from '../../db/schema.js';
import { conflict, forbidden, notFound } from '../../errors.js';
import { audit } from '../../kernel/audit.js';
import type { Services } from '../../kernel/container.js';
import { actor, tenant } from '../request-meta.js';
import { type ApiRouter, principalOf } from '../route.js';
import { parseBody, parseParams } from '../validate.js';

const UpdateOrgBody = z.strictObject({ name: z.string().trim().min(1).max(100) });
const AddMemberBody = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email()),
  role: z.enum(ROLES),
});
const ChangeRoleBody = z.strictObject({ role: z.enum(ROLES) });
const UserParam = z.object({ userId: z.uuid() });

export function organizationRoutes(r: ApiRouter, services: Services) {
  r.get('/v1/organization', 'organization:read', async (c) => {
    const [org] = await tenant(c, services, (tx) => tx.select().from(organizations));
    return c.json(org);
  });

  r.patch('/v1/organization', 'organization:write', async (c) => {
    const { name } = await parseBody(c, UpdateOrgBody);
    const org = await tenant(c, services, async (tx) => {
      const [org] = await tx.update(organizations).set({ name }).returning();
      await audit(tx, { ...actor(c, services), action: 'organization.updated', data: { name } });
      return org;
    });
    return c.json(org);
  });

  r.get('/v1/members', 'members:read', async (c) => {
    const rows = await tenant(c, services, (tx) =>
      tx
        .select({
          userId: users.id,
          email: users.email,
          name: users.name,
          role: memberships.role,
          since: memberships.createdAt,
        })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .orderBy(memberships.createdAt),
    );
    return c.json({ members: rows });
  });

  /** Adds an existing VRM user (they signed up themselves) to this organization. */
  r.post('/v1/members', 'members:write', async (c) => {
    const body = await parseBody(c, AddMemberBody);
    const principal = principalOf(c);
    if (!canAssignRole(principal.role, body.role))
      throw forbidden(`A ${principal.role} cannot grant the ${body.role} role`);
    const user = await services.db.system((tx) => findUserByEmail(tx, body.email));
    if (!user) throw notFound(`User ${body.email}`);
    const member = await tenant(c, services, async (tx) => {
      const [existing] = await tx.select().from(memberships).where(eq(memberships.userId, user.id));
      if (existing) throw conflict(`${body.email} is already a member`);
      await tx
        .insert(memberships)
        .values({ organizationId: principal.organizationId, userId: user.id, role: body.role });
      await audit(tx, {
        ...actor(c, services),
        action: 'member.added',
        targetType: 'user',
        targetId: user.id,
        data: { role: body.role },
      });
      return { userId: user.id, email: user.email, name: user.name, role: body.role };
    });
    return c.json(member, 201);
  });

  r.patch('/v1/members/:userId', 'members:write', async (c) => {
    const { userId } = parseParams(c, UserParam);
    const { role } = await parseBody(c, ChangeRoleBody);
    const principal = principalOf(c);
    const updated = await tenant(c, services, async (tx) => {
      const [current] = await tx.select().from(memberships).where(eq(memberships.userId, userId));
      if (!current) throw notFound('Member');
      if (!canAssignRole(principal.role, role) || !canAssignRole(principal.role, current.role)) {
        throw forbidden(`A ${principal.role} cannot change a ${current.role} to ${role}`);
      }
      if (current.role === 'owner' && role !== 'owner') await assertAnotherOwner(tx, userId);
      await tx.update(memberships).set({ role }).where(eq(memberships.userId, userId));
      await audit(tx, {
        ...actor(c, services),
        action: 'member.role_changed',
        targetType: 'user',
        targetId: userId,
        data: { from: current.role, to: role },
      });
      return { userId, role };
    });
    return c.json(updated);
  });

  r.delete('/v1/members/:userId', 'members:write', async (c) => {
    const { userId } = parseParams(c, UserParam);
    const principal = principalOf(c);
    await tenant(c, services, async (tx) => {
      const [current] = await tx.select().from(memberships).where(eq(memberships.userId, userId));
      if (!current) throw notFound('Member');
      if (!canAssignRole(principal.role, current.role))
        throw forbidden(`A ${principal.role} cannot remove a ${current.role}`);
      if (current.role === 'owner') await assertAnotherOwner(tx, userId);
      await tx.delete(memberships).where(eq(memberships.userId, userId));
      await audit(tx, {
        ...actor(c, services),
        action: 'member.removed',
        targetType: 'user',
        targetId: userId,
        data: { role: current.role },
      });
    });
    return c.body(null, 204);
  });
}

async function assertAnotherOwner(
  tx: Parameters<Parameters<Services['db']['system']>[0]>[0],
  leavingUserId: string,
) {
  const [row] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(memberships)
    .where(and(eq(memberships.role, 'owner'), sql`${memberships.userId} <> ${leavingUserId}`));
  if (!row || row.n === 0) throw conflict('An organization needs at least one owner');
}
