/**
 * Opens VRM's database: PGlite (PostgreSQL in WASM, files under the data directory) by default,
 * PostgreSQL through postgres.js when a URL is given. Both get the same schema, the same
 * migrations and the same tenant discipline, so the rest of the runtime never asks which it has.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import * as schema from './schema.js';

export type Schema = typeof schema;
// biome-ignore lint/suspicious/noExplicitAny: the relational-config parameter differs per driver.
export type Tx = PgTransaction<PgQueryResultHKT, Schema, any>;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export const MIGRATIONS_FOLDER = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../../migrations',
);

/** Arbitrary but fixed: serializes migrations when several processes start on one PostgreSQL. */
const MIGRATION_LOCK_ID = 7_402_113;

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs `fn` in a transaction as the application role with the tenant set. Row-level security
   * limits every statement inside to `organizationId`'s rows.
   */
  withTenant<T>(organizationId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * Runs `fn` in a transaction as the schema owner, across tenants. Only for the few lookups that
   * happen before a tenant is known (login, API-key and token resolution, signup, webhooks).
   */
  system<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Runs `fn` as the application role with no tenant set: what a forgetful query would see. */
  asAppRole<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Subscribes to a NOTIFY channel; returns the unsubscribe function. */
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A postgres:// URL; without it, PGlite under `dataDir`. */
  url?: string | undefined;
  /** Directory for PGlite's files; omitted means in memory (tests). */
  dataDir?: string | undefined;
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const database = options.url ? await openPostgres(options.url, options) : await openPglite(options);
  return database;
}

function tenantRunner(db: Db) {
  const withTenant = <T>(organizationId: string, fn: (tx: Tx) => Promise<T>) =>
    db.transaction(async (tx) => {
      // `set_config('role', …, true)` is `set local role`: both settings in one round trip.
      await tx.execute(
        sql`select set_config('role', 'vrm_app', true), set_config('vrm.org_id', ${organizationId}, true)`,
      );
      return fn(tx as Tx);
    });
  const asAppRole = <T>(fn: (tx: Tx) => Promise<T>) =>
    db.transaction(async (tx) => {
      await tx.execute(sql`set local role vrm_app`);
      return fn(tx as Tx);
    });
  const system = <T>(fn: (tx: Tx) => Promise<T>) =>
    db.transaction(async (tx) => {
      await tx.execute(sql`set local role none`);
      return fn(tx as Tx);
    });
  return { withTenant, asAppRole, system };
}

async function openPglite(options: OpenDatabaseOptions): Promise<Database> {
  let dataDir: string | undefined;
  if (options.dataDir) {
    dataDir = path.join(path.resolve(options.dataDir), 'pglite');
    mkdirSync(dataDir, { recursive: true });
  }
  const client = new PGlite(dataDir);
  await client.waitReady;
  const db = drizzlePglite({ client, schema }) as unknown as Db;
  if (options.migrate !== false) {
    await migratePglite(db as never, { migrationsFolder: MIGRATIONS_FOLDER });
  }
  // PGlite has one session, opened as a superuser. Default it to the application role so that
  // anything outside `system` is subject to row-level security.
  await client.exec('set role vrm_app');
  return {
    kind: 'pglite',
    ...tenantRunner(db),
    async listen(channel, onPayload) {
      const unsubscribe = await client.listen(channel, onPayload);
      return async () => unsubscribe();
    },
    async notify(channel, payload) {
      await client.query('select pg_notify($1, $2)', [channel, payload]);
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      if (!client.closed) await client.close();
    },
  };
}

async function openPostgres(url: string, options: OpenDatabaseOptions): Promise<Database> {
  if (options.migrate !== false) {
    // One connection, held for the whole migration, so the advisory lock covers it.
    const migrator = postgres(url, { max: 1, onnotice: () => {} });
    try {
      await migrator`select pg_advisory_lock(${MIGRATION_LOCK_ID})`;
      await migratePostgres(drizzlePostgres(migrator), { migrationsFolder: MIGRATIONS_FOLDER });
      await migrator`select pg_advisory_unlock(${MIGRATION_LOCK_ID})`;
    } finally {
      await migrator.end();
    }
  }
  // Every pooled connection starts as the application role; `system` steps back to the login
  // role for one transaction at a time.
  const client = postgres(url, {
    max: options.maxConnections ?? 10,
    onnotice: () => {},
    connection: { options: '-c role=vrm_app' },
  });
  const listener = postgres(url, { max: 1, onnotice: () => {} });
  const db = drizzlePostgres(client, { schema }) as unknown as Db;
  return {
    kind: 'postgres',
    ...tenantRunner(db),
    async listen(channel, onPayload) {
      const subscription = await listener.listen(channel, onPayload);
      return async () => subscription.unlisten();
    },
    async notify(channel, payload) {
      await client`select pg_notify(${channel}, ${payload})`;
    },
    async ping() {
      await client`select 1`;
    },
    async close() {
      await Promise.all([client.end({ timeout: 5 }), listener.end({ timeout: 5 })]);
    },
  };
}
