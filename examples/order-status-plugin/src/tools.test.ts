import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { OrderStore } from './store.js';
import { connectInMemory, textOf } from './test-helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'order-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('order tools', () => {
  let client: Client;
  beforeEach(async () => {
    ({ client } = await connectInMemory());
  });

  it('declares honest annotations: two read-only lookups and one destructive, idempotent write', async () => {
    const { tools } = await client.listTools();
    const byName = Object.fromEntries(tools.map((t) => [t.name, t]));
    expect(Object.keys(byName).sort()).toEqual(['list_recent_orders', 'lookup_order', 'request_return']);
    for (const name of ['lookup_order', 'list_recent_orders']) {
      expect(byName[name]!.annotations).toEqual({
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      });
    }
    expect(byName.request_return!.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
    });
    expect(byName.request_return!.inputSchema.required).toEqual(
      expect.arrayContaining(['orderNumber', 'reason', 'idempotencyKey']),
    );
    for (const tool of tools) expect(tool.outputSchema).toBeDefined();
  });

  it('finds an order by number however it is spelled, with a speakable summary and structured data', async () => {
    const result = await client.callTool({ name: 'lookup_order', arguments: { orderNumber: '# 204-577' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toMatch(
      /^Order 204577 for Maya \(1 item, \$129\.00\) shipped with USPS on \w+day/,
    );
    // VRM gives the model this text, not structuredContent: it names the SKUs a return needs.
    expect(textOf(result)).toMatch(/ Items: 1× Packable rain jacket, medium \[JKT-RAIN-M\]\.$/);
    expect(result.structuredContent).toMatchObject({
      order: {
        orderNumber: '204577',
        status: 'shipped',
        total: 12900,
        currency: 'usd',
        returnableUntil: null,
      },
    });
    // The model gets what it needs to help, not the customer's contact details.
    expect(JSON.stringify(result)).not.toContain('+15125550123');
  });

  it('finds the latest order by phone in any format and says how many others there are', async () => {
    const result = await client.callTool({ name: 'lookup_order', arguments: { phone: '(512) 555-0123' } });
    expect(result.structuredContent).toMatchObject({
      order: { orderNumber: '204601' },
      otherRecentOrders: 2,
    });
    expect(textOf(result)).toContain('has not shipped yet');
  });

  it('treats an order of another phone number as not found, without saying it exists', async () => {
    const mine = await client.callTool({
      name: 'lookup_order',
      arguments: { orderNumber: '204518', phone: '+1 512 555 0123' },
    });
    expect(mine.isError).toBeFalsy();
    const theirs = await client.callTool({
      name: 'lookup_order',
      arguments: { orderNumber: '203990', phone: '+1 512 555 0123' },
    });
    expect(theirs.isError).toBe(true);
    expect(textOf(theirs)).toBe(
      'No order 203990 for that phone number was found. Read the number back to the caller and ask them to check it.',
    );
  });

  it('answers bad input with an isError result the model can act on', async () => {
    const nothing = await client.callTool({ name: 'lookup_order', arguments: {} });
    expect(nothing.isError).toBe(true);
    expect(textOf(nothing)).toContain('Give orderNumber, phone, or both.');
    const badPhone = await client.callTool({ name: 'lookup_order', arguments: { phone: '12-34' } });
    expect(badPhone.isError).toBe(true);
    expect(textOf(badPhone)).toContain('Ask the caller for the number on the order');
  });

  it('lists recent orders newest first, capped by limit, with the total', async () => {
    const result = await client.callTool({
      name: 'list_recent_orders',
      arguments: { phone: '+15125550123', limit: 2 },
    });
    const data = result.structuredContent as { orders: Array<{ orderNumber: string }>; total: number };
    expect(data.orders.map((o) => o.orderNumber)).toEqual(['204601', '204577']);
    expect(data.total).toBe(3);
    expect(textOf(result)).toMatch(/^3 orders in the last 90 days \(the 2 newest of 3\)\./);
    const none = await client.callTool({ name: 'list_recent_orders', arguments: { phone: '+15125550000' } });
    expect(none.isError).toBeFalsy();
    expect(none.structuredContent).toEqual({ orders: [], total: 0 });
  });

  it('opens a return once per idempotency key and reports progress on the way', async () => {
    const progress: string[] = [];
    const args = { orderNumber: '204518', reason: 'damaged', idempotencyKey: 'call-42-return-1' };
    const first = await client.callTool(
      { name: 'request_return', arguments: { ...args, items: [{ sku: 'sock-mer-m', quantity: 1 }] } },
      { onprogress: (p) => progress.push(`${p.progress}/${p.total} ${p.message}`) },
    );
    expect(first.isError).toBeFalsy();
    expect(progress).toEqual([
      '1/3 Checking the order and the return window',
      '2/3 Creating the drop-off code',
      '3/3 Saving the return',
    ]);
    const created = (first.structuredContent as any).return;
    expect(created).toMatchObject({
      returnId: 'R204518-1',
      items: [{ sku: 'SOCK-MER-M', quantity: 1 }],
      refundAmount: 1450,
      carrier: 'UPS',
    });
    expect(textOf(first)).toContain('refund of $14.50');

    const retry = await client.callTool({
      name: 'request_return',
      arguments: { ...args, items: [{ sku: 'sock-mer-m', quantity: 1 }] },
    });
    expect(retry.structuredContent).toMatchObject({
      replayed: true,
      return: { dropOffCode: created.dropOffCode },
    });

    const reused = await client.callTool({ name: 'request_return', arguments: args });
    expect(reused.isError).toBe(true);
    expect(textOf(reused)).toContain('Use a new key');

    const rest = await client.callTool({
      name: 'request_return',
      arguments: { ...args, idempotencyKey: 'call-42-return-2' },
    });
    expect(rest.structuredContent).toMatchObject({
      return: {
        returnId: 'R204518-2',
        items: [
          { sku: 'SHOE-TR-42', quantity: 1 },
          { sku: 'SOCK-MER-M', quantity: 1 },
        ],
      },
    });
    const after = await client.callTool({ name: 'lookup_order', arguments: { orderNumber: '204518' } });
    expect(after.structuredContent).toMatchObject({ order: { returnableUntil: null } });
    expect(textOf(after)).toContain('Return R204518-1 is awaiting item.');
  });

  it('refuses returns that cannot happen, saying what to do instead', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ orderNumber: '204577' }, 'is still on its way (expected'],
      [{ orderNumber: '204601' }, 'has not shipped yet'],
      [{ orderNumber: '204433' }, 'was cancelled'],
      [{ orderNumber: '203990' }, 'more than 30 days ago, so it is outside the return window'],
      [{ orderNumber: '999999' }, 'There is no order 999999'],
      [
        { orderNumber: '204518', items: [{ sku: 'SOCK-MER-M', quantity: 3 }] },
        'Returnable items: SHOE-TR-42',
      ],
    ];
    for (const [extra, message] of cases) {
      const result = await client.callTool({
        name: 'request_return',
        arguments: { reason: 'no_longer_needed', idempotencyKey: `key-${JSON.stringify(extra)}`, ...extra },
      });
      expect(result.isError, message).toBe(true);
      expect(textOf(result)).toContain(message);
    }
  });
});

