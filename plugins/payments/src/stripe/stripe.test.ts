import type { Client } from '@modelcontextprotocol/client';
import { type PluginDatabase, ToolError } from '@vrm/plugin-kit';
import { connectInMemory } from '@vrm/plugin-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdempotencyStore } from '../idempotency.js';
import { openPaymentsDatabase } from '../main.js';
import { createPaymentsServer } from '../server.js';
import { StripeBackend } from './stripe-backend.js';
import { startStripeTestServer } from './stripe-test-server.js';

const SECRET = 'sk_test_vrm_0123456789';

let stripe: Awaited<ReturnType<typeof startStripeTestServer>>;
let database: PluginDatabase;
let backend: StripeBackend;
let client: Client;

beforeAll(async () => {
  stripe = await startStripeTestServer(SECRET);
  database = await openPaymentsDatabase({});
  backend = new StripeBackend({ secretKey: SECRET, apiBase: stripe.apiBase });
  client = await connectInMemory(
    createPaymentsServer({ backend, idempotency: new IdempotencyStore(database.db) }),
  );
  await client.listTools();
});

afterAll(async () => {
  await client?.close();
  await database?.close();
  await stripe?.close();
});

async function call(name: string, args: Record<string, unknown>) {
  const result = await client.callTool({ name, arguments: args });
  expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
  return result.structuredContent as any;
}

