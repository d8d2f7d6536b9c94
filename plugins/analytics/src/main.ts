import path from 'node:path';
import { type Db, openPluginDatabase, type PluginDatabase, queryRows, runPluginMain } from '@vrm/plugin-kit';
import { sql } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { loadAnalyticsConfig } from './config.js';
import { createAnalyticsServer } from './server.js';

/** Matches no organization: an unconfigured embedded database reports honest zeros. */
export const NO_ORGANIZATION = '00000000-0000-0000-0000-000000000000';

/**
 * Opens VRM's database read-only for analytics: PostgreSQL by URL (VRM migrates it, not us), or an
 * embedded PGlite database migrated with VRM's own migrations so the tables exist.
 */
export async function openAnalyticsDatabase(options: {
  url?: string | undefined;
  dataDir?: string | undefined;
  migrationsDir: string;
}): Promise<PluginDatabase> {
  if (options.url) {
    const database = await openPluginDatabase({ url: options.url, migrations: [], migrationLockId: 0 });
    try {
      await assertVrmSchema(database.db);
    } catch (error) {
      await database.close();
      throw error;
    }
    return database;
  }
  const database = await openPluginDatabase({ dataDir: options.dataDir, migrations: [], migrationLockId: 0 });
  try {
    await migrate(database.db as never, { migrationsFolder: options.migrationsDir });
  } catch (error) {
    await database.close();
    throw new Error(
      `could not apply VRM's migrations from ${options.migrationsDir} (${(error as Error).message}); set ANALYTICS_MIGRATIONS_DIR or ANALYTICS_DATABASE_URL`,
    );
  }
  return database;
}

/**
 * A PostgreSQL database VRM has not migrated (or not VRM's at all) would otherwise start fine and
 * fail every tool call with an internal error; refuse at start and say what to do.
 */
async function assertVrmSchema(db: Db): Promise<void> {
  const [row] = await queryRows(
    db,
    sql`select to_regclass('calls') is not null and to_regclass('call_events') is not null as ok`,
  );
  if (row?.ok !== true) {
    throw new Error(
      "the database at ANALYTICS_DATABASE_URL has no VRM tables (calls, call_events): point it at VRM's database after VRM has migrated it (vrm migrate)",
    );
  }
}

/** Without a configured organization, the embedded database's only organization (if exactly one). */
async function soleOrganization(db: Db): Promise<string | undefined> {
  const rows = await queryRows<{ id: string }>(db, sql`select id::text as id from organizations limit 2`);
  return rows.length === 1 ? rows[0]!.id : undefined;
}

/** `vrm-analytics [--http] [--port N] [--host H]`; resolves with the exit code. */
export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runPluginMain(
    argv,
    {
      name: 'analytics',
      envPrefix: 'ANALYTICS',
      envHelp: [
        "ANALYTICS_DATABASE_URL      VRM's PostgreSQL (read-only use); requires ANALYTICS_ORGANIZATION_ID",
        'ANALYTICS_ORGANIZATION_ID   the organization whose calls the tools report',
        'ANALYTICS_DATA_DIR          embedded PGlite directory when no URL is set (default ./.vrm-analytics)',
        "ANALYTICS_MIGRATIONS_DIR    VRM's migrations for the embedded database (default: the repo's migrations/)",
      ],
      async start(env, log) {
        const config = loadAnalyticsConfig(env);
        const database = await openAnalyticsDatabase({
          url: config.ANALYTICS_DATABASE_URL,
          dataDir: config.ANALYTICS_DATA_DIR,
          migrationsDir: config.ANALYTICS_MIGRATIONS_DIR,
        });
        let organizationId: string;
        try {
          organizationId =
            config.ANALYTICS_ORGANIZATION_ID ?? (await soleOrganization(database.db)) ?? NO_ORGANIZATION;
        } catch (error) {
          // An open PostgreSQL pool would keep the process alive after the failed start.
          await database.close();
          throw error;
        }
        if (organizationId === NO_ORGANIZATION)
          log.warn('no organization configured or found: figures will be zero');
        const onUnexpected = (tool: string, error: unknown) => log.error({ err: error, tool }, 'tool failed');
        return {
          createServer: () => createAnalyticsServer({ db: database.db, organizationId, onUnexpected }),
          close: () => database.close(),
          describe:
            database.kind === 'postgres'
              ? 'postgres'
              : `pglite at ${path.resolve(config.ANALYTICS_DATA_DIR)}`,
        };
      },
    },
    env,
  );
}
