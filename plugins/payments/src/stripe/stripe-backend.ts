/**
 * The Stripe backend, through the official SDK. The only file that imports `stripe`.
 */
import { ToolError } from '@vrm/plugin-kit';
import Stripe from 'stripe';
import type {
  CustomerQuery,
  PaymentLinkInput,
  PaymentsBackend,
  RecordPaymentInput,
  RefundInput,
} from '../backend.js';
import {
  type Balance,
  type Customer,
  formatMoney,
  type Invoice,
  type Payment,
  type PaymentLink,
  type Refund,
} from '../wire.js';

export interface StripeBackendOptions {
  secretKey: string;
  /** e.g. `http://127.0.0.1:12111` for a local Stripe-protocol server; default Stripe's API. */
  apiBase?: string | undefined;
}

const iso = (seconds: number) => new Date(seconds * 1000).toISOString();

/** Quotes a value for Stripe's search query language. */
const searchValue = (value: string) => `"${value.replace(/["\\]/g, '\\$&')}"`;

function toCustomer(c: Stripe.Customer): Customer {
  return { id: c.id, name: c.name ?? null, email: c.email ?? null, phone: c.phone ?? null };
}

function toInvoice(i: Stripe.Invoice): Invoice {
  const customer = typeof i.customer === 'string' ? i.customer : (i.customer?.id ?? '');
  return {
    id: i.id ?? '',
    customerId: customer,
    number: i.number ?? null,
    description: i.description ?? null,
    status: (i.status ?? 'draft') as Invoice['status'],
    currency: i.currency,
    amountDue: i.amount_due,
    amountPaid: i.amount_paid,
    amountRemaining: i.amount_remaining,
    dueDate: i.due_date ? iso(i.due_date) : null,
    url: i.hosted_invoice_url ?? null,
    createdAt: iso(i.created),
  };
}

/** Turns Stripe's request errors into messages the model can act on; anything else is unexpected. */
function translate(error: unknown): never {
  if (
    error instanceof Stripe.errors.StripeInvalidRequestError ||
    error instanceof Stripe.errors.StripeIdempotencyError
  ) {
    throw new ToolError(
      `Stripe refused the request: ${error.message}`,
      error.code ?? 'stripe_invalid_request',
    );
  }
  if (error instanceof Stripe.errors.StripeCardError) {
    throw new ToolError(`Stripe declined: ${error.message}`, error.code ?? 'card_error');
  }
  throw error;
}

/** Stripe as the source of truth; idempotency keys are forwarded as `Idempotency-Key` headers. */
export class StripeBackend implements PaymentsBackend {
  readonly kind = 'stripe';
  private readonly stripe: Stripe;

  constructor(options: StripeBackendOptions) {
    const base = options.apiBase ? new URL(options.apiBase) : undefined;
    this.stripe = new Stripe(options.secretKey, {
      // Our own idempotency layer decides about retries; a voice call cannot wait for backoff.
      maxNetworkRetries: 0,
      timeout: 10_000,
      telemetry: false,
      ...(base && {
        host: base.hostname,
        port: base.port || (base.protocol === 'https:' ? 443 : 80),
        protocol: base.protocol.replace(':', '') as 'http' | 'https',
      }),
    });
  }

  async findCustomers(query: CustomerQuery, limit: number): Promise<Customer[]> {
    try {
      if (query.customerId) {
        const customer = await this.stripe.customers.retrieve(query.customerId);
        return customer.deleted ? [] : [toCustomer(customer)];
      }
      if (query.email && !query.name && !query.phone) {
        const list = await this.stripe.customers.list({ email: query.email, limit });
        return list.data.map(toCustomer);
      }
      const clauses = [
        query.email ? `email:${searchValue(query.email)}` : undefined,
        query.name ? `name~${searchValue(query.name)}` : undefined,
        query.phone ? `phone:${searchValue(query.phone)}` : undefined,
      ].filter(Boolean);
      const result = await this.stripe.customers.search({ query: clauses.join(' AND '), limit });
      return result.data.map(toCustomer);
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing')
        return [];
      return translate(error);
    }
  }

  async getBalance(customerId: string): Promise<Balance> {
    try {
      const customer = await this.stripe.customers.retrieve(customerId);
      if (customer.deleted)
        throw new ToolError(`Customer ${customerId} was deleted in Stripe.`, 'customer_not_found');
      const open = await this.stripe.invoices.list({ customer: customerId, status: 'open', limit: 100 });
      const owed = new Map<string, number>();
      for (const invoice of open.data)
        owed.set(invoice.currency, (owed.get(invoice.currency) ?? 0) + invoice.amount_remaining);
      // Stripe's customer balance: positive is owed on the next invoice, negative is credit.
      const credit: Balance['credit'] = [];
      if (customer.currency && customer.balance > 0) {
        owed.set(customer.currency, (owed.get(customer.currency) ?? 0) + customer.balance);
      } else if (customer.currency && customer.balance < 0) {
        credit.push({ currency: customer.currency, amount: -customer.balance });
      }
      return {
        customerId,
        outstanding: [...owed].filter(([, a]) => a > 0).map(([currency, amount]) => ({ currency, amount })),
        credit,
        openInvoices: open.data.length,
      };
    } catch (error) {
      return translate(error);
    }
  }

