import { eq, getTableColumns, is, sql } from 'drizzle-orm';
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDatabase, testDrivers } from '../testing/harness.js';
import type { Database } from './client.js';
import * as schema from './schema.js';

const tenantTables = (Object.values(schema) as unknown[]).filter(
  (t): t is PgTable => is(t, PgTable) && 'organizationId' in getTableColumns(t),
);
const platformTables = [schema.organizations, schema.users] as unknown as PgTable[];

describe.each(testDrivers())('row-level security on %s', (driver) => {
  let db: Database;
  let orgA: string;
  let orgB: string;

  beforeAll(async () => {
    db = await openTestDatabase(driver);
    await db.system(async (tx) => {
      const [a] = await tx.insert(schema.organizations).values({ name: 'A', slug: 'a' }).returning();
      const [b] = await tx.insert(schema.organizations).values({ name: 'B', slug: 'b' }).returning();
      orgA = a!.id;
      orgB = b!.id;
      const [ua] = await tx.insert(schema.users).values({ email: 'a@example.com' }).returning();
      const [ub] = await tx.insert(schema.users).values({ email: 'b@example.com' }).returning();
      await tx.insert(schema.memberships).values([
        { organizationId: orgA, userId: ua!.id, role: 'owner' },
        { organizationId: orgB, userId: ub!.id, role: 'owner' },
      ]);
      for (const org of [orgA, orgB]) {
        const [agent] = await tx
          .insert(schema.agents)
          .values({ organizationId: org, name: 'desk', liveVersion: 1, latestVersion: 1 })
          .returning();
        await tx.insert(schema.agentVersions).values({
          organizationId: org,
          agentId: agent!.id,
          version: 1,
          yaml: 'x',
          manifest: {},
          hash: 'h',
        });
        await tx.insert(schema.secrets).values({ organizationId: org, name: 'K', ciphertext: 'c' });
        await tx.insert(schema.auditLog).values({ organizationId: org, action: 'auth.login' });
        const [call] = await tx
          .insert(schema.calls)
          .values({ organizationId: org, channel: 'text' })
          .returning();
        await tx.insert(schema.callEvents).values({
          organizationId: org,
          callId: call!.id,
          seq: 1,
          type: 'call.started',
          at: new Date(),
          offsetMs: 0,
        });
      }
    });
  });

  afterAll(async () => {
    await db?.close();
  });

  it('covers every table that carries an organization with a policy', () => {
    expect(tenantTables.length).toBeGreaterThanOrEqual(10);
    for (const table of tenantTables) {
      const config = getTableConfig(table);
      expect(config.enableRLS, config.name).toBe(true);
      expect(config.policies.length, config.name).toBeGreaterThan(0);
    }
  });

  it('shows nothing to the application role when a query forgets the tenant', async () => {
    for (const table of [...tenantTables, ...platformTables]) {
      const rows = await db.asAppRole((tx) => tx.select().from(table));
      expect(rows, getTableConfig(table).name).toEqual([]);
    }
  });

  it('shows a tenant only its own rows, even without a where clause', async () => {
    const agents = await db.withTenant(orgA, (tx) => tx.select().from(schema.agents));
    expect(agents.map((a) => a.organizationId)).toEqual([orgA]);
    const orgs = await db.withTenant(orgA, (tx) => tx.select().from(schema.organizations));
    expect(orgs.map((o) => o.name)).toEqual(['A']);
    const users = await db.withTenant(orgA, (tx) => tx.select().from(schema.users));
    expect(users.map((u) => u.email)).toEqual(['a@example.com']);
    const events = await db.withTenant(orgB, (tx) => tx.select().from(schema.callEvents));
    expect(events.map((e) => e.organizationId)).toEqual([orgB]);
  });

  it("cannot change or delete another tenant's rows", async () => {
    const updated = await db.withTenant(orgA, (tx) =>
      tx
        .update(schema.agents)
        .set({ name: 'hijacked' })
        .where(eq(schema.agents.organizationId, orgB))
        .returning(),
    );
    expect(updated).toEqual([]);
    const deleted = await db.withTenant(orgA, (tx) =>
      tx.delete(schema.secrets).where(eq(schema.secrets.organizationId, orgB)).returning(),
    );
    expect(deleted).toEqual([]);
    const stillThere = await db.withTenant(orgB, (tx) => tx.select().from(schema.secrets));
    expect(stillThere).toHaveLength(1);
  });

  it('cannot insert rows into another tenant or move a row there', async () => {
    await expectRlsViolation(
      db.withTenant(orgA, (tx) =>
        tx.insert(schema.secrets).values({ organizationId: orgB, name: 'X', ciphertext: 'c' }),
      ),
    );
    await expectRlsViolation(
      db.withTenant(orgA, (tx) => tx.update(schema.agents).set({ organizationId: orgB })),
    );
  });

  it('runs application queries as a role that is neither superuser nor table owner', async () => {
    const [row] = await db.withTenant(orgA, async (tx) => {
      const result = await tx.execute(
        sql`select current_user as role, r.rolsuper as superuser, r.rolbypassrls as bypass,
                   (select count(*)::int from pg_tables where schemaname = 'public' and tableowner = current_user) as owned
            from pg_roles r where r.rolname = current_user`,
      );
      return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Array<
        Record<string, unknown>
      >;
    });
    expect(row).toEqual({ role: 'vrm_app', superuser: false, bypass: false, owned: 0 });
  });
});

async function expectRlsViolation(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e as Error & { cause?: Error },
  );
  expect(error, 'the statement should have been refused').toBeDefined();
  expect(`${error!.message} ${error!.cause?.message ?? ''}`).toMatch(/row-level security/);
}
