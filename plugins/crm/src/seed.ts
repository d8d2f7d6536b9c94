import { ToolError } from '@vrm/plugin-kit';
import type { AppointmentStore } from './store/appointments.js';
import type { ContactStore } from './store/contacts.js';

/** Demo data, written only when `CRM_SEED_DEMO=1` asks for it. Running it twice adds nothing. */
export const DEMO_CONTACTS = [
  { name: 'Jane Doe', phone: '+14155550123', email: 'jane.doe@example.com', companyName: 'Acme Plumbing' },
  { name: 'John Smith', phone: '+14155550188', email: 'john.smith@example.com', companyName: 'Smith & Sons' },
  { name: 'Maria Garcia', phone: '+442079460958', email: 'maria@example.co.uk', companyName: null },
] as const;

const DEMO_HOURS_UTC = [9, 10, 11, 14, 15];

/** Seeds three contacts and a week of weekday slots for one technician, starting tomorrow. */
export async function seedDemo(
  stores: { contacts: ContactStore; appointments: AppointmentStore },
  now = new Date(),
) {
  let contactsCreated = 0;
  for (const contact of DEMO_CONTACTS) {
    try {
      await stores.contacts.create({ ...contact });
      contactsCreated++;
    } catch (error) {
      // Already seeded: the duplicate check refuses the second copy.
      if (!(error instanceof ToolError)) throw error;
    }
  }
  const slots: Array<{ resource: string; startsAt: Date; endsAt: Date }> = [];
  for (let day = 1; day <= 7; day++) {
    const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + day));
    if (date.getUTCDay() === 0 || date.getUTCDay() === 6) continue;
    for (const hour of DEMO_HOURS_UTC) {
      const startsAt = new Date(date.getTime() + hour * 3_600_000);
      slots.push({
        resource: 'Alex (technician)',
        startsAt,
        endsAt: new Date(startsAt.getTime() + 3_600_000),
      });
    }
  }
  const { created } = await stores.appointments.createSlots(slots);
  return { contactsCreated, slotsCreated: created.length };
}
