import { randomBytes } from 'node:crypto';
import { type Db, ToolError } from '@vrm/plugin-kit';
import { and, desc, eq, ilike, type SQL, sql } from 'drizzle-orm';
import type {
  CustomerQuery,
  PaymentLinkInput,
  PaymentsBackend,
  RecordPaymentInput,
  RefundInput,
} from '../backend.js';
import { customers, invoices, paymentLinks, payments, refunds } from '../schema.js';
import {
  type Balance,
  type Customer,
  formatMoney,
  type Invoice,
  type Payment,
  type PaymentLink,
  type Refund,
} from '../wire.js';

/** Stripe-style ids (`cus_…`, `in_…`), so a ledger id and a Stripe id look alike to the model. */
export function ledgerId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

const iso = (d: Date) => d.toISOString();

function toInvoice(row: typeof invoices.$inferSelect): Invoice {
  return {
    id: row.id,
    customerId: row.customerId,
    number: row.number,
    description: row.description,
    status: row.status as Invoice['status'],
    currency: row.currency,
    amountDue: row.amountDue,
    amountPaid: row.amountPaid,
    amountRemaining: row.status === 'open' ? row.amountDue - row.amountPaid : 0,
    dueDate: row.dueDate ? iso(row.dueDate) : null,
    url: null,
    createdAt: iso(row.createdAt),
  };
}

function toPayment(row: typeof payments.$inferSelect): Payment {
  return {
    id: row.id,
    customerId: row.customerId,
    invoiceId: row.invoiceId,
    amount: row.amount,
    currency: row.currency,
    method: row.method,
    reference: row.reference,
    status:
      row.refundedAmount === 0
        ? 'succeeded'
        : row.refundedAmount < row.amount
          ? 'partially_refunded'
          : 'refunded',
    refundedAmount: row.refundedAmount,
    createdAt: iso(row.createdAt),
  };
}

const likePattern = (value: string) => `%${value.replace(/[\\%_]/g, '\\$&')}%`;

/**
 * The built-in ledger: customers, invoices, payments and refunds in the plugin's own tables. It
 * records money that moved elsewhere (cash, bank transfer, a card terminal); its payment links are
 * references for the operator's own checkout page (`PAYMENTS_LINK_BASE_URL`).
 */
export class LedgerBackend implements PaymentsBackend {
  readonly kind = 'ledger';

  constructor(
    private readonly db: Db,
    private readonly linkBaseUrl: string,
  ) {}

  async findCustomers(query: CustomerQuery, limit: number): Promise<Customer[]> {
    const conditions: SQL[] = [];
    if (query.customerId) conditions.push(eq(customers.id, query.customerId));
    if (query.email) conditions.push(sql`lower(${customers.email}) = lower(${query.email})`);
    if (query.name) conditions.push(ilike(customers.name, likePattern(query.name)));
    if (query.phone) conditions.push(eq(customers.phone, query.phone));
    return this.db
      .select({ id: customers.id, name: customers.name, email: customers.email, phone: customers.phone })
      .from(customers)
      .where(and(...conditions))
      .orderBy(customers.name, customers.id)
      .limit(limit);
  }

  private async requireCustomer(db: Db, customerId: string): Promise<void> {
    const [row] = await db.select({ id: customers.id }).from(customers).where(eq(customers.id, customerId));
    if (!row) {
      throw new ToolError(
        `No customer with id ${customerId}. Look the customer up with find_customer first.`,
        'customer_not_found',
      );
    }
  }

  private async requireInvoice(db: Db, invoiceId: string, lock = false) {
    const query = db.select().from(invoices).where(eq(invoices.id, invoiceId));
    const [row] = lock ? await query.for('update') : await query;
    if (!row) {
      throw new ToolError(
        `No invoice with id ${invoiceId}. Use an id from list_invoices.`,
        'invoice_not_found',
      );
    }
    return row;
  }

