import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { memberships, organizations, users } from '../../db/schema.js';
import { unauthorized } from '../../errors.js';
import type { Services } from '../../kernel/container.js';
import { requestMeta, tenant } from '../request-meta.js';
import { type ApiRouter, principalOf } from '../route.js';
import { parseBody } from '../validate.js';

const Email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'must be an email address' }))
  .refine((v) => v.length <= 254, 'must be at most 254 characters');
const Password = z
  .string()
  .min(10, 'must be at least 10 characters')
  .max(200, 'must be at most 200 characters');

export const SignupBody = z.strictObject({
  email: Email,
  password: Password,
  organization: z.string().trim().min(1, 'is required').max(100),
  name: z.string().trim().max(100).optional(),
});

export const LoginBody = z.strictObject({
  email: Email,
  password: z.string().min(1, 'is required').max(200),
  totp: z.string().trim().optional(),
  organizationId: z.uuid().optional(),
});

const RefreshBody = z.strictObject({ refreshToken: z.string().min(1).max(200) });
const SwitchBody = z.strictObject({ organizationId: z.uuid() });
const CodeBody = z.strictObject({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'must be a 6-digit code'),
});
const CreateOrgBody = z.strictObject({ name: z.string().trim().min(1).max(100) });

export function authRoutes(r: ApiRouter, services: Services) {
  const { auth } = services;

  r.post('/v1/auth/signup', 'public', async (c) => {
    const body = await parseBody(c, SignupBody);
    return c.json(await auth.signup(body, requestMeta(c, services)), 201);
  });

  r.post('/v1/auth/login', 'public', async (c) => {
    const body = await parseBody(c, LoginBody);
    return c.json(await auth.login(body, requestMeta(c, services)));
  });

  r.post('/v1/auth/refresh', 'public', async (c) => {
    const { refreshToken } = await parseBody(c, RefreshBody);
    return c.json(await auth.refresh(refreshToken, requestMeta(c, services)));
  });

  r.post('/v1/auth/logout', 'public', async (c) => {
    const { refreshToken } = await parseBody(c, RefreshBody);
    await auth.logout(refreshToken);
    return c.body(null, 204);
  });

  r.get('/v1/auth/me', 'authenticated', async (c) => {
    const principal = principalOf(c);
    const organization = await tenant(c, services, async (tx) => (await tx.select().from(organizations))[0]);
    const user = principal.userId
      ? await tenant(c, services, async (tx) => {
          const [u] = await tx
            .select({ id: users.id, email: users.email, name: users.name, mfaEnabled: users.mfaEnabled })
            .from(users)
            .where(eq(users.id, principal.userId!));
          return u ?? null;
        })
      : null;
    const orgs = principal.userId
      ? await services.db.system((tx) =>
          tx
            .select({
              id: organizations.id,
              name: organizations.name,
              slug: organizations.slug,
              role: memberships.role,
            })
            .from(memberships)
            .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
            .where(eq(memberships.userId, principal.userId!)),
        )
      : [];
    return c.json({
      principal: { kind: principal.kind, role: principal.role },
      user,
      organization,
      organizations: orgs,
    });
  });

  r.post('/v1/auth/switch', 'authenticated', async (c) => {
    const principal = principalOf(c);
    if (!principal.userId) throw unauthorized('API keys belong to one organization and cannot switch');
    const { organizationId } = await parseBody(c, SwitchBody);
    return c.json(await auth.switchOrganization(principal.userId, organizationId));
  });

  r.post('/v1/organizations', 'authenticated', async (c) => {
    const principal = principalOf(c);
    if (!principal.userId) throw unauthorized('Only a signed-in user can create an organization');
    const { name } = await parseBody(c, CreateOrgBody);
    return c.json(await auth.createOrganization(principal.userId, name), 201);
  });

  r.post('/v1/auth/mfa/setup', 'authenticated', async (c) => {
    const principal = principalOf(c);
    if (!principal.userId) throw unauthorized('Two-factor authentication is for users, not API keys');
    return c.json(await auth.beginMfa(principal.userId));
  });

  for (const [path, enable] of [
    ['/v1/auth/mfa/enable', true],
    ['/v1/auth/mfa/disable', false],
  ] as const) {
    r.post(path, 'authenticated', async (c) => {
      const principal = principalOf(c);
      if (!principal.userId) throw unauthorized('Two-factor authentication is for users, not API keys');
      const { code } = await parseBody(c, CodeBody);
      await auth.setMfa(principal.userId, enable, code, {
        organizationId: principal.organizationId,
        ...requestMeta(c, services),
      });
      return c.json({ mfaEnabled: enable });
    });
  }
}
