import path from 'node:path';
import { type Db, openPluginDatabase, type PluginDatabase, runPluginMain } from '@vrm/plugin-kit';
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
  if (options.url) return openPluginDatabase({ url: options.url, migrations: [], migrationLockId: 0 });
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

/** Without a configured organization, the embedded database's only organization (if exactly one). */
async function soleOrganization(db: Db): Promise<string | undefined> {
  const result = await db.execute(sql`select id::text as id from organizations limit 2`);
  const rows = (Array.isArray(result) ? result : (result as { rows: Array<{ id: string }> }).rows) as Array<{
    id: string;
  }>;
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
        const organizationId =
          config.ANALYTICS_ORGANIZATION_ID ?? (await soleOrganization(database.db)) ?? NO_ORGANIZATION;
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
