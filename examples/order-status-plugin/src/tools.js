/**
 * The three tools. Each has a zod input and output schema, honest annotations, a short speakable
 * text for the model and the same data as `structuredContent` for programs.
 */
import { z } from 'zod';
import {
  formatMoney,
  normalizePhone,
  OrderError,
  orderTotal,
  RETURN_REASONS,
  speakableDate,
} from './orders.js';
import { describeReturn } from './store.js';

/** @typedef {import('@modelcontextprotocol/server').McpServer} McpServer */
/** @typedef {import('@modelcontextprotocol/server').CallToolResult} CallToolResult */
/** @typedef {import('@modelcontextprotocol/server').ServerContext} ServerContext */
/** @typedef {import('./orders.js').Order} Order */
/** @typedef {import('./store.js').OrderStore} OrderStore */

/**
 * @typedef {object} ToolSettings
 * @property {string} timeZone shop's time zone, for dates in texts
 * @property {string} defaultCountryCode for phone numbers without one
 * @property {number} returnWindowDays
 */

/** @typedef {(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void} Log */

const DAY_MS = 24 * 60 * 60 * 1000;

const OrderNumber = z
  .string()
  .trim()
  .min(3)
  .max(30)
  .describe('The order number from the receipt or confirmation email, e.g. "204518"');
const Phone = z
  .string()
  .trim()
  .min(5)
  .max(40)
  .describe('The phone number the order was placed with, in any format; E.164 such as +15125550123 is best');

const OrderView = z.object({
  orderNumber: z.string(),
  customerFirstName: z.string(),
  status: z.enum(['processing', 'shipped', 'delivered', 'cancelled']),
  placedAt: z.string(),
  currency: z.string(),
  total: z.number().int().describe('Minor units (cents)'),
  items: z.array(
    z.object({ sku: z.string(), name: z.string(), quantity: z.number().int(), unitPrice: z.number().int() }),
  ),
  shipping: z
    .object({
      carrier: z.string(),
      trackingNumber: z.string(),
      shippedAt: z.string(),
      estimatedDelivery: z.string().nullable(),
      deliveredAt: z.string().nullable(),
    })
    .nullable(),
  returnableUntil: z.string().nullable().describe('Last day a return can be requested; null when none can'),
  returns: z.array(
    z.object({
      returnId: z.string(),
      status: z.string(),
      refundAmount: z.number().int(),
      createdAt: z.string(),
    }),
  ),
});

/** @param {number} n @param {string} word */
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Registers the order tools on a server.
 * @param {McpServer} server
 * @param {OrderStore} store
 * @param {ToolSettings} settings
 * @param {Log} log
 */
