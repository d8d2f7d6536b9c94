import path from 'node:path';
import { openPluginDatabase, type PluginDatabase, type PluginLogger, runPluginMain } from '@vrm/plugin-kit';
import type { PaymentsBackend } from './backend.js';
import { loadPaymentsConfig, type PaymentsConfig } from './config.js';
import { IdempotencyStore } from './idempotency.js';
import { LedgerBackend } from './ledger/ledger-backend.js';
import { PAYMENTS_MIGRATION_LOCK_ID, PAYMENTS_MIGRATIONS } from './schema.js';
import { seedLedgerDemo } from './seed.js';
import { createPaymentsServer } from './server.js';
import { StripeBackend } from './stripe/stripe-backend.js';

/** Opens (and migrates) the plugin's database: PostgreSQL when a URL is given, else PGlite files. */
export function openPaymentsDatabase(options: {
  url?: string | undefined;
  dataDir?: string | undefined;
}): Promise<PluginDatabase> {
  return openPluginDatabase({
    ...options,
    migrations: PAYMENTS_MIGRATIONS,
    migrationLockId: PAYMENTS_MIGRATION_LOCK_ID,
  });
}

/** Stripe when a secret key is configured, else the built-in ledger (seeded on request). */
async function createBackend(
  config: PaymentsConfig,
  database: PluginDatabase,
  log: PluginLogger,
): Promise<PaymentsBackend> {
  if (config.STRIPE_SECRET_KEY) {
    return new StripeBackend({ secretKey: config.STRIPE_SECRET_KEY, apiBase: config.STRIPE_API_BASE });
  }
  const ledger = new LedgerBackend(database.db, config.PAYMENTS_LINK_BASE_URL);
  if (config.PAYMENTS_SEED_DEMO) log.info(await seedLedgerDemo(database.db, ledger), 'seeded demo data');
  return ledger;
}

/** `vrm-payments [--http] [--port N] [--host H]`; resolves with the exit code. */
export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runPluginMain(
    argv,
    {
      name: 'payments',
      envPrefix: 'PAYMENTS',
      envHelp: [
        'STRIPE_SECRET_KEY         use Stripe (sk_test_…/sk_live_…); without it the built-in ledger',
        'STRIPE_API_BASE           Stripe API base URL (tests, proxies); default https://api.stripe.com',
        'PAYMENTS_DATABASE_URL     postgres:// URL; without it an embedded PGlite database is used',
        'PAYMENTS_DATA_DIR         PGlite directory (default ./.vrm-payments)',
        'PAYMENTS_LINK_BASE_URL    ledger only: your checkout page, the link id is appended',
        'PAYMENTS_SEED_DEMO=1      ledger only: add demo customers and invoices at start',
      ],
      async start(env, log) {
        const config = loadPaymentsConfig(env);
        const database = await openPaymentsDatabase({
          url: config.PAYMENTS_DATABASE_URL,
          dataDir: config.PAYMENTS_DATA_DIR,
        });
        let backend: PaymentsBackend;
        try {
          backend = await createBackend(config, database, log);
        } catch (error) {
          // An open PostgreSQL pool would keep the process alive after the failed start.
          await database.close();
          throw error;
        }
        const context = { backend, idempotency: new IdempotencyStore(database.db) };
        const storage =
          database.kind === 'postgres' ? 'postgres' : `pglite at ${path.resolve(config.PAYMENTS_DATA_DIR)}`;
        return {
          createServer: () =>
            createPaymentsServer(context, (tool, error) => log.error({ err: error, tool }, 'tool failed')),
          close: () => database.close(),
          describe: `${backend.kind} backend, ${storage}`,
        };
      },
    },
    env,
  );
}
