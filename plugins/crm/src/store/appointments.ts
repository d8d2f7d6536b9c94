import type { Db } from '@vrm/plugin-kit';
import { ToolError } from '@vrm/plugin-kit';
import { and, asc, eq, gte, lt, notExists, sql } from 'drizzle-orm';
import { appointmentSlots, appointments } from '../schema.js';
import type { Appointment, Slot } from '../wire.js';
import type { ContactStore } from './contacts.js';

type SlotRow = typeof appointmentSlots.$inferSelect;
type AppointmentRow = typeof appointments.$inferSelect;

const toSlot = (row: SlotRow): Slot => ({
  id: row.id,
  resource: row.resource,
  startsAt: row.startsAt.toISOString(),
  endsAt: row.endsAt.toISOString(),
});

const toAppointment = (row: AppointmentRow, slot: SlotRow): Appointment => ({
  id: row.id,
  contactId: row.contactId,
  slot: toSlot(slot),
  status: row.status as Appointment['status'],
  notes: row.notes,
  createdAt: row.createdAt.toISOString(),
  cancelledAt: row.cancelledAt?.toISOString() ?? null,
});

/** PostgreSQL's unique_violation, as raised by PGlite or postgres.js (possibly wrapped by drizzle). */
function isUniqueViolation(error: unknown): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    if ((e as { code?: unknown }).code === '23505') return true;
  }
  return false;
}

const SLOT_TAKEN =
  'That slot has just been booked by someone else. Call list_appointment_slots again and offer the caller another time.';

/** Bookable slots and the appointments made in them. */
export class AppointmentStore {
  constructor(
    private readonly db: Db,
    private readonly contacts: ContactStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Free future slots starting in [from, to), earliest first. */
  async listFree(
    filter: { from: Date; to: Date; resource?: string | undefined },
    limit: number,
  ): Promise<Slot[]> {
    const earliest = new Date(Math.max(filter.from.getTime(), this.now().getTime()));
    const rows = await this.db
      .select()
      .from(appointmentSlots)
      .where(
        and(
          gte(appointmentSlots.startsAt, earliest),
          lt(appointmentSlots.startsAt, filter.to),
          filter.resource ? sql`lower(${appointmentSlots.resource}) = lower(${filter.resource})` : undefined,
          notExists(
            this.db
              .select({ one: sql`1` })
              .from(appointments)
              .where(and(eq(appointments.slotId, appointmentSlots.id), eq(appointments.status, 'booked'))),
          ),
        ),
      )
      .orderBy(asc(appointmentSlots.startsAt), asc(appointmentSlots.resource))
      .limit(limit);
    return rows.map(toSlot);
  }

  /** Adds slots; one that already exists (same resource and start) is skipped, not duplicated. */
  async createSlots(slots: Array<{ resource: string; startsAt: Date; endsAt: Date }>) {
    const rows = await this.db.insert(appointmentSlots).values(slots).onConflictDoNothing().returning();
    return { created: rows.map(toSlot), skipped: slots.length - rows.length };
  }

  private async slotOf(db: Db, row: AppointmentRow): Promise<SlotRow> {
    const [slot] = await db.select().from(appointmentSlots).where(eq(appointmentSlots.id, row.slotId));
    return slot!;
  }

  /**
   * Books a slot. Booking a slot the same contact already holds returns that booking (a retried
   * call must not fail); a slot held by anyone else is refused, also when two bookings race.
   */
  async book(input: { slotId: string; contactId: string; notes?: string | undefined }): Promise<Appointment> {
    try {
      return await this.db.transaction(async (tx) => {
        const db = tx as unknown as Db;
        const contact = await this.contacts.require(input.contactId, db);
        const [slot] = await db.select().from(appointmentSlots).where(eq(appointmentSlots.id, input.slotId));
        if (!slot) {
          throw new ToolError(
            `No appointment slot with id ${input.slotId} exists. Use an id returned by list_appointment_slots.`,
            'slot_not_found',
          );
        }
        const [held] = await db
          .select()
          .from(appointments)
          .where(and(eq(appointments.slotId, slot.id), eq(appointments.status, 'booked')));
        if (held) {
          if (held.contactId === contact.id) return toAppointment(held, slot);
          throw new ToolError(SLOT_TAKEN, 'slot_taken');
        }
        if (slot.startsAt.getTime() < this.now().getTime()) {
          throw new ToolError(
            'That slot is in the past. Call list_appointment_slots for upcoming times.',
            'slot_past',
          );
        }
        const [row] = await db
          .insert(appointments)
          .values({ slotId: slot.id, contactId: contact.id, status: 'booked', notes: input.notes ?? null })
          .returning();
        const when = slot.startsAt.toISOString();
        await this.contacts.record(
          db,
          contact.id,
          'appointment',
          `Appointment booked with ${slot.resource} at ${when}`,
          row!.id,
        );
        return toAppointment(row!, slot);
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ToolError(SLOT_TAKEN, 'slot_taken');
      throw error;
    }
  }

  /** Cancels a booking and frees its slot; cancelling twice returns the cancelled booking. */
  async cancel(input: { appointmentId: string; reason?: string | undefined }): Promise<Appointment> {
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const [current] = await db
        .select()
        .from(appointments)
        .where(eq(appointments.id, input.appointmentId))
        .for('update');
      if (!current) {
        throw new ToolError(
          `No appointment with id ${input.appointmentId} exists. Appointment ids come from book_appointment or list_interactions.`,
          'appointment_not_found',
        );
      }
      const slot = await this.slotOf(db, current);
      if (current.status === 'cancelled') return toAppointment(current, slot);
      const [row] = await db
        .update(appointments)
        .set({ status: 'cancelled', cancelledAt: this.now() })
        .where(eq(appointments.id, current.id))
        .returning();
      const why = input.reason ? `: ${input.reason}` : '';
      await this.contacts.record(
        db,
        current.contactId,
        'appointment',
        `Appointment with ${slot.resource} at ${slot.startsAt.toISOString()} cancelled${why}`,
        current.id,
      );
      return toAppointment(row!, slot);
    });
  }
}
