import { eq, sql } from 'drizzle-orm';
import { bigint, pgTable, serial, text, timestamp } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPluginDatabase, type PluginDatabase, queryRows } from './database.js';
import { createTestPostgresDatabase, openTestPluginDatabase, testDrivers } from './test-database.js';

const ledger = pgTable('kit_probe_ledger', {
  id: serial('id').primaryKey(),
  name: text('name').notNull(),
  amount: bigint('amount', { mode: 'number' }).notNull(),
  at: timestamp('at', { withTimezone: true }).notNull(),
});

const MIGRATIONS = [
  `create table if not exists kit_probe_ledger (
    id serial primary key, name text not null, amount bigint not null, at timestamptz not null
  )`,
  'create unique index if not exists kit_probe_ledger_name_idx on kit_probe_ledger (name)',
];
const LOCK_ID = 48_151_999;

const open = (url: string | undefined) =>
  openPluginDatabase({ url, migrations: MIGRATIONS, migrationLockId: LOCK_ID });

describe.each(testDrivers())('openPluginDatabase on %s', (driver) => {
  let database: PluginDatabase;

  beforeAll(async () => {
    database = await openTestPluginDatabase(driver, open);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('migrates at open and reads columns back as the same JavaScript types', async () => {
    expect(database.kind).toBe(driver);
    const at = new Date('2030-01-07T09:00:00.123Z');
    await database.db.insert(ledger).values({ name: 'big', amount: 9_000_000_000, at });
    const [row] = await database.db.select().from(ledger).where(eq(ledger.name, 'big'));
    expect(row).toEqual({ id: expect.any(Number), name: 'big', amount: 9_000_000_000, at });
  });

  it('returns raw rows from either driver through queryRows', async () => {
    const rows = await queryRows<{ n: number; total: string }>(
      database.db,
      sql`select 2::int as n, sum(x)::text as total from (values (9000000000::bigint), (1)) as v(x)`,
    );
    expect(rows).toEqual([{ n: 2, total: '9000000001' }]);
    // Inside a transaction too, where `execute` has the same two shapes.
    const inTx = await database.db.transaction((tx) => queryRows(tx, sql`select 'ok' as status`));
    expect(inTx).toEqual([{ status: 'ok' }]);
  });

  it('surfaces unique violations with the SQLSTATE code 23505 somewhere in the cause chain', async () => {
    const at = new Date();
    await database.db.insert(ledger).values({ name: 'once', amount: 1, at });
    const error = await database.db
      .insert(ledger)
      .values({ name: 'once', amount: 2, at })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    const codes: unknown[] = [];
    for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause)
      codes.push((e as { code?: unknown }).code);
    expect(codes).toContain('23505');
  });

  it('rejects a failing migration at open and releases what it opened', async () => {
    const server = driver === 'postgres' ? await createTestPostgresDatabase() : undefined;
    try {
      await expect(
        openPluginDatabase({
          url: server?.url,
          migrations: ['create table broken ('],
          migrationLockId: LOCK_ID,
        }),
      ).rejects.toThrow();
    } finally {
      // drop() rejects if the failed open left a connection behind.
      await server?.drop();
    }
  });
});

// Several plugin processes starting at once on one PostgreSQL database (PGlite has one process).
describe.each(testDrivers().filter((driver) => driver === 'postgres'))(
  'openPluginDatabase, many openers on one %s database',
  () => {
    it('serializes the migrations under the advisory lock, so none fails on create table', async () => {
      const server = await createTestPostgresDatabase();
      try {
        const opened = await Promise.allSettled(Array.from({ length: 6 }, () => open(server.url)));
        await Promise.all(opened.map((o) => (o.status === 'fulfilled' ? o.value.close() : undefined)));
        expect(opened.map((o) => o.status)).toEqual(Array(6).fill('fulfilled'));
      } finally {
        await server.drop();
      }
    });
  },
);
