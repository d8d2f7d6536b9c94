/**
 * The CRM's own tables (prefixed `crm_` so they can share a PostgreSQL database with other things)
 * and the idempotent DDL that creates them at start.
 */
import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();

export const companies = pgTable('crm_companies', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  phone: text('phone_e164'),
  createdAt: createdAt(),
});

export const contacts = pgTable(
  'crm_contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    name: text('name').notNull(),
    /** Stored lower-cased: addresses compare case-insensitively in practice. */
    email: text('email'),
    /** Always E.164 (`+14155550123`), so lookups by caller ID are exact matches. */
    phone: text('phone_e164'),
    companyId: uuid('company_id').references(() => companies.id),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('crm_contacts_phone_idx').on(t.phone), index('crm_contacts_email_idx').on(t.email)],
);

export const notes = pgTable('crm_notes', {
  id: uuid('id').primaryKey().defaultRandom(),
  contactId: uuid('contact_id')
    .notNull()
    .references(() => contacts.id),
  body: text('body').notNull(),
  createdAt: createdAt(),
});

/** The history of everything that happened with a contact, written by the tools themselves. */
export const interactions = pgTable('crm_interactions', {
  id: uuid('id').primaryKey().defaultRandom(),
  contactId: uuid('contact_id')
    .notNull()
    .references(() => contacts.id),
  kind: text('kind').notNull(),
  summary: text('summary').notNull(),
  /** The id of the note, ticket or appointment the entry is about. */
  refId: uuid('ref_id'),
  occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
});

export const tickets = pgTable('crm_tickets', {
  id: uuid('id').primaryKey().defaultRandom(),
  contactId: uuid('contact_id')
    .notNull()
    .references(() => contacts.id),
  subject: text('subject').notNull(),
  description: text('description'),
  priority: text('priority').notNull(),
  status: text('status').notNull(),
  createdAt: createdAt(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const appointmentSlots = pgTable('crm_appointment_slots', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Who or what is booked: a technician, a room, "front desk". */
  resource: text('resource').notNull(),
  startsAt: timestamp('starts_at', { withTimezone: true }).notNull(),
  endsAt: timestamp('ends_at', { withTimezone: true }).notNull(),
  createdAt: createdAt(),
});

export const appointments = pgTable('crm_appointments', {
  id: uuid('id').primaryKey().defaultRandom(),
  slotId: uuid('slot_id')
    .notNull()
    .references(() => appointmentSlots.id),
  contactId: uuid('contact_id')
    .notNull()
    .references(() => contacts.id),
  status: text('status').notNull(),
  notes: text('notes'),
  createdAt: createdAt(),
  cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
});

/**
 * One statement per entry (postgres.js runs each as a prepared statement). The partial unique index
 * on booked appointments is what refuses a double booking, even between two processes.
 */
export const CRM_MIGRATIONS: readonly string[] = [
  `create table if not exists crm_companies (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    phone_e164 text,
    created_at timestamptz not null default now()
  )`,
  'create unique index if not exists crm_companies_name_idx on crm_companies (lower(name))',
  `create table if not exists crm_contacts (
    id uuid primary key default gen_random_uuid(),
    name text not null,
    email text,
    phone_e164 text,
    company_id uuid references crm_companies(id),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  'create index if not exists crm_contacts_phone_idx on crm_contacts (phone_e164)',
  'create index if not exists crm_contacts_email_idx on crm_contacts (email)',
  `create table if not exists crm_notes (
    id uuid primary key default gen_random_uuid(),
    contact_id uuid not null references crm_contacts(id),
    body text not null,
    created_at timestamptz not null default now()
  )`,
  `create table if not exists crm_interactions (
    id uuid primary key default gen_random_uuid(),
    contact_id uuid not null references crm_contacts(id),
    kind text not null,
    summary text not null,
    ref_id uuid,
    occurred_at timestamptz not null default now()
  )`,
  'create index if not exists crm_interactions_contact_idx on crm_interactions (contact_id, occurred_at desc)',
  `create table if not exists crm_tickets (
    id uuid primary key default gen_random_uuid(),
    contact_id uuid not null references crm_contacts(id),
    subject text not null,
    description text,
    priority text not null,
    status text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
  )`,
  `create table if not exists crm_appointment_slots (
    id uuid primary key default gen_random_uuid(),
    resource text not null,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    created_at timestamptz not null default now(),
    check (ends_at > starts_at)
  )`,
  'create unique index if not exists crm_slots_resource_start_idx on crm_appointment_slots (resource, starts_at)',
  `create table if not exists crm_appointments (
    id uuid primary key default gen_random_uuid(),
    slot_id uuid not null references crm_appointment_slots(id),
    contact_id uuid not null references crm_contacts(id),
    status text not null,
    notes text,
    created_at timestamptz not null default now(),
    cancelled_at timestamptz
  )`,
  `create unique index if not exists crm_appointments_one_booking_idx
    on crm_appointments (slot_id) where status = 'booked'`,
];

/** Advisory-lock key for the CRM's migrations on a shared PostgreSQL. */
export const CRM_MIGRATION_LOCK_ID = 48_151_001;
