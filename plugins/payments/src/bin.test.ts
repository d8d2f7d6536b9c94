import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connectStdio,
  createTestPostgresDatabase,
  makeTempDir,
  runInspector,
  runToExit,
  spawnHttpPlugin,
  type TestPostgresDatabase,
  testDrivers,
} from '@vrm/plugin-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStripeTestServer } from './stripe/stripe-test-server.js';

const BIN = fileURLToPath(new URL('../bin/vrm-payments.mjs', import.meta.url));
const TOKEN = 'test-token-payments-0123456789';
const SECRET = 'sk_test_vrm_transport';

// PGlite's first start in a directory is the slow part, so the suites run in order on one
// directory: the Inspector creates it with the zero-config default, stdio and HTTP reopen it.
const cwd = makeTempDir('vrm-payments-bin');
const DATA_DIR = path.join(cwd.dir, '.vrm-payments');
afterAll(() => cwd.remove());

describe('vrm-payments under the MCP Inspector CLI, with no arguments and no configuration', {
  timeout: 120_000,
}, () => {
  it('lists the tools', async () => {
    const { tools } = (await runInspector(BIN, cwd.dir, ['--method', 'tools/list'])) as {
      tools: Array<{ name: string }>;
    };
    expect(tools.map((t) => t.name).sort()).toEqual([
      'create_payment_link',
      'find_customer',
      'get_balance',
      'list_invoices',
      'record_payment',
      'refund_payment',
    ]);
  });

  it('calls a tool with an argument on the empty built-in ledger', async () => {
    const result = await runInspector(BIN, cwd.dir, [
      '--method',
      'tools/call',
      '--tool-name',
      'find_customer',
      '--tool-arg',
      'name=jane',
    ]);
    expect(result).toMatchObject({ structuredContent: { customers: [] } });
    expect((result as { isError?: boolean }).isError).toBeFalsy();
  });
});

describe('vrm-payments over stdio with STRIPE_SECRET_KEY', { timeout: 120_000 }, () => {
  it('talks to the Stripe API base from the environment', async () => {
    const stripe = await startStripeTestServer(SECRET);
    const customer = stripe.state.addCustomer({ name: 'Jane Doe', email: 'jane@example.com' });
    const client = await connectStdio(BIN, {
      env: { PAYMENTS_DATA_DIR: DATA_DIR, STRIPE_SECRET_KEY: SECRET, STRIPE_API_BASE: stripe.apiBase },
    });
    try {
      const { tools } = await client.listTools();
      expect(tools.find((t) => t.name === 'refund_payment')?.annotations).toMatchObject({
        destructiveHint: true,
        openWorldHint: true,
      });
      const result = await client.callTool({
        name: 'find_customer',
        arguments: { email: 'jane@example.com' },
      });
      expect(result.structuredContent).toEqual({
        customers: [{ id: customer.id, name: 'Jane Doe', email: 'jane@example.com', phone: null }],
      });
    } finally {
      await client.close();
      await stripe.close();
    }
  });
});

describe.each(testDrivers())('vrm-payments ledger over stdio on %s', { timeout: 120_000 }, (driver) => {
  let postgresDb: TestPostgresDatabase | undefined;

  beforeAll(async () => {
    if (driver === 'postgres') postgresDb = await createTestPostgresDatabase();
  });
  afterAll(async () => {
    await postgresDb?.drop();
  });

  it('records a payment against a seeded invoice once, replaying the retry', async () => {
    // PGlite reuses the Inspector's directory; PostgreSQL gets a fresh database of its own.
    const storage: Record<string, string> = postgresDb
      ? { PAYMENTS_DATABASE_URL: postgresDb.url }
      : { PAYMENTS_DATA_DIR: DATA_DIR };
    const client = await connectStdio(BIN, { env: { ...storage, PAYMENTS_SEED_DEMO: '1' } });
    try {
      await client.listTools();
      const found = await client.callTool({ name: 'find_customer', arguments: { name: 'john' } });
      const [john] = (found.structuredContent as { customers: Array<{ id: string }> }).customers;
      const listed = await client.callTool({ name: 'list_invoices', arguments: { customerId: john!.id } });
      const [invoice] = (
        listed.structuredContent as { invoices: Array<{ id: string; amountRemaining: number }> }
      ).invoices;
      expect(invoice).toMatchObject({ amountRemaining: 32_000 });
      const args = {
        idempotencyKey: 'stdio-pay-0001',
        customerId: john!.id,
        invoiceId: invoice!.id,
        amount: 12_000,
        currency: 'usd',
        method: 'card',
      };
      const first = await client.callTool({ name: 'record_payment', arguments: args });
      const retry = await client.callTool({ name: 'record_payment', arguments: args });
      expect(first.structuredContent).toMatchObject({ replayed: false, payment: { amount: 12_000 } });
      expect(retry.structuredContent).toMatchObject({ replayed: true });
      const balance = await client.callTool({ name: 'get_balance', arguments: { customerId: john!.id } });
      expect(balance.structuredContent).toMatchObject({
        outstanding: [{ currency: 'usd', amount: 20_000 }],
        openInvoices: 1,
      });
    } finally {
      await client.close();
    }
  });
});

describe('vrm-payments over Streamable HTTP (ledger)', { timeout: 120_000 }, () => {
  let plugin: Awaited<ReturnType<typeof spawnHttpPlugin>>;

  beforeAll(async () => {
    plugin = await spawnHttpPlugin(BIN, {
      PAYMENTS_DATA_DIR: DATA_DIR,
      PAYMENTS_AUTH_TOKEN: TOKEN,
      PAYMENTS_SEED_DEMO: '1',
    });
  }, 120_000);
  afterAll(async () => {
    await plugin?.stop();
  });

  it('replays a write with the same idempotency key across requests', async () => {
    const client = await plugin.connect(TOKEN);
    await client.listTools();
    const found = await client.callTool({ name: 'find_customer', arguments: { name: 'jane' } });
    const [jane] = (found.structuredContent as { customers: Array<{ id: string }> }).customers;
    const args = {
      idempotencyKey: 'http-pay-0001',
      customerId: jane!.id,
      amount: 1_000,
      currency: 'usd',
      method: 'cash',
    };
    const first = await client.callTool({ name: 'record_payment', arguments: args });
    const second = await client.callTool({ name: 'record_payment', arguments: args });
    expect(first.structuredContent).toMatchObject({ replayed: false });
    expect(second.structuredContent).toMatchObject({ replayed: true });
    expect((second.structuredContent as { payment: unknown }).payment).toEqual(
      (first.structuredContent as { payment: unknown }).payment,
    );
    const conflict = await client.callTool({ name: 'record_payment', arguments: { ...args, amount: 2_000 } });
    expect(conflict.isError).toBe(true);
  });

  it('answers 401 to a wrong token', async () => {
    await expect(plugin.connect('not-the-token')).rejects.toThrow(/401|nauthorized/);
  });

  it('refuses to start on a public address without a token', async () => {
    const { code, stderr } = await runToExit(BIN, ['--http', '--host', '0.0.0.0'], {
      PAYMENTS_DATA_DIR: DATA_DIR,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/without PAYMENTS_AUTH_TOKEN/);
  });
});
