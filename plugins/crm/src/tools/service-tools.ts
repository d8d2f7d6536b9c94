import { defineTool, READ_ONLY, ToolError } from '@vrm/plugin-kit';
import { z } from 'zod/v4';
import { Appointment, Slot, TICKET_PRIORITIES, TICKET_STATUSES, Ticket } from '../wire.js';
import type { CrmContext } from './context.js';

const DateOrDateTime = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .describe(
    'ISO 8601 date (2026-03-02, a whole day in UTC) or date-time with offset (2026-03-02T09:00:00-05:00)',
  );

/** A date-only `from` starts that day; a date-only `to` includes that whole day. */
function rangeBound(value: string, edge: 'from' | 'to'): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = new Date(`${value}T00:00:00.000Z`);
    return edge === 'to' ? new Date(day.getTime() + 86_400_000) : day;
  }
  return new Date(value);
}

const MAX_RANGE_DAYS = 62;

function describeSlot(s: Slot): string {
  return `${s.startsAt} to ${s.endsAt} with ${s.resource} (slot ${s.id})`;
}

export function serviceTools(ctx: CrmContext) {
  return [
    defineTool({
      name: 'create_ticket',
      title: 'Create ticket',
      description: 'Opens a support ticket for a contact (status open).',
      input: z.object({
        contactId: z.uuid(),
        subject: z.string().trim().min(1).max(200).describe('One line: what the caller needs'),
        description: z.string().trim().max(5000).optional(),
        priority: z.enum(TICKET_PRIORITIES).default('normal'),
      }),
      output: z.object({ ticket: Ticket }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      async handler(input) {
        const ticket = await ctx.tickets.create(input);
        return {
          data: { ticket },
          text: `Ticket ${ticket.id} opened (${ticket.priority}): ${ticket.subject}.`,
        };
      },
    }),
    defineTool({
      name: 'update_ticket',
      title: 'Update ticket',
      description:
        "Changes a ticket's status (open, pending, resolved, closed) and/or priority, with an optional comment.",
      input: z
        .object({
          ticketId: z.uuid(),
          status: z.enum(TICKET_STATUSES).optional(),
          priority: z.enum(TICKET_PRIORITIES).optional(),
          comment: z.string().trim().min(1).max(2000).optional(),
        })
        .refine((v) => v.status || v.priority || v.comment, { message: 'Give status, priority or comment.' }),
      output: z.object({ ticket: Ticket }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      async handler(input) {
        const ticket = await ctx.tickets.update(input);
        return { data: { ticket }, text: `Ticket ${ticket.id} is ${ticket.status} (${ticket.priority}).` };
      },
    }),
    defineTool({
      name: 'list_appointment_slots',
      title: 'List free appointment slots',
      description: 'Lists free, upcoming appointment slots starting within a date range, earliest first.',
      input: z.object({
        from: DateOrDateTime,
        to: DateOrDateTime,
        resource: z
          .string()
          .trim()
          .min(1)
          .max(200)
          .optional()
          .describe('Only slots with this person or resource'),
        limit: z.number().int().min(1).max(100).default(20),
      }),
      output: z.object({ from: z.iso.datetime(), to: z.iso.datetime(), slots: z.array(Slot) }),
      annotations: READ_ONLY,
      async handler(input) {
        const from = rangeBound(input.from, 'from');
        const to = rangeBound(input.to, 'to');
        if (to <= from) throw new ToolError('`to` must be after `from`.', 'invalid_range');
        if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
          throw new ToolError(`Ask for at most ${MAX_RANGE_DAYS} days at a time.`, 'invalid_range');
        }
        const slots = await ctx.appointments.listFree({ from, to, resource: input.resource }, input.limit);
        const text =
          slots.length === 0
            ? 'No free slots in that range. Offer the caller a later range.'
            : `${slots.length} free slot${slots.length === 1 ? '' : 's'}: ${slots.map(describeSlot).join('; ')}.`;
        return { data: { from: from.toISOString(), to: to.toISOString(), slots }, text };
      },
    }),
    defineTool({
      name: 'book_appointment',
      title: 'Book appointment',
      description:
        'Books a free slot (from list_appointment_slots) for a contact. A slot already taken by someone else is refused.',
      input: z.object({
        slotId: z.uuid(),
        contactId: z.uuid(),
        notes: z.string().trim().max(2000).optional().describe('What the appointment is for'),
      }),
      output: z.object({ appointment: Appointment }),
      // Booking the same slot for the same contact again returns the same booking.
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      async handler(input) {
        const appointment = await ctx.appointments.book(input);
        return {
          data: { appointment },
          text: `Booked ${appointment.slot.startsAt} with ${appointment.slot.resource} (appointment ${appointment.id}).`,
        };
      },
    }),
    defineTool({
      name: 'cancel_appointment',
      title: 'Cancel appointment',
      description: 'Cancels a booked appointment and frees its slot. Confirm with the caller first.',
      input: z.object({
        appointmentId: z.uuid(),
        reason: z.string().trim().max(500).optional(),
      }),
      output: z.object({ appointment: Appointment }),
      annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: false },
      async handler(input) {
        const appointment = await ctx.appointments.cancel(input);
        return {
          data: { appointment },
          text: `Appointment ${appointment.id} at ${appointment.slot.startsAt} is cancelled.`,
        };
      },
    }),
    defineTool({
      name: 'create_appointment_slots',
      title: 'Create appointment slots',
      description:
        'Publishes bookable slots (for staff setting up a schedule). A slot with the same resource and start time is skipped.',
      input: z.object({
        slots: z
          .array(
            z.object({
              resource: z.string().trim().min(1).max(200),
              startsAt: z.iso.datetime({ offset: true }),
              endsAt: z.iso.datetime({ offset: true }),
            }),
          )
          .min(1)
          .max(500),
      }),
      output: z.object({ created: z.array(Slot), skipped: z.number().int() }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      async handler({ slots }) {
        const parsed = slots.map((s) => ({
          resource: s.resource,
          startsAt: new Date(s.startsAt),
          endsAt: new Date(s.endsAt),
        }));
        const bad = parsed.find((s) => s.endsAt <= s.startsAt);
        if (bad)
          throw new ToolError(
            `A slot for ${bad.resource} ends before it starts; fix endsAt.`,
            'invalid_slot',
          );
        const result = await ctx.appointments.createSlots(parsed);
        return {
          data: result,
          text: `Created ${result.created.length} slot(s)${result.skipped ? `, skipped ${result.skipped} existing` : ''}.`,
        };
      },
    }),
  ];
}
