/**
 * A plugin's own storage: embedded PGlite (files under a data directory, or memory for tests) or
 * PostgreSQL by URL. Both are handed out as the same drizzle `PgDatabase`, so data-access code
 * never asks which one it has.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { type SQL, sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';

/** The driver-neutral drizzle handle every plugin's data-access code takes. */
export type Db = PgDatabase<PgQueryResultHKT, Record<string, never>>;

/** Anything that runs raw SQL: a drizzle database or transaction of either driver. */
export interface SqlExecutor {
  execute(query: SQL): PromiseLike<unknown>;
}

/**
 * Runs raw SQL and returns its rows. `execute` resolves to `{ rows }` on PGlite and to the row
 * array itself on postgres.js; raw rows also keep driver types (int8 and numeric as strings on
 * postgres.js), so cast in SQL (`::int`, `::float8`) or convert with `Number()`.
 */
export async function queryRows<Row extends Record<string, unknown> = Record<string, unknown>>(
  executor: SqlExecutor,
  query: SQL,
): Promise<Row[]> {
  const result = await executor.execute(query);
  if (Array.isArray(result)) return result as Row[];
  return ((result as { rows?: Row[] }).rows ?? []) as Row[];
}

export interface PluginDatabase {
  readonly db: Db;
  readonly kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

export interface OpenPluginDatabaseOptions {
  /** A postgres:// URL; when set, PostgreSQL is used and `dataDir` is ignored. */
  url?: string | undefined;
  /** PGlite's directory; undefined keeps the database in memory (tests). */
  dataDir?: string | undefined;
  /**
   * Idempotent DDL statements (`create table if not exists …`) run in order at open. Each plugin
   * owns its tables, so a tiny ordered list beats a migration framework here.
   */
  migrations: readonly string[];
  /**
   * A number unique to the plugin: with PostgreSQL, migrations run under this advisory lock so
   * several processes starting at once do not race on `create table`.
   */
  migrationLockId: number;
}

/** Opens and migrates a plugin's database. */
export async function openPluginDatabase(options: OpenPluginDatabaseOptions): Promise<PluginDatabase> {
  if (options.url) return openPostgres(options.url, options);
  return openPglite(options);
}

async function openPglite(options: OpenPluginDatabaseOptions): Promise<PluginDatabase> {
  let pgDir: string | undefined;
  if (options.dataDir) {
    const root = path.resolve(options.dataDir);
    pgDir = path.join(root, 'pgdata');
    mkdirSync(pgDir, { recursive: true });
    // The default data directory lives in the working directory (often a git checkout): keep it
    // out of version control the way virtualenvs do.
    writeFileSync(path.join(root, '.gitignore'), '*\n');
  }
  const client = new PGlite(pgDir);
  await client.waitReady;
  const db = drizzlePglite({ client }) as unknown as Db;
  try {
    for (const statement of options.migrations) await client.exec(statement);
  } catch (error) {
    // A directory stays locked to this process until its PGlite instance is closed.
    await client.close();
    throw error;
  }
  return {
    db,
    kind: 'pglite',
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

async function openPostgres(url: string, options: OpenPluginDatabaseOptions): Promise<PluginDatabase> {
  const client = postgres(url, { max: 5, onnotice: () => {} });
  const db = drizzlePostgres(client) as unknown as Db;
  try {
    if (options.migrations.length > 0)
      await db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${options.migrationLockId})`);
        for (const statement of options.migrations) await tx.execute(sql.raw(statement));
      });
    // postgres.js connects lazily: without this, a wrong URL or a server that is down would
    // surface only at the first tool call, as an internal error, instead of at start.
    else await db.execute(sql`select 1`);
  } catch (error) {
    await client.end({ timeout: 5 });
    throw error;
  }
  return {
    db,
    kind: 'postgres',
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}
