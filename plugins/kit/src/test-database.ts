/**
 * Databases for plugin tests on every driver the machine offers: PGlite always, PostgreSQL too when
 * TEST_DATABASE_URL is set. Each PostgreSQL suite gets a database of its own, created from that
 * admin URL and dropped afterwards, so suites running in parallel never see each other's rows.
 */
import { randomBytes } from 'node:crypto';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import type { PluginDatabase } from './database.js';

export type TestDriver = 'pglite' | 'postgres';

/** The drivers to run database suites against, for `describe.each(testDrivers())`. */
export function testDrivers(): TestDriver[] {
  return process.env.TEST_DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
}

export interface TestPostgresDatabase {
  /** The new database's `postgres://` URL: hand it to the code under test or a spawned bin. */
  readonly url: string;
  readonly name: string;
  /**
   * Drops the database `with (force)`, so a leaked connection cannot keep it alive, and then
   * rejects if a connection was still open after a grace period: whatever used the database
   * (a plugin's `close()`, a bin that exited) must have released its connections.
   */
  drop(): Promise<void>;
}

export interface CreateTestPostgresDatabaseOptions {
  /** Drizzle-kit migrations (a folder with `meta/_journal.json`) applied to the new database. */
  migrationsFolder?: string;
}

function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: PostgreSQL suites need a server');
  return url;
}

type AdminClient = ReturnType<typeof postgres>;

async function asAdmin<T>(run: (admin: AdminClient) => Promise<T>): Promise<T> {
  const admin = postgres(adminUrl(), { max: 1, onnotice: () => {} });
  try {
    return await run(admin);
  } finally {
    await admin.end({ timeout: 5 });
  }
}

/** How long a closed client's server processes may take to go away before they count as leaked. */
const RELEASE_GRACE_MS = 5_000;

/** Connections to `name` still open once the grace period is over (0 as soon as there are none). */
async function lingeringConnections(admin: AdminClient, name: string): Promise<number> {
  const deadline = Date.now() + RELEASE_GRACE_MS;
  for (;;) {
    const [row] = await admin<Array<{ open: number }>>`
      select count(*)::int as open from pg_stat_activity where datname = ${name}`;
    const open = row?.open ?? 0;
    if (open === 0 || Date.now() >= deadline) return open;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Another suite creating the same cluster-wide object (a role) at the same moment: PostgreSQL
 * answers unique_violation or duplicate_object, and the loser's migration is rolled back whole.
 */
function isCreateRace(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (code === '23505' || code === '42710') return true;
  }
  return false;
}

async function applyMigrations(url: string, migrationsFolder: string): Promise<void> {
  const client = postgres(url, { max: 1, onnotice: () => {} });
  try {
    try {
      await migrate(drizzle(client), { migrationsFolder });
    } catch (error) {
      if (!isCreateRace(error)) throw error;
      await migrate(drizzle(client), { migrationsFolder });
    }
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Creates a uniquely named, empty (or migrated) database on the TEST_DATABASE_URL server. */
export async function createTestPostgresDatabase(
  options: CreateTestPostgresDatabaseOptions = {},
): Promise<TestPostgresDatabase> {
  const name = `vrm_plugin_test_${randomBytes(6).toString('hex')}`;
  const url = new URL(adminUrl());
  url.pathname = `/${name}`;
  await asAdmin((admin) => admin.unsafe(`create database ${name}`));
  let dropped = false;
  const database: TestPostgresDatabase = {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      const leaked = await asAdmin(async (admin) => {
        const open = await lingeringConnections(admin, name);
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        return open;
      });
      if (leaked > 0) {
        throw new Error(
          `${leaked} connection(s) to test database ${name} were still open after close: a client was not ended`,
        );
      }
    },
  };
  try {
    if (options.migrationsFolder) await applyMigrations(database.url, options.migrationsFolder);
  } catch (error) {
    // The migration's own failure is the news; a leak report would only hide it.
    await database.drop().catch(() => undefined);
    throw error;
  }
  return database;
}

/**
 * Opens a plugin's database for a test suite on `driver`: `open(undefined)` gives in-memory PGlite,
 * `open(url)` a fresh PostgreSQL database. Closing it also drops the PostgreSQL database.
 */
export async function openTestPluginDatabase(
  driver: TestDriver,
  open: (url: string | undefined) => Promise<PluginDatabase>,
  options: CreateTestPostgresDatabaseOptions = {},
): Promise<PluginDatabase> {
  if (driver === 'pglite') return open(undefined);
  const server = await createTestPostgresDatabase(options);
  let database: PluginDatabase;
  try {
    database = await open(server.url);
  } catch (error) {
    await server.drop().catch(() => undefined);
    throw error;
  }
  return {
    db: database.db,
    kind: database.kind,
    async close() {
      try {
        await database.close();
      } finally {
        await server.drop();
      }
    },
  };
}
