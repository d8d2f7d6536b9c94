import { defineTool, READ_ONLY } from '@vrm/plugin-kit';
import { z } from 'zod/v4';
import type { PaymentsBackend } from './backend.js';
import type { IdempotencyStore } from './idempotency.js';
import {
  Balance,
  Currency,
  Customer,
  formatMoney,
  INVOICE_STATUSES,
  Invoice,
  Payment,
  PaymentLink,
  REFUND_REASONS,
  Refund,
} from './wire.js';

export interface PaymentsContext {
  backend: PaymentsBackend;
  idempotency: IdempotencyStore;
}

const IdempotencyKey = z
  .string()
  .trim()
  .min(8)
  .max(200)
  .describe(
    'A unique string for this one operation (e.g. "<call id>-refund-1"). Retrying with the same key and the same arguments returns the first result instead of acting twice.',
  );
/** Positive minor units, below 10^10 so no JavaScript or SQL arithmetic is near its limits. */
const PositiveAmount = z
  .number()
  .int()
  .min(1)
  .max(9_999_999_999)
  .describe('Integer minor units, e.g. 1999 for $19.99');

const Replayed = z.boolean().describe('True when this result was replayed for a repeated idempotency key');

export function paymentsTools(ctx: PaymentsContext) {
  const { backend, idempotency } = ctx;
  const writes = {
    readOnlyHint: false,
    idempotentHint: true,
    openWorldHint: backend.kind === 'stripe',
  } as const;
  const readOnly = { ...READ_ONLY, openWorldHint: backend.kind === 'stripe' };

  return [
    defineTool({
      name: 'find_customer',
      title: 'Find customer',
      description: 'Finds billing customers by id, email (exact), name (partial) or phone (E.164).',
      input: z
        .object({
          customerId: z.string().min(1).max(100).optional(),
          email: z.email().optional(),
          name: z.string().trim().min(1).max(200).optional(),
          phone: z.string().trim().min(3).max(40).optional(),
          limit: z.number().int().min(1).max(20).default(5),
        })
        .refine((v) => v.customerId || v.email || v.name || v.phone, {
          message: 'Give customerId, email, name or phone.',
        }),
      output: z.object({ customers: z.array(Customer) }),
      annotations: readOnly,
      async handler({ limit, ...query }) {
        const customers = await backend.findCustomers(query, limit);
        const text =
          customers.length === 0
            ? 'No customer matches.'
            : customers.map((c) => `${c.name ?? c.email ?? c.id} (id ${c.id})`).join('; ');
        return { data: { customers }, text };
      },
    }),
    defineTool({
      name: 'get_balance',
      title: 'Get balance',
      description: 'What a customer owes (open invoices) and any credit, per currency, in minor units.',
      input: z.object({ customerId: z.string().min(1).max(100) }),
      output: Balance,
      annotations: readOnly,
      async handler({ customerId }) {
        const balance = await backend.getBalance(customerId);
        const owed =
          balance.outstanding.map((a) => formatMoney(a.amount, a.currency)).join(' + ') || 'nothing';
        const credit = balance.credit.map((a) => formatMoney(a.amount, a.currency)).join(' + ');
        return {
          data: balance,
          text: `Owes ${owed} across ${balance.openInvoices} open invoice(s)${credit ? `; credit ${credit}` : ''}.`,
        };
      },
    }),
    defineTool({
      name: 'list_invoices',
      title: 'List invoices',
      description: "A customer's invoices, newest first, optionally by status.",
      input: z.object({
        customerId: z.string().min(1).max(100),
        status: z.enum(INVOICE_STATUSES).optional(),
        limit: z.number().int().min(1).max(50).default(10),
      }),
      output: z.object({ invoices: z.array(Invoice) }),
      annotations: readOnly,
      async handler({ customerId, status, limit }) {
        const invoices = await backend.listInvoices({ customerId, status }, limit);
        const text =
          invoices.length === 0
            ? 'No invoices.'
            : invoices
                .map(
                  (i) =>
                    `${i.number ?? i.id}: ${i.status}, ${formatMoney(i.amountRemaining, i.currency)} remaining`,
                )
                .join('; ');
        return { data: { invoices }, text };
      },
    }),
    defineTool({
      name: 'create_payment_link',
      title: 'Create payment link',
      description:
        'Creates a link the caller can pay at: for an open invoice (its remaining amount) or for an amount and currency.',
      input: z
        .object({
          idempotencyKey: IdempotencyKey,
          invoiceId: z.string().min(1).max(100).optional(),
          customerId: z.string().min(1).max(100).optional(),
          amount: PositiveAmount.optional(),
          currency: Currency.optional(),
          description: z.string().trim().min(1).max(200).optional(),
        })
        .refine((v) => v.invoiceId || (v.amount !== undefined && v.currency), {
          message: 'Give invoiceId, or amount and currency.',
        }),
      output: z.object({ paymentLink: PaymentLink, replayed: Replayed }),
      annotations: { ...writes, destructiveHint: false },
      async handler({ idempotencyKey, ...request }) {
        const { result, replayed } = await idempotency.run(
          'create_payment_link',
          idempotencyKey,
          request,
          () => backend.createPaymentLink(request, idempotencyKey),
        );
        return {
          data: { paymentLink: result, replayed },
          text: `Payment link for ${formatMoney(result.amount, result.currency)}: ${result.url}`,
        };
      },
    }),
    defineTool({
      name: 'record_payment',
      title: 'Record payment',
      description:
        'Records money received outside a payment link (cash, check, bank transfer, card terminal), optionally against an invoice.',
      input: z.object({
        idempotencyKey: IdempotencyKey,
        customerId: z.string().min(1).max(100),
        invoiceId: z.string().min(1).max(100).optional(),
        amount: PositiveAmount,
        currency: Currency,
        method: z.enum(['cash', 'check', 'bank_transfer', 'card', 'other']),
        reference: z.string().trim().min(1).max(200).optional().describe('Check number, transfer reference…'),
      }),
      output: z.object({ payment: Payment, replayed: Replayed }),
      annotations: { ...writes, destructiveHint: false },
      async handler({ idempotencyKey, ...request }) {
        const { result, replayed } = await idempotency.run('record_payment', idempotencyKey, request, () =>
          backend.recordPayment(request, idempotencyKey),
        );
        return {
          data: { payment: result, replayed },
          text: `${replayed ? 'Already recorded' : 'Recorded'} payment ${result.id} of ${formatMoney(result.amount, result.currency)}.`,
        };
      },
    }),
    defineTool({
      name: 'refund_payment',
      title: 'Refund payment',
      description:
        'Refunds a payment, fully or partly. Money leaves the business: confirm amount and payment with the caller first.',
      input: z.object({
        idempotencyKey: IdempotencyKey,
        paymentId: z.string().min(1).max(100),
        amount: PositiveAmount.optional().describe('Minor units; omit to refund everything not yet refunded'),
        reason: z.enum(REFUND_REASONS).optional(),
      }),
      output: z.object({ refund: Refund, replayed: Replayed }),
      annotations: { ...writes, destructiveHint: true },
      async handler({ idempotencyKey, ...request }) {
        const { result, replayed } = await idempotency.run('refund_payment', idempotencyKey, request, () =>
          backend.refundPayment(request, idempotencyKey),
        );
        return {
          data: { refund: result, replayed },
          text: `${replayed ? 'Already refunded' : 'Refunded'} ${formatMoney(result.amount, result.currency)} of payment ${result.paymentId} (refund ${result.id}, ${result.status}).`,
        };
      },
    }),
  ];
}
