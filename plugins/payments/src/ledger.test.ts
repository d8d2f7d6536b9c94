import type { Client } from '@modelcontextprotocol/client';
import type { AnyToolDefinition, PluginDatabase } from '@vrm/plugin-kit';
import { connectInMemory, openTestPluginDatabase, testDrivers } from '@vrm/plugin-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyStore } from './idempotency.js';
import { LedgerBackend } from './ledger/ledger-backend.js';
import { openPaymentsDatabase } from './main.js';
import { createPaymentsServer } from './server.js';
import { paymentsTools } from './tools.js';
import type { Customer, Invoice } from './wire.js';

describe.each(testDrivers())('payments ledger on %s', (driver) => {
  let database: PluginDatabase;
  let ledger: LedgerBackend;
  let client: Client;
  let definitions: Map<string, AnyToolDefinition>;
  let jane: Customer;
  let invoice: Invoice;

  beforeAll(async () => {
    database = await openTestPluginDatabase(driver, (url) => openPaymentsDatabase({ url }));
    ledger = new LedgerBackend(database.db, 'https://pay.example.com/l/');
    const context = { backend: ledger, idempotency: new IdempotencyStore(database.db) };
    definitions = new Map(paymentsTools(context).map((t) => [t.name, t]));
    client = await connectInMemory(createPaymentsServer(context));
    await client.listTools();
    jane = await ledger.createCustomer({
      name: 'Jane Doe',
      email: 'jane@example.com',
      phone: '+14155550123',
    });
    invoice = await ledger.createInvoice({
      customerId: jane.id,
      amountDue: 18_950,
      currency: 'usd',
      number: 'INV-1',
    });
    await ledger.createInvoice({ customerId: jane.id, amountDue: 5_000, currency: 'eur', number: 'INV-2' });
  });

  afterAll(async () => {
    await client?.close();
    await database?.close();
  });

  async function call(name: string, args: Record<string, unknown>) {
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const parsed = definitions.get(name)!.output.safeParse(result.structuredContent);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    return result.structuredContent as any;
  }

  async function callError(name: string, args: Record<string, unknown>): Promise<string> {
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError).toBe(true);
    return (result.content as Array<{ text: string }>)[0]!.text;
  }

  describe('ledger lookups', () => {
    it('finds customers by email, partial name and phone', async () => {
      for (const query of [
        { email: 'JANE@example.com' },
        { name: 'doe' },
        { phone: '+14155550123' },
        { customerId: jane.id },
      ]) {
        expect((await call('find_customer', query)).customers).toEqual([jane]);
      }
      expect((await call('find_customer', { name: 'nobody' })).customers).toEqual([]);
    });

    it('reports the balance per currency in integer minor units', async () => {
      expect(await call('get_balance', { customerId: jane.id })).toEqual({
        customerId: jane.id,
        outstanding: [
          { currency: 'eur', amount: 5_000 },
          { currency: 'usd', amount: 18_950 },
        ],
        credit: [],
        openInvoices: 2,
      });
    });

    it('lists invoices with a status filter', async () => {
      expect((await call('list_invoices', { customerId: jane.id })).invoices).toHaveLength(2);
      const open = await call('list_invoices', { customerId: jane.id, status: 'open' });
      expect(open.invoices.map((i: Invoice) => i.number).sort()).toEqual(['INV-1', 'INV-2']);
      expect(await callError('list_invoices', { customerId: 'cus_missing' })).toMatch(/find_customer/);
    });

    it('refuses amounts that are not integers', async () => {
      const message = await callError('record_payment', {
        idempotencyKey: 'key-float-0001',
        customerId: jane.id,
        amount: 19.99,
        currency: 'usd',
        method: 'cash',
      });
      expect(message).toMatch(/amount/i);
    });
  });

  describe('ledger writes with idempotency keys', () => {
    it('creates a payment link for an invoice’s remaining amount', async () => {
      const { paymentLink, replayed } = await call('create_payment_link', {
        idempotencyKey: 'link-0001',
        invoiceId: invoice.id,
      });
      expect(replayed).toBe(false);
      expect(paymentLink).toMatchObject({
        amount: 18_950,
        currency: 'usd',
        invoiceId: invoice.id,
        customerId: jane.id,
      });
      expect(paymentLink.url).toBe(`https://pay.example.com/l/${paymentLink.id}`);
    });

    it('replays the same key and request without acting twice', async () => {
      const args = {
        idempotencyKey: 'pay-0001',
        customerId: jane.id,
        invoiceId: invoice.id,
        amount: 10_000,
        currency: 'USD',
        method: 'card',
      };
      const first = await call('record_payment', args);
      const second = await call('record_payment', { ...args, currency: 'usd' });
      expect(first.replayed).toBe(false);
      expect(second.replayed).toBe(true);
      expect(second.payment).toEqual(first.payment);
      const balance = await call('get_balance', { customerId: jane.id });
      expect(balance.outstanding).toContainEqual({ currency: 'usd', amount: 8_950 });
    });

    it('refuses the same key with a different request', async () => {
      const message = await callError('record_payment', {
        idempotencyKey: 'pay-0001',
        customerId: jane.id,
        invoiceId: invoice.id,
        amount: 8_950,
        currency: 'usd',
        method: 'card',
      });
      expect(message).toMatch(/already used for a different request.*new key/);
      const otherTool = await callError('refund_payment', { idempotencyKey: 'pay-0001', paymentId: 'py_x' });
      expect(otherTool).toMatch(/different tool \(record_payment\)/);
    });

    it('refuses an overpayment and frees the key for a corrected retry', async () => {
      const args = {
        idempotencyKey: 'pay-0002',
        customerId: jane.id,
        invoiceId: invoice.id,
        currency: 'usd',
        method: 'cash',
      };
      expect(await callError('record_payment', { ...args, amount: 9_000 })).toMatch(
        /more than the \$89\.50 left/,
      );
      const { payment } = await call('record_payment', { ...args, amount: 8_950 });
      expect(payment.amount).toBe(8_950);
      const [paid] = (await call('list_invoices', { customerId: jane.id, status: 'paid' })).invoices;
      expect(paid).toMatchObject({ id: invoice.id, amountPaid: 18_950, amountRemaining: 0 });
    });

    it('refunds partly, then the rest, and never more than was paid', async () => {
      const { payment } = await call('record_payment', {
        idempotencyKey: 'pay-credit-1',
        customerId: jane.id,
        amount: 2_500,
        currency: 'usd',
        method: 'bank_transfer',
        reference: 'TRX-77',
      });
      expect((await call('get_balance', { customerId: jane.id })).credit).toEqual([
        { currency: 'usd', amount: 2_500 },
      ]);

      const partial = await call('refund_payment', {
        idempotencyKey: 'refund-0001',
        paymentId: payment.id,
        amount: 1_000,
      });
      expect(partial.refund).toMatchObject({ amount: 1_000, currency: 'usd', status: 'succeeded' });
      const replay = await call('refund_payment', {
        idempotencyKey: 'refund-0001',
        paymentId: payment.id,
        amount: 1_000,
      });
      expect(replay).toMatchObject({ replayed: true, refund: { id: partial.refund.id } });

      expect(
        await callError('refund_payment', {
          idempotencyKey: 'refund-0002',
          paymentId: payment.id,
          amount: 2_000,
        }),
      ).toMatch(/Only \$15\.00 \(1500 minor units\)/);
      const rest = await call('refund_payment', {
        idempotencyKey: 'refund-0003',
        paymentId: payment.id,
        reason: 'duplicate',
      });
      expect(rest.refund).toMatchObject({ amount: 1_500, reason: 'duplicate' });
      expect((await call('get_balance', { customerId: jane.id })).credit).toEqual([]);
    });
  });

  describe('concurrent writes and large amounts', () => {
    const textOf = (result: { content?: unknown }) => (result.content as Array<{ text: string }>)[0]!.text;

    it('records one payment when three requests race with one idempotency key', async () => {
      const customer = await ledger.createCustomer({ name: 'Race Key' });
      const args = {
        idempotencyKey: 'race-key-0001',
        customerId: customer.id,
        amount: 700,
        currency: 'usd',
        method: 'cash',
      };
      const results = await Promise.all(
        [1, 2, 3].map(() => client.callTool({ name: 'record_payment', arguments: args })),
      );
      const succeeded = results.filter((r) => !r.isError);
      expect(succeeded.length).toBeGreaterThanOrEqual(1);
      const ids = new Set(succeeded.map((r) => (r.structuredContent as any).payment.id));
      expect(ids.size).toBe(1);
      for (const refused of results.filter((r) => r.isError))
        expect(textOf(refused)).toMatch(/still being processed.*retry with the same key/);
      expect((await call('get_balance', { customerId: customer.id })).credit).toEqual([
        { currency: 'usd', amount: 700 },
      ]);
    });

    it('refuses the second of two payments racing for the rest of one invoice', async () => {
      const customer = await ledger.createCustomer({ name: 'Race Invoice' });
      const due = await ledger.createInvoice({ customerId: customer.id, amountDue: 1_000, currency: 'usd' });
      const results = await Promise.all(
        ['race-invoice-a', 'race-invoice-b'].map((idempotencyKey) =>
          client.callTool({
            name: 'record_payment',
            arguments: {
              idempotencyKey,
              customerId: customer.id,
              invoiceId: due.id,
              amount: 1_000,
              currency: 'usd',
              method: 'card',
            },
          }),
        ),
      );
      expect(results.filter((r) => !r.isError)).toHaveLength(1);
      const [refused] = results.filter((r) => r.isError);
      expect(textOf(refused!)).toMatch(/is paid; only open invoices take payments/);
      const [paid] = (await call('list_invoices', { customerId: customer.id })).invoices;
      expect(paid).toMatchObject({ status: 'paid', amountPaid: 1_000, amountRemaining: 0 });
    });

    it('keeps amounts beyond 2^32 minor units exact as numbers', async () => {
      const customer = await ledger.createCustomer({ name: 'Big Yen' });
      const big = await ledger.createInvoice({
        customerId: customer.id,
        amountDue: 9_000_000_000,
        currency: 'jpy',
      });
      expect(big.amountDue).toBe(9_000_000_000);
      const { payment } = await call('record_payment', {
        idempotencyKey: 'big-yen-0001',
        customerId: customer.id,
        invoiceId: big.id,
        amount: 4_294_967_297,
        currency: 'jpy',
        method: 'bank_transfer',
      });
      expect(payment.amount).toBe(4_294_967_297);
      expect(await call('get_balance', { customerId: customer.id })).toMatchObject({
        outstanding: [{ currency: 'jpy', amount: 4_705_032_703 }],
        openInvoices: 1,
      });
      const [open] = (await call('list_invoices', { customerId: customer.id })).invoices;
      expect(open).toMatchObject({ amountPaid: 4_294_967_297, amountRemaining: 4_705_032_703 });
    });
  });

  describe('annotations', () => {
    it('marks refund_payment destructive and the lookups read-only', async () => {
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t.annotations]));
      expect(byName.get('refund_payment')).toMatchObject({
        destructiveHint: true,
        readOnlyHint: false,
        idempotentHint: true,
      });
      for (const name of ['find_customer', 'get_balance', 'list_invoices']) {
        expect(byName.get(name)).toMatchObject({ readOnlyHint: true, destructiveHint: false });
      }
      expect(byName.get('record_payment')).toMatchObject({ destructiveHint: false, openWorldHint: false });
    });
  });
});
