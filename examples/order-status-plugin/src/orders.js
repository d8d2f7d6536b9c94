/**
 * The shop's order data: its shape (zod, so a JSON file is validated when it is loaded), the
 * normalisation of what a caller says (order numbers, phone numbers) and the demo orders.
 */
import { z } from 'zod';

export const ORDER_STATUSES = /** @type {const} */ (['processing', 'shipped', 'delivered', 'cancelled']);
export const RETURN_REASONS = /** @type {const} */ ([
  'damaged',
  'wrong_item',
  'not_as_described',
  'no_longer_needed',
  'other',
]);

const IsoDateTime = z.iso.datetime({ offset: true });
/** Amounts are integer minor units (cents) with a lower-case ISO 4217 currency, never floats. */
const MinorUnits = z.number().int().nonnegative();

export const OrderItemSchema = z.object({
  sku: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  quantity: z.number().int().min(1),
  unitPrice: MinorUnits,
});

export const ReturnSchema = z.object({
  returnId: z.string().min(1),
  createdAt: IsoDateTime,
  reason: z.enum(RETURN_REASONS),
  note: z.string().max(500).optional(),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int().min(1) })).min(1),
  refundAmount: MinorUnits,
  dropOffCode: z.string().min(4),
  status: z.enum(['awaiting_item', 'received', 'refunded']),
  /** The key and a fingerprint of the request that created it, so a retry replays this return. */
  idempotencyKey: z.string(),
  requestFingerprint: z.string(),
});

export const OrderSchema = z.object({
  orderNumber: z.string().regex(/^[A-Z0-9]{4,20}$/),
  customerName: z.string().min(1).max(200),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be E.164, e.g. +15125550123'),
  placedAt: IsoDateTime,
  status: z.enum(ORDER_STATUSES),
  currency: z.string().regex(/^[a-z]{3}$/),
  items: z.array(OrderItemSchema).min(1),
  shipping: z
    .object({
      carrier: z.string(),
      trackingNumber: z.string(),
      shippedAt: IsoDateTime,
      estimatedDelivery: IsoDateTime.optional(),
      deliveredAt: IsoDateTime.optional(),
    })
    .optional(),
  returns: z.array(ReturnSchema).default([]),
});

export const OrderFileSchema = z.object({ orders: z.array(OrderSchema) });

/** @typedef {z.infer<typeof OrderSchema>} Order */
/** @typedef {z.infer<typeof ReturnSchema>} OrderReturn */
/** @typedef {z.infer<typeof OrderItemSchema>} OrderItem */
/** @typedef {(typeof RETURN_REASONS)[number]} ReturnReason */

/**
 * An expected failure, worded for the language model that called the tool: what went wrong and
 * what to do next. The tool layer turns it into an `isError` result.
 */
export class OrderError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'OrderError';
  }
}

/**
 * Order numbers as printed on the receipt ("204518"); callers and models add "#", spaces or dashes.
 * @param {string} input
 */
export function normalizeOrderNumber(input) {
  return input.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

/**
 * A phone number in any common spelling → E.164. National numbers without a country code get
 * `defaultCountryCode` (the shop's own country); a leading 00 is the international prefix.
 * @param {string} input
 * @param {string} defaultCountryCode digits only, e.g. "1" or "44"
 * @returns {string}
 */
export function normalizePhone(input, defaultCountryCode) {
  const trimmed = input.trim();
  const digits = trimmed.replace(/\D/g, '');
  let e164;
  if (trimmed.startsWith('+')) e164 = `+${digits}`;
  else if (digits.startsWith('00')) e164 = `+${digits.slice(2)}`;
  else if (defaultCountryCode === '1' && digits.length === 11 && digits.startsWith('1')) e164 = `+${digits}`;
  else e164 = `+${defaultCountryCode}${digits.replace(/^0/, '')}`;
  if (!/^\+[1-9]\d{6,14}$/.test(e164)) {
    throw new OrderError(
      `"${input}" is not a phone number I can use. Ask the caller for the number on the order, with the country code if it is not a +${defaultCountryCode} number.`,
    );
  }
  return e164;
}

/**
 * Money for speech and for the model: "$54.97", "€12.00".
 * @param {number} amount minor units
 * @param {string} currency ISO 4217, lower case
 */
export function formatMoney(amount, currency) {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(
    amount / 100,
  );
}

/**
 * A date the way an agent says it: "Tuesday, November 3".
 * @param {string} iso
 * @param {string} timeZone
 */
export function speakableDate(iso, timeZone) {
  return new Date(iso).toLocaleDateString('en-US', {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    timeZone,
  });
}

/** @param {Order} order */
export function orderTotal(order) {
  return order.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}

/**
 * Demo orders dated relative to `now`, so "recent" and "within the return window" stay true
 * whenever the example is run.
 * @param {Date} now
 * @returns {Order[]}
 */
export function demoOrders(now) {
  const day = 24 * 60 * 60 * 1000;
  const at = (/** @type {number} */ days) => new Date(now.getTime() + days * day).toISOString();
  return [
    {
      orderNumber: '204518',
      customerName: 'Maya Patel',
      phone: '+15125550123',
      placedAt: at(-10),
      status: 'delivered',
      currency: 'usd',
      items: [
        { sku: 'SHOE-TR-42', name: 'Trail running shoes, size 42', quantity: 1, unitPrice: 8900 },
        { sku: 'SOCK-MER-M', name: 'Merino running socks', quantity: 2, unitPrice: 1450 },
      ],
      shipping: {
        carrier: 'UPS',
        trackingNumber: '1Z999AA10123456784',
        shippedAt: at(-9),
        estimatedDelivery: at(-6),
        deliveredAt: at(-6),
      },
      returns: [],
    },
    {
      orderNumber: '204577',
      customerName: 'Maya Patel',
      phone: '+15125550123',
      placedAt: at(-3),
      status: 'shipped',
      currency: 'usd',
      items: [{ sku: 'JKT-RAIN-M', name: 'Packable rain jacket, medium', quantity: 1, unitPrice: 12900 }],
      shipping: {
        carrier: 'USPS',
        trackingNumber: '9400111899223197428490',
        shippedAt: at(-1),
        estimatedDelivery: at(2),
      },
      returns: [],
    },
    {
      orderNumber: '204601',
      customerName: 'Maya Patel',
      phone: '+15125550123',
      placedAt: at(-0.2),
      status: 'processing',
      currency: 'usd',
      items: [{ sku: 'BTL-STEEL-750', name: 'Insulated bottle, 750 ml', quantity: 2, unitPrice: 2400 }],
      returns: [],
    },
    {
      orderNumber: '203990',
      customerName: 'Jonas Weber',
      phone: '+4930901820',
      placedAt: at(-48),
      status: 'delivered',
      currency: 'eur',
      items: [{ sku: 'TENT-2P', name: 'Two-person tent', quantity: 1, unitPrice: 24900 }],
      shipping: {
        carrier: 'DHL',
        trackingNumber: 'JJD000390007827541',
        shippedAt: at(-47),
        deliveredAt: at(-44),
      },
      returns: [],
    },
    {
      orderNumber: '204433',
      customerName: 'Sam Rivera',
      phone: '+15125550188',
      placedAt: at(-15),
      status: 'cancelled',
      currency: 'usd',
      items: [{ sku: 'HAT-SUN', name: 'Sun hat', quantity: 1, unitPrice: 3200 }],
      returns: [],
    },
  ];
}