export function registerOrderTools(server, store, settings, log) {
  const { timeZone } = settings;
  const date = (/** @type {string} */ iso) => speakableDate(iso, timeZone);

  /** @param {Order} order @returns {z.infer<typeof OrderView>} */
  const view = (order) => {
    const deliveredAt = order.shipping?.deliveredAt;
    const closes = deliveredAt
      ? new Date(new Date(deliveredAt).getTime() + settings.returnWindowDays * DAY_MS)
      : null;
    return {
      orderNumber: order.orderNumber,
      customerFirstName: order.customerName.split(' ')[0] ?? order.customerName,
      status: order.status,
      placedAt: order.placedAt,
      currency: order.currency,
      total: orderTotal(order),
      items: order.items,
      shipping: order.shipping
        ? {
            carrier: order.shipping.carrier,
            trackingNumber: order.shipping.trackingNumber,
            shippedAt: order.shipping.shippedAt,
            estimatedDelivery: order.shipping.estimatedDelivery ?? null,
            deliveredAt: order.shipping.deliveredAt ?? null,
          }
        : null,
      returnableUntil:
        order.status === 'delivered' && closes && closes > new Date() && store.returnable(order).length > 0
          ? closes.toISOString()
          : null,
      returns: order.returns.map((r) => ({
        returnId: r.returnId,
        status: r.status,
        refundAmount: r.refundAmount,
        createdAt: r.createdAt,
      })),
    };
  };

  /**
   * What the model reads. VRM hands the model this text, not `structuredContent`, so it carries
   * every fact the next step needs (the SKUs for request_return) in a couple of sayable sentences.
   */
  const summary = (/** @type {z.infer<typeof OrderView>} */ o) => {
    const count = o.items.reduce((sum, item) => sum + item.quantity, 0);
    const head = `Order ${o.orderNumber} for ${o.customerFirstName} (${plural(count, 'item')}, ${formatMoney(o.total, o.currency)})`;
    const s = o.shipping;
    let text;
    if (o.status === 'processing')
      text = `${head} was placed ${date(o.placedAt)} and is being packed; it has not shipped yet.`;
    else if (o.status === 'cancelled') text = `${head} was cancelled.`;
    else if (o.status === 'shipped' && s)
      text = `${head} shipped with ${s.carrier} on ${date(s.shippedAt)}${s.estimatedDelivery ? ` and is expected ${date(s.estimatedDelivery)}` : ''}. Tracking number ${s.trackingNumber}.`;
    else text = `${head} was delivered ${s?.deliveredAt ? date(s.deliveredAt) : ''}.`.replace(' .', '.');
    if (o.returnableUntil) text += ` Returns are possible until ${date(o.returnableUntil)}.`;
    for (const r of o.returns) text += ` Return ${r.returnId} is ${r.status.replace('_', ' ')}.`;
    return `${text} Items: ${o.items.map((i) => `${i.quantity}× ${i.name} [${i.sku}]`).join(', ')}.`;
  };

  /**
   * Wraps a handler: an OrderError becomes an `isError` result with its message; anything else is
   * logged here and the model gets a message without internals.
   * @template A
   * @param {string} name
   * @param {(args: A, ctx: ServerContext) => Promise<{ data: Record<string, unknown>, text: string }>} handler
   * @returns {(args: A, ctx: ServerContext) => Promise<CallToolResult>}
   */
  const run = (name, handler) => async (args, ctx) => {
    const started = Date.now();
    try {
      const { data, text } = await handler(args, ctx);
      log('info', 'tool call', { tool: name, ms: Date.now() - started, ok: true });
      return { content: [{ type: 'text', text }], structuredContent: data };
    } catch (error) {
      if (error instanceof OrderError) {
        log('info', 'tool call', { tool: name, ms: Date.now() - started, ok: false });
        return { content: [{ type: 'text', text: error.message }], isError: true };
      }
      log('error', 'tool failed', { tool: name, error: String(error) });
      return {
        content: [
          {
            type: 'text',
            text: `${name} failed because of a problem on the order system. Try once more; if it fails again, tell the caller you cannot check orders right now.`,
          },
        ],
        isError: true,
      };
    }
  };

  server.registerTool(
    'lookup_order',
    {
      title: 'Look up an order',
      description:
        'Finds one order by its number, or the latest order placed with a phone number, and says where it is: status, shipping, expected or actual delivery, returns. Give both to check that the order belongs to the caller.',
      inputSchema: z
        .object({ orderNumber: OrderNumber.optional(), phone: Phone.optional() })
        .refine((v) => v.orderNumber || v.phone, { message: 'Give orderNumber, phone, or both.' }),
      outputSchema: z.object({
        order: OrderView,
        otherRecentOrders: z.number().int().describe('Other orders with the same phone number'),
      }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    run('lookup_order', async ({ orderNumber, phone }) => {
      const e164 = phone ? normalizePhone(phone, settings.defaultCountryCode) : undefined;
      const byPhone = e164 ? store.findByPhone(e164) : [];
      let order;
      if (orderNumber) {
        order = store.findByNumber(orderNumber);
        // With a phone number too, an order of someone else is "not found": no hint that it exists.
        if (order && e164 && order.phone !== e164) order = undefined;
        if (!order) {
          throw new OrderError(
            `No order ${orderNumber}${e164 ? ' for that phone number' : ''} was found. Read the number back to the caller and ask them to check it.`,
          );
        }
      } else {
        order = byPhone[0];
        if (!order) {
          throw new OrderError(
            'No orders were placed with that phone number. Ask the caller for the order number or the number they ordered with.',
          );
        }
      }
      const data = { order: view(order), otherRecentOrders: byPhone.filter((o) => o !== order).length };
      const more =
        data.otherRecentOrders > 0
          ? ` There are ${plural(data.otherRecentOrders, 'other order')} for this number.`
          : '';
      return { data, text: summary(data.order) + more };
    }),
  );

  server.registerTool(
    'list_recent_orders',
    {
      title: 'List recent orders',
      description:
        "Lists a caller's recent orders by the phone number they ordered with, newest first, with status and delivery dates.",
      inputSchema: z.object({
        phone: Phone,
        days: z.number().int().min(1).max(365).default(90).describe('How far back to look'),
        limit: z.number().int().min(1).max(10).default(3),
      }),
      outputSchema: z.object({ orders: z.array(OrderView), total: z.number().int() }),
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    run('list_recent_orders', async ({ phone, days, limit }) => {
      const since = Date.now() - days * DAY_MS;
      const recent = store
        .findByPhone(normalizePhone(phone, settings.defaultCountryCode))
        .filter((o) => new Date(o.placedAt).getTime() >= since);
      const orders = recent.slice(0, limit).map(view);
      if (orders.length === 0) {
        return {
          data: { orders, total: 0 },
          text: `No orders in the last ${days} days for that phone number.`,
        };
      }
      const shown = recent.length > orders.length ? ` (the ${orders.length} newest of ${recent.length})` : '';
      return {
        data: { orders, total: recent.length },
        text: `${plural(recent.length, 'order')} in the last ${days} days${shown}. ${orders.map(summary).join(' ')}`,
      };
    }),
  );

  server.registerTool(
    'request_return',
    {
      title: 'Request a return',
      description: `Opens a return for a delivered order, within ${settings.returnWindowDays} days of delivery, and gives a drop-off code for the parcel; the refund follows when it arrives. A return cannot be withdrawn here, so confirm the order and items with the caller first.`,
      inputSchema: z.object({
        orderNumber: OrderNumber,
        items: z
          .array(
            z.object({ sku: z.string().trim().min(1).max(64), quantity: z.number().int().min(1).max(100) }),
          )
          .min(1)
          .max(50)
          .optional()
          .describe('Items to return by SKU (from lookup_order); omit to return everything not yet returned'),
        reason: z.enum(RETURN_REASONS),
        note: z.string().trim().max(500).optional().describe("The caller's words about the problem, if any"),
        idempotencyKey: z
          .string()
          .trim()
          .min(8)
          .max(200)
          .describe(
            'A unique string for this one return request, e.g. "<call id>-return-1". Retrying with the same key and arguments returns the first result instead of opening a second return.',
          ),
      }),
      outputSchema: z.object({
        return: z.object({
          returnId: z.string(),
          orderNumber: z.string(),
          status: z.string(),
          reason: z.enum(RETURN_REASONS),
          items: z.array(z.object({ sku: z.string(), quantity: z.number().int() })),
          refundAmount: z.number().int().describe('Minor units (cents)'),
          currency: z.string(),
          dropOffCode: z.string(),
          carrier: z.string().nullable(),
          createdAt: z.string(),
        }),
        replayed: z
          .boolean()
          .describe('True when an earlier request with the same idempotencyKey was returned'),
      }),
      // Not read-only; destructive because it commits the shop to a refund that cannot be withdrawn
      // through these tools; idempotent thanks to the key; closed-world (only the shop's records).
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    run('request_return', async (args, ctx) => {
      const progressToken = ctx.mcpReq._meta?.progressToken;
      const { order, created, replayed } = await store.requestReturn(args, {
        signal: ctx.mcpReq.signal,
        // Progress notifications tell the host the call is alive (VRM restarts its timeout on each).
        ...(progressToken !== undefined && {
          onStep: (step, total, message) =>
            ctx.mcpReq.notify({
              method: 'notifications/progress',
              params: { progressToken, progress: step, total, message },
            }),
        }),
      });
      return {
        data: {
          return: {
            returnId: created.returnId,
            orderNumber: order.orderNumber,
            status: created.status,
            reason: created.reason,
            items: created.items,
            refundAmount: created.refundAmount,
            currency: order.currency,
            dropOffCode: created.dropOffCode,
            carrier: order.shipping?.carrier ?? null,
            createdAt: created.createdAt,
          },
          replayed,
        },
        text: describeReturn(created, order),
      };
    }),
  );
}
