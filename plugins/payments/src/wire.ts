/**
 * The shapes the payments tools return. Money is always an integer amount in the currency's
 * minor unit (cents for usd, yen for jpy) with a lower-case ISO 4217 code, as Stripe does: never
 * a float.
 */
import { z } from 'zod/v4';

export const Currency = z
  .string()
  .regex(/^[a-zA-Z]{3}$/, 'a three-letter ISO 4217 code such as usd')
  .transform((c) => c.toLowerCase())
  .describe('ISO 4217 code, e.g. usd');
/** Minor units: 1999 means $19.99 in usd, ¥1999 in jpy. */
export const MinorAmount = z
  .number()
  .int()
  .describe('Integer amount in the minor unit (cents), never a decimal');

const Amounts = z.array(z.object({ currency: z.string(), amount: MinorAmount }));

export const Customer = z.object({
  id: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
});
export type Customer = z.infer<typeof Customer>;

export const INVOICE_STATUSES = ['draft', 'open', 'paid', 'void', 'uncollectible'] as const;
export const Invoice = z.object({
  id: z.string(),
  customerId: z.string(),
  number: z.string().nullable(),
  description: z.string().nullable(),
  status: z.enum(INVOICE_STATUSES),
  currency: z.string(),
  amountDue: MinorAmount,
  amountPaid: MinorAmount,
  amountRemaining: MinorAmount,
  dueDate: z.iso.datetime().nullable(),
  url: z.string().nullable().describe('Hosted page where the invoice can be paid, when there is one'),
  createdAt: z.iso.datetime(),
});
export type Invoice = z.infer<typeof Invoice>;

export const Balance = z.object({
  customerId: z.string(),
  outstanding: Amounts.describe('What the customer owes, per currency'),
  credit: Amounts.describe('Unapplied credit in the customer’s favour, per currency'),
  openInvoices: z.number().int(),
});
export type Balance = z.infer<typeof Balance>;

export const PaymentLink = z.object({
  id: z.string(),
  url: z.string(),
  amount: MinorAmount,
  currency: z.string(),
  description: z.string().nullable(),
  customerId: z.string().nullable(),
  invoiceId: z.string().nullable(),
});
export type PaymentLink = z.infer<typeof PaymentLink>;

export const PAYMENT_STATUSES = ['succeeded', 'partially_refunded', 'refunded'] as const;
export const Payment = z.object({
  id: z.string(),
  customerId: z.string(),
  invoiceId: z.string().nullable(),
  amount: MinorAmount,
  currency: z.string(),
  method: z.string(),
  reference: z.string().nullable(),
  status: z.enum(PAYMENT_STATUSES),
  refundedAmount: MinorAmount,
  createdAt: z.iso.datetime(),
});
export type Payment = z.infer<typeof Payment>;

export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;
export const Refund = z.object({
  id: z.string(),
  paymentId: z.string(),
  amount: MinorAmount,
  currency: z.string(),
  reason: z.enum(REFUND_REASONS).nullable(),
  status: z.string().describe('succeeded, pending, failed…'),
  createdAt: z.iso.datetime(),
});
export type Refund = z.infer<typeof Refund>;

/** Formats minor units for the model's text ("$19.99"); display only, the data stays integer. */
export function formatMoney(amount: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(amount / 10 ** digits);
}