describe('order store', () => {
  it('saves nothing when the call is cancelled before the return is committed', async () => {
    const { store } = await OrderStore.open({ returnWindowDays: 30, timeZone: 'UTC' });
    const cancelled = store.requestReturn(
      { orderNumber: '204518', reason: 'damaged', idempotencyKey: 'barge-in-1' },
      { signal: AbortSignal.abort(new Error('caller interrupted')) },
    );
    await expect(cancelled).rejects.toThrow('caller interrupted');
    expect(store.findByNumber('204518')!.returns).toEqual([]);
  });

  it('keeps returns in the JSON file across restarts, and refuses an invalid file', async () => {
    const file = path.join(dir, 'orders.json');
    const first = await OrderStore.open({ file, returnWindowDays: 30, timeZone: 'UTC' });
    expect(first.source).toBe(`${file} (created with demo orders)`);
    const { created } = await first.store.requestReturn({
      orderNumber: '204518',
      reason: 'wrong_item',
      idempotencyKey: 'persisted-1',
    });
    await first.store.close();

    const second = await OrderStore.open({ file, returnWindowDays: 30, timeZone: 'UTC' });
    expect(second.source).toBe(file);
    expect(second.store.findByNumber('204518')!.returns).toEqual([created]);
    expect(JSON.parse(readFileSync(file, 'utf8')).orders).toHaveLength(5);

    writeFileSync(file, JSON.stringify({ orders: [{ orderNumber: '1', phone: 'nope' }] }));
    await expect(OrderStore.open({ file, returnWindowDays: 30, timeZone: 'UTC' })).rejects.toThrow(
      /is not a valid order file: orders\.0\.orderNumber/,
    );
  });
});