  async getBalance(customerId: string): Promise<Balance> {
    await this.requireCustomer(this.db, customerId);
    const open = await this.db
      .select({
        currency: invoices.currency,
        amount: sql<string>`sum(${invoices.amountDue} - ${invoices.amountPaid})`,
        count: sql<number>`count(*)::int`,
      })
      .from(invoices)
      .where(and(eq(invoices.customerId, customerId), eq(invoices.status, 'open')))
      .groupBy(invoices.currency)
      .orderBy(invoices.currency);
    // Payments not applied to an invoice are credit on account, less what was refunded of them.
    const credit = await this.db
      .select({
        currency: payments.currency,
        amount: sql<string>`sum(${payments.amount} - ${payments.refundedAmount})`,
      })
      .from(payments)
      .where(and(eq(payments.customerId, customerId), sql`${payments.invoiceId} is null`))
      .groupBy(payments.currency)
      .orderBy(payments.currency);
    return {
      customerId,
      outstanding: open
        .map((r) => ({ currency: r.currency, amount: Number(r.amount) }))
        .filter((r) => r.amount > 0),
      credit: credit
        .map((r) => ({ currency: r.currency, amount: Number(r.amount) }))
        .filter((r) => r.amount > 0),
      openInvoices: open.reduce((n, r) => n + Number(r.count), 0),
    };
  }

  async listInvoices(query: { customerId: string; status?: Invoice['status'] | undefined }, limit: number) {
    await this.requireCustomer(this.db, query.customerId);
    const rows = await this.db
      .select()
      .from(invoices)
      .where(
        and(
          eq(invoices.customerId, query.customerId),
          query.status ? eq(invoices.status, query.status) : undefined,
        ),
      )
      .orderBy(desc(invoices.createdAt), desc(invoices.id))
      .limit(limit);
    return rows.map(toInvoice);
  }

  async createPaymentLink(input: PaymentLinkInput): Promise<PaymentLink> {
    let { amount, currency, customerId } = input;
    if (input.invoiceId) {
      const invoice = toInvoice(await this.requireInvoice(this.db, input.invoiceId));
      if (invoice.status !== 'open' || invoice.amountRemaining <= 0) {
        throw new ToolError(
          `Invoice ${invoice.id} is ${invoice.status} with nothing left to pay.`,
          'invoice_not_payable',
        );
      }
      amount = invoice.amountRemaining;
      currency = invoice.currency;
      customerId = invoice.customerId;
    }
    if (customerId) await this.requireCustomer(this.db, customerId);
    const id = ledgerId('plink');
    const [row] = await this.db
      .insert(paymentLinks)
      .values({
        id,
        url: `${this.linkBaseUrl}${id}`,
        customerId: customerId ?? null,
        invoiceId: input.invoiceId ?? null,
        amount: amount!,
        currency: currency!,
        description: input.description ?? null,
      })
      .returning();
    const link = row!;
    return {
      id: link.id,
      url: link.url,
      amount: link.amount,
      currency: link.currency,
      description: link.description,
      customerId: link.customerId,
      invoiceId: link.invoiceId,
    };
  }

