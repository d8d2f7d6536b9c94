import type { Client } from '@modelcontextprotocol/client';
import type { AnyToolDefinition, PluginDatabase } from '@vrm/plugin-kit';
import { connectInMemory, openTestPluginDatabase, testDrivers } from '@vrm/plugin-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCrmDatabase } from './main.js';
import { createCrmContext, createCrmServer } from './server.js';
import { contactTools } from './tools/contact-tools.js';
import type { CrmContext } from './tools/context.js';
import { serviceTools } from './tools/service-tools.js';

const NOW = new Date('2030-01-06T08:00:00Z');
const DAY = '2030-01-07';

describe.each(testDrivers())('crm tools on %s', (driver) => {
  let database: PluginDatabase;
  let context: CrmContext;
  let client: Client;
  let definitions: Map<string, AnyToolDefinition>;

  beforeAll(async () => {
    database = await openTestPluginDatabase(driver, (url) => openCrmDatabase({ url }));
    context = createCrmContext({ db: database.db, defaultRegion: 'US', now: () => NOW });
    definitions = new Map([...contactTools(context), ...serviceTools(context)].map((t) => [t.name, t]));
    client = await connectInMemory(createCrmServer(context));
    await client.listTools();
  });

  afterAll(async () => {
    await client?.close();
    await database?.close();
  });

  /** Calls a tool, asserts success, and checks the structured result against the tool's own zod schema. */
  async function call(name: string, args: Record<string, unknown>) {
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const parsed = definitions.get(name)!.output.safeParse(result.structuredContent);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    return result.structuredContent as any;
  }

  async function callError(name: string, args: Record<string, unknown>): Promise<string> {
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError).toBe(true);
    return (result.content as Array<{ type: string; text: string }>)[0]!.text;
  }

  describe('contacts', () => {
    let janeId: string;

    it('creates a contact with the phone normalized to E.164 and the company linked', async () => {
      const { contact } = await call('create_contact', {
        name: 'Jane Doe',
        phone: '(415) 555-0123',
        email: 'Jane.Doe@Example.com',
        company: 'Acme Plumbing',
      });
      janeId = contact.id;
      expect(contact).toMatchObject({
        name: 'Jane Doe',
        phone: '+14155550123',
        email: 'jane.doe@example.com',
        company: { name: 'Acme Plumbing' },
      });
    });

    it('finds the contact by phone in any common format', async () => {
      for (const phone of ['+1 415 555 0123', '415.555.0123', '(415) 555-0123', '+14155550123']) {
        const found = await call('find_contact_by_phone', { phone });
        expect(found).toMatchObject({ phone: '+14155550123', found: true, contact: { id: janeId } });
      }
      const missing = await call('find_contact_by_phone', { phone: '+1 212 555 0199' });
      expect(missing).toMatchObject({ phone: '+12125550199', found: false, contact: null });
    });

    it('reads national numbers in the configured region', async () => {
      const uk = createCrmContext({ db: database.db, defaultRegion: 'GB' });
      const ukClient = await connectInMemory(createCrmServer(uk));
      const result = await ukClient.callTool({
        name: 'find_contact_by_phone',
        arguments: { phone: '020 7946 0958' },
      });
      expect(result.structuredContent).toMatchObject({ phone: '+442079460958' });
      await ukClient.close();
    });

    it('explains an invalid phone number instead of failing', async () => {
      expect(await callError('find_contact_by_phone', { phone: '12345' })).toMatch(
        /not a valid phone number.*area code/,
      );
    });

    it('refuses a duplicate phone and points at the existing contact', async () => {
      const message = await callError('create_contact', { name: 'J. Doe', phone: '4155550123' });
      expect(message).toContain(janeId);
      expect(message).toContain('update_contact');
    });

    it('refuses duplicates also when several creations of one caller race', async () => {
      // Straight at the store, so the creations overlap inside the database (through the MCP
      // pair they tend to run one after another). Several rounds: one race may happen to serialize.
      for (const round of [1, 2, 3, 4, 5]) {
        const phone = `+1628555014${round}`;
        const results = await Promise.allSettled(
          ['Sam Lee', 'Samuel Lee', 'S. Lee'].map((name, i) =>
            context.contacts.create({ name, phone, email: `lee${round}-${i}@example.com` }),
          ),
        );
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        for (const refused of results.filter((r) => r.status === 'rejected'))
          expect(String(refused.reason?.message)).toMatch(/already has this phone number/);
        expect(await call('find_contact_by_phone', { phone })).toMatchObject({
          found: true,
          otherMatches: 0,
        });
      }
    });

    it('searches by partial, case-insensitive name or email', async () => {
      await call('create_contact', { name: 'John Smith', email: 'john@smith.example' });
      expect(
        (await call('find_contacts', { query: 'DOE' })).contacts.map((c: { name: string }) => c.name),
      ).toEqual(['Jane Doe']);
      expect((await call('find_contacts', { email: 'SMITH.EX' })).contacts).toHaveLength(1);
      expect((await call('find_contacts', { name: 'j' })).contacts).toHaveLength(2);
      expect((await call('find_contacts', { query: '%' })).contacts).toHaveLength(0);
    });

    it('updates fields and clears the email with null', async () => {
      const { contact } = await call('update_contact', {
        contactId: janeId,
        email: null,
        company: 'Doe Holdings',
      });
      expect(contact).toMatchObject({
        email: null,
        phone: '+14155550123',
        company: { name: 'Doe Holdings' },
      });
    });

    it('adds notes and lists the interaction history newest first', async () => {
      await call('add_note', { contactId: janeId, body: 'Prefers morning visits.' });
      const { interactions } = await call('list_interactions', { contactId: janeId });
      expect(interactions[0]).toMatchObject({ kind: 'note', summary: 'Note: Prefers morning visits.' });
      expect(interactions.map((i: { kind: string }) => i.kind)).toEqual(['note', 'contact', 'contact']);
    });

    it('answers an unknown contact id with a recoverable error', async () => {
      const message = await callError('add_note', {
        contactId: '00000000-0000-4000-8000-000000000000',
        body: 'x',
      });
      expect(message).toMatch(/No contact with id .* find_contact_by_phone/);
    });

    it('reports schema violations as isError results', async () => {
      expect(await callError('create_contact', { name: '' })).toMatch(/Invalid arguments|too_small|name/i);
    });

    describe('tickets', () => {
      it('opens and moves a ticket through statuses, recording history', async () => {
        const { ticket } = await call('create_ticket', {
          contactId: janeId,
          subject: 'Leaking tap',
          priority: 'high',
        });
        expect(ticket).toMatchObject({ status: 'open', priority: 'high', contactId: janeId });
        const updated = await call('update_ticket', {
          ticketId: ticket.id,
          status: 'resolved',
          comment: 'Washer replaced',
        });
        expect(updated.ticket.status).toBe('resolved');
        const { interactions } = await call('list_interactions', { contactId: janeId, limit: 2 });
        expect(interactions[0].summary).toBe(
          'Ticket "Leaking tap" updated: status open → resolved; comment: Washer replaced',
        );
        expect(await callError('update_ticket', { ticketId: janeId, status: 'closed' })).toMatch(/No ticket/);
      });
    });

    describe('appointments', () => {
      let slotIds: string[];

      it('lists only free, upcoming slots in the range', async () => {
        const { created } = await call('create_appointment_slots', {
          slots: [
            { resource: 'Alex', startsAt: '2030-01-05T09:00:00Z', endsAt: '2030-01-05T10:00:00Z' },
            { resource: 'Alex', startsAt: `${DAY}T09:00:00Z`, endsAt: `${DAY}T10:00:00Z` },
            { resource: 'Alex', startsAt: `${DAY}T10:00:00-01:00`, endsAt: `${DAY}T12:00:00Z` },
            { resource: 'Sam', startsAt: '2030-01-09T09:00:00Z', endsAt: '2030-01-09T10:00:00Z' },
          ],
        });
        slotIds = created.map((s: { id: string }) => s.id);
        const again = await call('create_appointment_slots', {
          slots: [{ resource: 'Alex', startsAt: `${DAY}T09:00:00Z`, endsAt: `${DAY}T10:00:00Z` }],
        });
        expect(again).toMatchObject({ created: [], skipped: 1 });

        const { slots } = await call('list_appointment_slots', { from: '2030-01-01', to: DAY });
        expect(slots.map((s: { startsAt: string }) => s.startsAt)).toEqual([
          '2030-01-07T09:00:00.000Z',
          '2030-01-07T11:00:00.000Z',
        ]);
        const sam = await call('list_appointment_slots', { from: DAY, to: '2030-01-10', resource: 'sam' });
        expect(sam.slots).toHaveLength(1);
      });

      it('books a slot, refuses a double booking and frees the slot on cancel', async () => {
        const slotId = slotIds[1]!;
        const { appointment } = await call('book_appointment', {
          slotId,
          contactId: janeId,
          notes: 'Boiler service',
        });
        expect(appointment).toMatchObject({ status: 'booked', slot: { id: slotId } });

        const retry = await call('book_appointment', { slotId, contactId: janeId });
        expect(retry.appointment.id).toBe(appointment.id);

        const other = (await call('find_contacts', { query: 'john' })).contacts[0].id;
        expect(await callError('book_appointment', { slotId, contactId: other })).toMatch(
          /just been booked.*list_appointment_slots/,
        );
        const free = await call('list_appointment_slots', { from: DAY, to: DAY });
        expect(free.slots.map((s: { id: string }) => s.id)).not.toContain(slotId);

        const cancelled = await call('cancel_appointment', { appointmentId: appointment.id, reason: 'Away' });
        expect(cancelled.appointment).toMatchObject({ status: 'cancelled' });
        expect(cancelled.appointment.cancelledAt).not.toBeNull();
        const twice = await call('cancel_appointment', { appointmentId: appointment.id });
        expect(twice.appointment.cancelledAt).toBe(cancelled.appointment.cancelledAt);

        const rebooked = await call('book_appointment', { slotId, contactId: other });
        expect(rebooked.appointment.contactId).toBe(other);
      });

      it('refuses one of two simultaneous bookings of the same slot', async () => {
        const slotId = slotIds[2]!;
        const contactIds = (await call('find_contacts', { name: 'j' })).contacts.map(
          (c: { id: string }) => c.id,
        );
        const results = await Promise.all(
          contactIds.map((contactId: string) =>
            client.callTool({ name: 'book_appointment', arguments: { slotId, contactId } }),
          ),
        );
        expect(results.filter((r) => !r.isError)).toHaveLength(1);
        const refused = results.filter((r) => r.isError);
        expect(refused).toHaveLength(1);
        // The loser learns the slot is taken (the partial unique index's violation, mapped), not
        // that something unexpected failed.
        expect((refused[0]!.content as Array<{ text: string }>)[0]!.text).toMatch(/just been booked/);
      });

      it('refuses past slots and bad ranges', async () => {
        expect(await callError('book_appointment', { slotId: slotIds[0]!, contactId: janeId })).toMatch(
          /in the past/,
        );
        expect(await callError('list_appointment_slots', { from: DAY, to: '2030-01-01' })).toMatch(/after/);
      });
    });
  });

  describe('tool annotations', () => {
    it('marks only cancel_appointment as destructive and lookups as read-only', async () => {
      const { tools } = await client.listTools();
      const byName = new Map(tools.map((t) => [t.name, t]));
      expect([...byName.keys()]).toEqual(
        expect.arrayContaining([
          'find_contact_by_phone',
          'find_contacts',
          'create_contact',
          'update_contact',
          'add_note',
          'list_interactions',
          'create_ticket',
          'update_ticket',
          'list_appointment_slots',
          'book_appointment',
          'cancel_appointment',
        ]),
      );
      const destructive = tools.filter((t) => t.annotations?.destructiveHint).map((t) => t.name);
      expect(destructive).toEqual(['cancel_appointment']);
      expect(byName.get('find_contacts')?.annotations).toMatchObject({
        readOnlyHint: true,
        openWorldHint: false,
      });
      for (const tool of tools) expect(tool.outputSchema, tool.name).toBeDefined();
    });
  });
});