  async listInvoices(query: { customerId: string; status?: Invoice['status'] | undefined }, limit: number) {
    try {
      const list = await this.stripe.invoices.list({
        customer: query.customerId,
        ...(query.status && { status: query.status }),
        limit,
      });
      return list.data.map(toInvoice);
    } catch (error) {
      return translate(error);
    }
  }

  async createPaymentLink(input: PaymentLinkInput, idempotencyKey: string): Promise<PaymentLink> {
    try {
      if (input.invoiceId) {
        // An open Stripe invoice already has a hosted payment page: hand that out.
        const invoice = toInvoice(await this.stripe.invoices.retrieve(input.invoiceId));
        if (invoice.status !== 'open' || !invoice.url) {
          throw new ToolError(
            `Invoice ${invoice.id} is ${invoice.status} and has no payable page.`,
            'invoice_not_payable',
          );
        }
        return {
          id: invoice.id,
          url: invoice.url,
          amount: invoice.amountRemaining,
          currency: invoice.currency,
          description: input.description ?? invoice.description,
          customerId: invoice.customerId,
          invoiceId: invoice.id,
        };
      }
      const description = input.description ?? `Payment of ${formatMoney(input.amount!, input.currency!)}`;
      const price = await this.stripe.prices.create(
        { currency: input.currency!, unit_amount: input.amount!, product_data: { name: description } },
        { idempotencyKey: `${idempotencyKey}:price` },
      );
      const link = await this.stripe.paymentLinks.create(
        {
          line_items: [{ price: price.id, quantity: 1 }],
          ...(input.customerId && { metadata: { vrm_customer_id: input.customerId } }),
        },
        { idempotencyKey: `${idempotencyKey}:link` },
      );
      return {
        id: link.id,
        url: link.url,
        amount: input.amount!,
        currency: link.currency,
        description,
        customerId: input.customerId ?? null,
        invoiceId: null,
      };
    } catch (error) {
      return translate(error);
    }
  }

  /**
   * Stripe takes card payments itself; what the agent records is money received elsewhere. Against
   * an invoice that marks it paid out of band (Stripe only allows the full remaining amount); without
   * one it becomes credit on the customer's Stripe balance.
   */
  async recordPayment(input: RecordPaymentInput, idempotencyKey: string): Promise<Payment> {
    try {
      const reference = input.reference ?? null;
      if (input.invoiceId) {
        const current = toInvoice(await this.stripe.invoices.retrieve(input.invoiceId));
        if (current.customerId !== input.customerId) {
          throw new ToolError(
            `Invoice ${current.id} belongs to another customer.`,
            'invoice_customer_mismatch',
          );
        }
        if (current.currency !== input.currency || current.amountRemaining !== input.amount) {
          throw new ToolError(
            `Stripe records out-of-band payments for the whole remaining amount only: ${current.amountRemaining} ${current.currency} (${formatMoney(current.amountRemaining, current.currency)}) on invoice ${current.id}.`,
            'partial_payment_unsupported',
          );
        }
        const paid = await this.stripe.invoices.pay(
          input.invoiceId,
          { paid_out_of_band: true },
          { idempotencyKey },
        );
        return {
          id: paid.id ?? input.invoiceId,
          customerId: input.customerId,
          invoiceId: input.invoiceId,
          amount: input.amount,
          currency: input.currency,
          method: input.method,
          reference,
          status: 'succeeded',
          refundedAmount: 0,
          createdAt: new Date().toISOString(),
        };
      }
      const txn = await this.stripe.customers.createBalanceTransaction(
        input.customerId,
        {
          amount: -input.amount,
          currency: input.currency,
          description: `${input.method} payment${reference ? ` (${reference})` : ''}`,
          metadata: { vrm_method: input.method, ...(reference && { vrm_reference: reference }) },
        },
        { idempotencyKey },
      );
      return {
        id: txn.id,
        customerId: input.customerId,
        invoiceId: null,
        amount: input.amount,
        currency: txn.currency,
        method: input.method,
        reference,
        status: 'succeeded',
        refundedAmount: 0,
        createdAt: iso(txn.created),
      };
    } catch (error) {
      return translate(error);
    }
  }

  async refundPayment(input: RefundInput, idempotencyKey: string): Promise<Refund> {
    const target = input.paymentId.startsWith('pi_')
      ? { payment_intent: input.paymentId }
      : input.paymentId.startsWith('ch_') || input.paymentId.startsWith('py_')
        ? { charge: input.paymentId }
        : undefined;
    if (!target) {
      throw new ToolError(
        `Stripe refunds card payments (ids starting pi_ or ch_); ${input.paymentId} is not one. Payments recorded out of band are returned outside Stripe.`,
        'not_refundable',
      );
    }
    try {
      const refund = await this.stripe.refunds.create(
        {
          ...target,
          ...(input.amount !== undefined && { amount: input.amount }),
          ...(input.reason && { reason: input.reason }),
        },
        { idempotencyKey },
      );
      return {
        id: refund.id,
        paymentId: input.paymentId,
        amount: refund.amount,
        currency: refund.currency,
        reason: (refund.reason as Refund['reason']) ?? null,
        status: refund.status ?? 'pending',
        createdAt: iso(refund.created),
      };
    } catch (error) {
      return translate(error);
    }
  }
}
