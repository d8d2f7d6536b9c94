import path from 'node:path';
import { openPluginDatabase, type PluginDatabase, runPluginMain } from '@vrm/plugin-kit';
import type { CountryCode } from 'libphonenumber-js';
import { loadCrmConfig } from './config.js';
import { CRM_MIGRATION_LOCK_ID, CRM_MIGRATIONS } from './schema.js';
import { seedDemo } from './seed.js';
import { createCrmContext, createCrmServer } from './server.js';

/** Opens (and migrates) the CRM's database: PostgreSQL when a URL is given, else PGlite files. */
export function openCrmDatabase(options: {
  url?: string | undefined;
  dataDir?: string | undefined;
}): Promise<PluginDatabase> {
  return openPluginDatabase({
    ...options,
    migrations: CRM_MIGRATIONS,
    migrationLockId: CRM_MIGRATION_LOCK_ID,
  });
}

/** `vrm-crm [--http] [--port N] [--host H]`; resolves with the exit code. */
export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runPluginMain(
    argv,
    {
      name: 'crm',
      envPrefix: 'CRM',
      envHelp: [
        'CRM_DATABASE_URL      postgres:// URL; without it an embedded PGlite database is used',
        'CRM_DATA_DIR          PGlite directory (default ./.vrm-crm)',
        'CRM_DEFAULT_REGION    region for national phone numbers (default US)',
        'CRM_SEED_DEMO=1       add demo contacts and a week of slots at start',
      ],
      async start(env, log) {
        const config = loadCrmConfig(env);
        const database = await openCrmDatabase({
          url: config.CRM_DATABASE_URL,
          dataDir: config.CRM_DATA_DIR,
        });
        const context = createCrmContext({
          db: database.db,
          defaultRegion: config.CRM_DEFAULT_REGION as CountryCode,
        });
        try {
          if (config.CRM_SEED_DEMO) log.info(await seedDemo(context), 'seeded demo data');
        } catch (error) {
          // An open PostgreSQL pool would keep the process alive after the failed start.
          await database.close();
          throw error;
        }
        return {
          createServer: () =>
            createCrmServer(context, (tool, error) => log.error({ err: error, tool }, 'tool failed')),
          close: () => database.close(),
          describe:
            database.kind === 'postgres' ? 'postgres' : `pglite at ${path.resolve(config.CRM_DATA_DIR)}`,
        };
      },
    },
    env,
  );
}
