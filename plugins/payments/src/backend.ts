import type { Balance, Customer, Invoice, Payment, PaymentLink, Refund } from './wire.js';

export interface CustomerQuery {
  customerId?: string | undefined;
  email?: string | undefined;
  name?: string | undefined;
  phone?: string | undefined;
}

export interface PaymentLinkInput {
  customerId?: string | undefined;
  /** Pay this invoice's remaining amount; amount and currency are then taken from it. */
  invoiceId?: string | undefined;
  amount?: number | undefined;
  currency?: string | undefined;
  description?: string | undefined;
}

export interface RecordPaymentInput {
  customerId: string;
  invoiceId?: string | undefined;
  amount: number;
  currency: string;
  method: string;
  reference?: string | undefined;
}

export interface RefundInput {
  paymentId: string;
  /** Omitted: refund everything not yet refunded. */
  amount?: number | undefined;
  reason?: Refund['reason'] | undefined;
}

/**
 * Where money facts live: the built-in ledger (tables in the plugin's database) or Stripe. Writes
 * receive the caller's idempotency key so a backend with its own idempotency (Stripe) gets it too.
 * Expected failures are thrown as `ToolError`s with a message for the model.
 */
export interface PaymentsBackend {
  readonly kind: 'ledger' | 'stripe';
  findCustomers(query: CustomerQuery, limit: number): Promise<Customer[]>;
  getBalance(customerId: string): Promise<Balance>;
  listInvoices(
    query: { customerId: string; status?: Invoice['status'] | undefined },
    limit: number,
  ): Promise<Invoice[]>;
  createPaymentLink(input: PaymentLinkInput, idempotencyKey: string): Promise<PaymentLink>;
  recordPayment(input: RecordPaymentInput, idempotencyKey: string): Promise<Payment>;
  refundPayment(input: RefundInput, idempotencyKey: string): Promise<Refund>;
}
