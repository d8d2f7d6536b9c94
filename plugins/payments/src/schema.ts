/**
 * The payments plugin's tables (prefixed `pay_`): the built-in ledger, and the idempotency records
 * every backend uses.
 */
import { bigint, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
/** Minor units can exceed 2^31 (large invoices in zero-decimal currencies): bigint, read as number. */
const minor = (name: string) => bigint(name, { mode: 'number' });

export const customers = pgTable('pay_customers', {
  id: text('id').primaryKey(),
  name: text('name'),
  email: text('email'),
  phone: text('phone'),
  createdAt: createdAt(),
});

export const invoices = pgTable('pay_invoices', {
  id: text('id').primaryKey(),
  customerId: text('customer_id').notNull(),
  number: text('number'),
  description: text('description'),
  status: text('status').notNull(),
  currency: text('currency').notNull(),
  amountDue: minor('amount_due').notNull(),
  amountPaid: minor('amount_paid').notNull().default(0),
  dueDate: timestamp('due_date', { withTimezone: true }),
  createdAt: createdAt(),
});

export const paymentLinks = pgTable('pay_payment_links', {
  id: text('id').primaryKey(),
  url: text('url').notNull(),
  customerId: text('customer_id'),
  invoiceId: text('invoice_id'),
  amount: minor('amount').notNull(),
  currency: text('currency').notNull(),
  description: text('description'),
  createdAt: createdAt(),
});

export const payments = pgTable('pay_payments', {
  id: text('id').primaryKey(),
  customerId: text('customer_id').notNull(),
  invoiceId: text('invoice_id'),
  amount: minor('amount').notNull(),
  currency: text('currency').notNull(),
  method: text('method').notNull(),
  reference: text('reference'),
  refundedAmount: minor('refunded_amount').notNull().default(0),
  createdAt: createdAt(),
});

export const refunds = pgTable('pay_refunds', {
  id: text('id').primaryKey(),
  paymentId: text('payment_id').notNull(),
  amount: minor('amount').notNull(),
  currency: text('currency').notNull(),
  reason: text('reason'),
  createdAt: createdAt(),
});

export const idempotencyRecords = pgTable('pay_idempotency', {
  key: text('key').primaryKey(),
  tool: text('tool').notNull(),
  requestHash: text('request_hash').notNull(),
  /** Null while the first request with this key is still running. */
  response: jsonb('response'),
  createdAt: createdAt(),
});

export const PAYMENTS_MIGRATIONS: readonly string[] = [
  `create table if not exists pay_customers (
    id text primary key, name text, email text, phone text,
    created_at timestamptz not null default now()
  )`,
  'create index if not exists pay_customers_email_idx on pay_customers (lower(email))',
  `create table if not exists pay_invoices (
    id text primary key,
    customer_id text not null references pay_customers(id),
    number text, description text,
    status text not null,
    currency text not null,
    amount_due bigint not null check (amount_due >= 0),
    amount_paid bigint not null default 0 check (amount_paid >= 0),
    due_date timestamptz,
    created_at timestamptz not null default now()
  )`,
  'create index if not exists pay_invoices_customer_idx on pay_invoices (customer_id, created_at desc)',
  `create table if not exists pay_payment_links (
    id text primary key, url text not null,
    customer_id text references pay_customers(id),
    invoice_id text references pay_invoices(id),
    amount bigint not null check (amount > 0),
    currency text not null, description text,
    created_at timestamptz not null default now()
  )`,
  `create table if not exists pay_payments (
    id text primary key,
    customer_id text not null references pay_customers(id),
    invoice_id text references pay_invoices(id),
    amount bigint not null check (amount > 0),
    currency text not null, method text not null, reference text,
    refunded_amount bigint not null default 0 check (refunded_amount >= 0 and refunded_amount <= amount),
    created_at timestamptz not null default now()
  )`,
  `create table if not exists pay_refunds (
    id text primary key,
    payment_id text not null references pay_payments(id),
    amount bigint not null check (amount > 0),
    currency text not null, reason text,
    created_at timestamptz not null default now()
  )`,
  `create table if not exists pay_idempotency (
    key text primary key, tool text not null, request_hash text not null, response jsonb,
    created_at timestamptz not null default now()
  )`,
];

export const PAYMENTS_MIGRATION_LOCK_ID = 48_151_002;
