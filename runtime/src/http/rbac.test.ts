import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, PERMISSIONS, type Role } from '../auth/rbac.js';
import type { Database } from '../db/client.js';
import { ROLES } from '../db/schema.js';
import {
  client,
  createTestApp,
  openTestDatabase,
  signup,
  type TestApp,
  testDrivers,
} from '../testing/harness.js';
import type { RouteSpec } from './route.js';

function concretePath(spec: RouteSpec): string {
  return spec.path.replace(/:(\w+)/g, (_, name: string) => (name === 'name' ? 'SOME_NAME' : randomUUID()));
}

describe.each(testDrivers())('RBAC and tenant isolation through the API on %s', (driver) => {
  let db: Database;
  let vrm: TestApp;
  let api: ReturnType<typeof client>;
  const tokens = {} as Record<Role, { user: string; apiKey: string }>;

  beforeAll(async () => {
    db = await openTestDatabase(driver);
    vrm = await createTestApp(db);
    api = client(vrm.app);
    const owner = await signup(vrm.app, 'Matrix Org');
    for (const role of ROLES) {
      const key = await api.post('/v1/api-keys', { name: role, role }, owner.token);
      expect(key.status).toBe(201);
      let user = owner.token;
      if (role !== 'owner') {
        const member = await signup(vrm.app, `${role}'s own org`);
        expect((await api.post('/v1/members', { email: member.email, role }, owner.token)).status).toBe(201);
        const switched = await api.post(
          '/v1/auth/switch',
          { organizationId: owner.organization.id },
          member.token,
        );
        expect(switched.status).toBe(200);
        user = switched.body.token;
      }
      tokens[role] = { user, apiKey: key.body.key };
    }
  });
  afterAll(async () => {
    await vrm?.close();
    await db?.close();
  });

  it('declares an access rule for every /v1 route', () => {
    const declared = new Set(vrm.routes.map((r) => `${r.method} ${r.path}`));
    const registered = vrm.app.routes
      .filter((r) => r.path.startsWith('/v1/') && r.method !== 'ALL' && !r.path.endsWith('*'))
      .map((r) => `${r.method} ${r.path}`);
    expect(registered.length).toBeGreaterThan(10);
    for (const route of registered) expect(declared, route).toContain(route);
  });

  it('gives every role exactly the routes the RBAC table allows', async () => {
    const guarded = vrm.routes.filter((r) => r.access in PERMISSIONS);
    expect(guarded.length).toBeGreaterThan(10);
    for (const spec of guarded) {
      for (const role of ROLES) {
        for (const credential of ['user', 'apiKey'] as const) {
          const res = await api.call(
            spec.method,
            concretePath(spec),
            spec.method === 'GET' || spec.method === 'DELETE' ? undefined : {},
            tokens[role][credential],
          );
          const allowed = can(role, spec.access as keyof typeof PERMISSIONS);
          const label = `${role} (${credential}) ${spec.method} ${spec.path}`;
          if (allowed) expect(res.status, label).not.toBe(403);
          else {
            expect(res.status, label).toBe(403);
            expect(res.body.error.code, label).toBe('forbidden');
          }
          expect(res.status, label).not.toBe(401);
        }
      }
    }
  });

  it('refuses every guarded route without a credential', async () => {
    for (const spec of vrm.routes.filter((r) => r.access !== 'public')) {
      const res = await api.call(spec.method, concretePath(spec));
      expect(res.status, `${spec.method} ${spec.path}`).toBe(401);
    }
  });

  it("never lets one organization read or change another's rows", async () => {
    const a = await signup(vrm.app, 'Org A');
    const b = await signup(vrm.app, 'Org B');
    const bKey = await api.post('/v1/api-keys', { name: 'b-key', role: 'viewer' }, b.token);
    await api.put('/v1/secrets/B_SECRET', { value: 'b-value' }, b.token);

    const members = await api.get('/v1/members', a.token);
    expect(members.body.members.map((m: { email: string }) => m.email)).toEqual([a.email]);
    const keys = await api.get('/v1/api-keys', a.token);
    expect(keys.body.apiKeys).toEqual([]);
    const secrets = await api.get('/v1/secrets', a.token);
    expect(secrets.body.secrets).toEqual([]);
    const audit = await api.get('/v1/audit-log?limit=200', a.token);
    expect(
      audit.body.entries.every((e: { organizationId: string }) => e.organizationId === a.organization.id),
    ).toBe(true);
    const org = await api.get('/v1/organization', a.token);
    expect(org.body.id).toBe(a.organization.id);

    expect((await api.delete(`/v1/api-keys/${bKey.body.id}`, a.token)).status).toBe(404);
    expect((await api.patch(`/v1/members/${b.user.id}`, { role: 'viewer' }, a.token)).status).toBe(404);
    expect((await api.delete(`/v1/members/${b.user.id}`, a.token)).status).toBe(404);
    expect((await api.delete('/v1/secrets/B_SECRET', a.token)).status).toBe(404);
    expect((await api.post('/v1/auth/switch', { organizationId: b.organization.id }, a.token)).status).toBe(
      403,
    );

    // B's key still works and B's secret is still there: nothing of B's was touched.
    expect((await api.get('/v1/members', bKey.body.key)).status).toBe(200);
    expect((await api.get('/v1/secrets', b.token)).body.secrets).toHaveLength(1);
  });

  it('does not let an admin grant owner or remove the last owner', async () => {
    const admin = tokens.admin.user;
    const someone = await signup(vrm.app, 'someone');
    const granted = await api.post('/v1/members', { email: someone.email, role: 'owner' }, admin);
    expect(granted.status).toBe(403);
    const owner = await signup(vrm.app, 'Solo');
    const self = await api.patch(`/v1/members/${owner.user.id}`, { role: 'viewer' }, owner.token);
    expect(self.status).toBe(409);
  });
});
