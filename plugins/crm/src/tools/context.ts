import type { CountryCode } from 'libphonenumber-js';
import type { AppointmentStore } from '../store/appointments.js';
import type { ContactStore } from '../store/contacts.js';
import type { TicketStore } from '../store/tickets.js';

/** What the CRM's tools work with: the stores over one database and the phone-number region. */
export interface CrmContext {
  contacts: ContactStore;
  tickets: TicketStore;
  appointments: AppointmentStore;
  /** Region used to read national-format numbers, e.g. `US`. */
  defaultRegion: CountryCode;
}