  async recordPayment(input: RecordPaymentInput): Promise<Payment> {
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      await this.requireCustomer(db, input.customerId);
      if (input.invoiceId) {
        const invoice = await this.requireInvoice(db, input.invoiceId, true);
        const remaining = invoice.amountDue - invoice.amountPaid;
        if (invoice.customerId !== input.customerId) {
          throw new ToolError(
            `Invoice ${invoice.id} belongs to another customer.`,
            'invoice_customer_mismatch',
          );
        }
        if (invoice.status !== 'open') {
          throw new ToolError(
            `Invoice ${invoice.id} is ${invoice.status}; only open invoices take payments.`,
            'invoice_not_payable',
          );
        }
        if (invoice.currency !== input.currency) {
          throw new ToolError(
            `Invoice ${invoice.id} is in ${invoice.currency}, not ${input.currency}.`,
            'currency_mismatch',
          );
        }
        if (input.amount > remaining) {
          throw new ToolError(
            `That is more than the ${formatMoney(remaining, invoice.currency)} left on invoice ${invoice.id}. Record at most ${remaining} (minor units), or record the excess without invoiceId as credit.`,
            'overpayment',
          );
        }
        await db
          .update(invoices)
          .set({
            amountPaid: invoice.amountPaid + input.amount,
            ...(input.amount === remaining && { status: 'paid' }),
          })
          .where(eq(invoices.id, invoice.id));
      }
      const [row] = await db
        .insert(payments)
        .values({
          id: ledgerId('py'),
          customerId: input.customerId,
          invoiceId: input.invoiceId ?? null,
          amount: input.amount,
          currency: input.currency,
          method: input.method,
          reference: input.reference ?? null,
        })
        .returning();
      return toPayment(row!);
    });
  }

  async refundPayment(input: RefundInput): Promise<Refund> {
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const [payment] = await db
        .select()
        .from(payments)
        .where(eq(payments.id, input.paymentId))
        .for('update');
      if (!payment) {
        throw new ToolError(
          `No payment with id ${input.paymentId}. Use the id returned by record_payment.`,
          'payment_not_found',
        );
      }
      const refundable = payment.amount - payment.refundedAmount;
      const amount = input.amount ?? refundable;
      if (refundable === 0) {
        throw new ToolError(`Payment ${payment.id} is already fully refunded.`, 'already_refunded');
      }
      if (amount > refundable) {
        throw new ToolError(
          `Only ${formatMoney(refundable, payment.currency)} (${refundable} minor units) of payment ${payment.id} can still be refunded.`,
          'refund_exceeds_payment',
        );
      }
      await db
        .update(payments)
        .set({ refundedAmount: payment.refundedAmount + amount })
        .where(eq(payments.id, payment.id));
      if (payment.invoiceId) {
        // The refunded part is owed again: reopen the invoice for it.
        await db
          .update(invoices)
          .set({ amountPaid: sql`${invoices.amountPaid} - ${amount}`, status: 'open' })
          .where(eq(invoices.id, payment.invoiceId));
      }
      const [row] = await db
        .insert(refunds)
        .values({
          id: ledgerId('re'),
          paymentId: payment.id,
          amount,
          currency: payment.currency,
          reason: input.reason ?? null,
        })
        .returning();
      const refund = row!;
      return {
        id: refund.id,
        paymentId: refund.paymentId,
        amount: refund.amount,
        currency: refund.currency,
        reason: (refund.reason as Refund['reason']) ?? null,
        status: 'succeeded',
        createdAt: iso(refund.createdAt),
      };
    });
  }

  /** Adds a customer (seeding and operator scripts; there is no tool for it). */
  async createCustomer(fields: { name: string; email?: string; phone?: string }): Promise<Customer> {
    const [row] = await this.db
      .insert(customers)
      .values({
        id: ledgerId('cus'),
        name: fields.name,
        email: fields.email ?? null,
        phone: fields.phone ?? null,
      })
      .returning();
    return { id: row!.id, name: row!.name, email: row!.email, phone: row!.phone };
  }

  /** Issues an open invoice (seeding and operator scripts). */
  async createInvoice(fields: {
    customerId: string;
    amountDue: number;
    currency: string;
    description?: string;
    number?: string;
    dueDate?: Date;
  }): Promise<Invoice> {
    await this.requireCustomer(this.db, fields.customerId);
    const [row] = await this.db
      .insert(invoices)
      .values({
        id: ledgerId('in'),
        customerId: fields.customerId,
        number: fields.number ?? null,
        description: fields.description ?? null,
        status: 'open',
        currency: fields.currency,
        amountDue: fields.amountDue,
        dueDate: fields.dueDate ?? null,
      })
      .returning();
    return toInvoice(row!);
  }
}
