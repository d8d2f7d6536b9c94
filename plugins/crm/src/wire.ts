/**
 * The shapes the CRM's tools return, as zod schemas: they are the tools' output schemas and the
 * types the stores produce. Times are ISO 8601 strings in UTC.
 */
import { z } from 'zod/v4';

export const CompanyRef = z.object({ id: z.uuid(), name: z.string() });

export const Contact = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable().describe('E.164, e.g. +14155550123'),
  company: CompanyRef.nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Contact = z.infer<typeof Contact>;

export const Company = z.object({ id: z.uuid(), name: z.string(), phone: z.string().nullable() });
export type Company = z.infer<typeof Company>;

export const Note = z.object({
  id: z.uuid(),
  contactId: z.uuid(),
  body: z.string(),
  createdAt: z.iso.datetime(),
});
export type Note = z.infer<typeof Note>;

export const INTERACTION_KINDS = ['contact', 'note', 'ticket', 'appointment'] as const;
export const Interaction = z.object({
  id: z.uuid(),
  kind: z.enum(INTERACTION_KINDS),
  summary: z.string(),
  refId: z.uuid().nullable(),
  occurredAt: z.iso.datetime(),
});
export type Interaction = z.infer<typeof Interaction>;

export const TICKET_STATUSES = ['open', 'pending', 'resolved', 'closed'] as const;
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const Ticket = z.object({
  id: z.uuid(),
  contactId: z.uuid(),
  subject: z.string(),
  description: z.string().nullable(),
  priority: z.enum(TICKET_PRIORITIES),
  status: z.enum(TICKET_STATUSES),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Ticket = z.infer<typeof Ticket>;

export const Slot = z.object({
  id: z.uuid(),
  resource: z.string(),
  startsAt: z.iso.datetime(),
  endsAt: z.iso.datetime(),
});
export type Slot = z.infer<typeof Slot>;

export const Appointment = z.object({
  id: z.uuid(),
  contactId: z.uuid(),
  slot: Slot,
  status: z.enum(['booked', 'cancelled']),
  notes: z.string().nullable(),
  createdAt: z.iso.datetime(),
  cancelledAt: z.iso.datetime().nullable(),
});
export type Appointment = z.infer<typeof Appointment>;