describe('the Stripe backend against a Stripe-protocol server', () => {
  it('finds customers through list-by-email and the search API', async () => {
    const jane = stripe.state.addCustomer({
      name: 'Jane Doe',
      email: 'jane@example.com',
      phone: '+14155550123',
    });
    stripe.state.addCustomer({ name: 'John Smith', email: 'john@example.com' });
    expect((await call('find_customer', { email: 'jane@example.com' })).customers).toEqual([
      { id: jane.id, name: 'Jane Doe', email: 'jane@example.com', phone: '+14155550123' },
    ]);
    expect(
      (await call('find_customer', { name: 'smith' })).customers.map((c: { name: string }) => c.name),
    ).toEqual(['John Smith']);
    const search = stripe.state.requests.find((r) => r.path === '/v1/customers/search');
    expect(search).toBeDefined();
    expect((await call('find_customer', { customerId: 'cus_missing' })).customers).toEqual([]);
  });

  it('sums open invoices and the customer balance', async () => {
    const customer = stripe.state.addCustomer({ name: 'Ana Lima', balance: 700 });
    stripe.state.addInvoice({ customer: customer.id, amount: 12_000, number: 'A-1' });
    stripe.state.addInvoice({ customer: customer.id, amount: 3_000, number: 'A-2' });
    expect(await call('get_balance', { customerId: customer.id })).toEqual({
      customerId: customer.id,
      outstanding: [{ currency: 'usd', amount: 15_700 }],
      credit: [],
      openInvoices: 2,
    });
    const { invoices } = await call('list_invoices', { customerId: customer.id, status: 'open' });
    expect(invoices.map((i: { number: string }) => i.number)).toEqual(['A-2', 'A-1']);
    expect(invoices[0].url).toMatch(/^https:\/\/invoice\.stripe\.com\//);
  });

  it('creates a payment link through a price, forwarding derived idempotency keys', async () => {
    const args = { idempotencyKey: 'call-42-link-1', amount: 4_999, currency: 'usd', description: 'Deposit' };
    const { paymentLink } = await call('create_payment_link', args);
    expect(paymentLink).toMatchObject({ amount: 4_999, currency: 'usd', description: 'Deposit' });
    expect(paymentLink.url).toMatch(/^https:\/\/buy\.stripe\.com\//);

    const price = stripe.state.requests.find((r) => r.path === '/v1/prices');
    expect(price).toMatchObject({
      method: 'POST',
      idempotencyKey: 'call-42-link-1:price',
      form: { currency: 'usd', unit_amount: '4999', 'product_data[name]': 'Deposit' },
    });
    const link = stripe.state.requests.find((r) => r.path === '/v1/payment_links');
    expect(link).toMatchObject({
      idempotencyKey: 'call-42-link-1:link',
      form: { 'line_items[0][quantity]': '1' },
    });

    const before = stripe.state.requests.length;
    const again = await call('create_payment_link', args);
    expect(again).toEqual({ paymentLink, replayed: true });
    expect(stripe.state.requests.length).toBe(before);
  });

  it('records an out-of-band payment that settles an invoice', async () => {
    const customer = stripe.state.addCustomer({ name: 'Paid Up' });
    const invoice = stripe.state.addInvoice({ customer: customer.id, amount: 8_000 });
    const { payment } = await call('record_payment', {
      idempotencyKey: 'call-43-pay-1',
      customerId: customer.id,
      invoiceId: invoice.id,
      amount: 8_000,
      currency: 'usd',
      method: 'check',
      reference: '1042',
    });
    expect(payment).toMatchObject({ invoiceId: invoice.id, amount: 8_000, status: 'succeeded' });
    const pay = stripe.state.requests.find((r) => r.path === `/v1/invoices/${invoice.id}/pay`);
    expect(pay).toMatchObject({ idempotencyKey: 'call-43-pay-1', form: { paid_out_of_band: 'true' } });
    expect(stripe.state.invoices.get(invoice.id)).toMatchObject({ status: 'paid', amount_remaining: 0 });
  });

  it('records a payment without invoice as credit on the Stripe balance', async () => {
    const customer = stripe.state.addCustomer({ name: 'Credit' });
    await call('record_payment', {
      idempotencyKey: 'call-44-pay-1',
      customerId: customer.id,
      amount: 2_500,
      currency: 'usd',
      method: 'cash',
    });
    expect(await call('get_balance', { customerId: customer.id })).toMatchObject({
      credit: [{ currency: 'usd', amount: 2_500 }],
    });
  });

  it('refunds a card payment and relays Stripe’s refusal of an over-refund', async () => {
    const customer = stripe.state.addCustomer({ name: 'Card Payer' });
    const intent = stripe.state.addPaymentIntent({ customer: customer.id, amount: 5_000 });
    const { refund } = await call('refund_payment', {
      idempotencyKey: 'call-45-refund-1',
      paymentId: intent.id,
      amount: 2_000,
      reason: 'requested_by_customer',
    });
    expect(refund).toMatchObject({
      paymentId: intent.id,
      amount: 2_000,
      status: 'succeeded',
      reason: 'requested_by_customer',
    });
    const request = stripe.state.requests.find((r) => r.path === '/v1/refunds');
    expect(request).toMatchObject({
      idempotencyKey: 'call-45-refund-1',
      form: { payment_intent: intent.id, amount: '2000', reason: 'requested_by_customer' },
    });

    const over = await client.callTool({
      name: 'refund_payment',
      arguments: { idempotencyKey: 'call-45-refund-2', paymentId: intent.id, amount: 4_000 },
    });
    expect(over.isError).toBe(true);
    expect(JSON.stringify(over.content)).toMatch(/Stripe refused the request: Refund amount/);
  });

  it('surfaces Stripe’s own idempotency error when a key is reused with other parameters', async () => {
    const customer = stripe.state.addCustomer({ name: 'Direct' });
    const intent = stripe.state.addPaymentIntent({ customer: customer.id, amount: 5_000 });
    await backend.refundPayment({ paymentId: intent.id, amount: 100 }, 'direct-key-1');
    const reuse = backend.refundPayment({ paymentId: intent.id, amount: 200 }, 'direct-key-1');
    await expect(reuse).rejects.toThrow(ToolError);
    await expect(reuse).rejects.toThrow(/same parameters/);
  });

  it('explains that out-of-band payments are not refundable through Stripe', async () => {
    const result = await client.callTool({
      name: 'refund_payment',
      arguments: { idempotencyKey: 'call-46-refund-1', paymentId: 'cbtxn_123' },
    });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/pi_ or ch_/);
  });
});
