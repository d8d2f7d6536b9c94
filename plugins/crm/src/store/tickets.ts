import type { Db } from '@vrm/plugin-kit';
import { ToolError } from '@vrm/plugin-kit';
import { eq } from 'drizzle-orm';
import { tickets } from '../schema.js';
import type { Ticket } from '../wire.js';
import type { ContactStore } from './contacts.js';

type TicketRow = typeof tickets.$inferSelect;

function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    contactId: row.contactId,
    subject: row.subject,
    description: row.description,
    priority: row.priority as Ticket['priority'],
    status: row.status as Ticket['status'],
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Support tickets raised for contacts. */
export class TicketStore {
  constructor(
    private readonly db: Db,
    private readonly contacts: ContactStore,
  ) {}

  async create(input: {
    contactId: string;
    subject: string;
    description?: string | undefined;
    priority: Ticket['priority'];
  }): Promise<Ticket> {
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      await this.contacts.require(input.contactId, db);
      const [row] = await db
        .insert(tickets)
        .values({
          contactId: input.contactId,
          subject: input.subject,
          description: input.description ?? null,
          priority: input.priority,
          status: 'open',
        })
        .returning();
      const ticket = toTicket(row!);
      await this.contacts.record(
        db,
        input.contactId,
        'ticket',
        `Ticket opened (${ticket.priority}): ${ticket.subject}`,
        ticket.id,
      );
      return ticket;
    });
  }

  /** Changes status and/or priority; a comment goes into the contact's history with the change. */
  async update(input: {
    ticketId: string;
    status?: Ticket['status'] | undefined;
    priority?: Ticket['priority'] | undefined;
    comment?: string | undefined;
  }): Promise<Ticket> {
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      const [current] = await db.select().from(tickets).where(eq(tickets.id, input.ticketId)).for('update');
      if (!current) {
        throw new ToolError(
          `No ticket with id ${input.ticketId} exists. Ticket ids come from create_ticket or from list_interactions (refId of a ticket entry).`,
          'ticket_not_found',
        );
      }
      const [row] = await db
        .update(tickets)
        .set({
          ...(input.status && { status: input.status }),
          ...(input.priority && { priority: input.priority }),
          updatedAt: new Date(),
        })
        .where(eq(tickets.id, input.ticketId))
        .returning();
      const ticket = toTicket(row!);
      const changes = [
        input.status && input.status !== current.status
          ? `status ${current.status} → ${input.status}`
          : undefined,
        input.priority && input.priority !== current.priority
          ? `priority ${current.priority} → ${input.priority}`
          : undefined,
        input.comment ? `comment: ${input.comment}` : undefined,
      ].filter(Boolean);
      if (changes.length > 0) {
        await this.contacts.record(
          db,
          ticket.contactId,
          'ticket',
          `Ticket "${ticket.subject}" updated: ${changes.join('; ')}`,
          ticket.id,
        );
      }
      return ticket;
    });
  }
}
