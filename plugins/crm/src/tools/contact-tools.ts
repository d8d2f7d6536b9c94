import { defineTool, READ_ONLY, ToolError } from '@vrm/plugin-kit';
import { z } from 'zod/v4';
import { toE164 } from '../phone.js';
import { Company, Contact, Interaction, Note } from '../wire.js';
import type { CrmContext } from './context.js';

const ContactId = z
  .uuid()
  .describe('The contact id returned by find_contact_by_phone, find_contacts or create_contact');

function describeContact(c: Contact): string {
  const who = c.company ? `${c.name} at ${c.company.name}` : c.name;
  const reach = [c.phone, c.email].filter(Boolean).join(', ');
  return `${who}${reach ? `, ${reach}` : ''} (id ${c.id})`;
}

/** Normalizes or refuses a phone number, with a message the model can relay to the caller. */
function requirePhone(ctx: CrmContext, input: string): string {
  const phone = toE164(input, ctx.defaultRegion);
  if (!phone) {
    throw new ToolError(
      `"${input}" is not a valid phone number (read with default region ${ctx.defaultRegion}). Ask the caller for the full number including the area code, or the + and country code for international numbers.`,
      'invalid_phone',
    );
  }
  return phone;
}

export function contactTools(ctx: CrmContext) {
  return [
    defineTool({
      name: 'find_contact_by_phone',
      title: 'Find contact by phone',
      description:
        "Looks up the contact with this phone number (any common format; normalized to E.164). Use it first with the caller's number.",
      input: z.object({
        phone: z.string().min(3).max(40).describe('Phone number, e.g. "+1 415 555 0123" or "(415) 555-0123"'),
      }),
      output: z.object({
        phone: z.string().describe('The number in E.164'),
        found: z.boolean(),
        contact: Contact.nullable().describe('The most recently updated contact with this number'),
        otherMatches: z.number().int().describe('How many more contacts share this number'),
        company: Company.nullable().describe('A company whose main number this is, if any'),
      }),
      annotations: READ_ONLY,
      async handler({ phone: raw }) {
        const phone = requirePhone(ctx, raw);
        const [first, ...rest] = await ctx.contacts.findByPhone(phone);
        const company = (await ctx.contacts.findCompanyByPhone(phone)) ?? null;
        const data = {
          phone,
          found: first !== undefined,
          contact: first ?? null,
          otherMatches: rest.length,
          company,
        };
        const text = first
          ? `Found ${describeContact(first)}${rest.length ? ` and ${rest.length} more with this number` : ''}.`
          : company
            ? `No contact has ${phone}; it is the number of company ${company.name}.`
            : `No contact has ${phone}. Ask for the caller's name, then create_contact if they are new.`;
        return { data, text };
      },
    }),
    defineTool({
      name: 'find_contacts',
      title: 'Find contacts',
      description:
        'Searches contacts by name or email (case-insensitive, partial). Give `query` to match either, or `name` / `email`.',
      input: z
        .object({
          query: z.string().min(1).max(200).optional().describe('Matches part of the name or the email'),
          name: z.string().min(1).max(200).optional(),
          email: z.string().min(1).max(320).optional(),
          limit: z.number().int().min(1).max(50).default(10),
        })
        .refine((v) => v.query || v.name || v.email, {
          message: 'Give at least one of query, name or email.',
        }),
      output: z.object({ contacts: z.array(Contact), truncated: z.boolean() }),
      annotations: READ_ONLY,
      async handler({ limit, ...filter }) {
        const rows = await ctx.contacts.search(filter, limit + 1);
        const contacts = rows.slice(0, limit);
        const text =
          contacts.length === 0
            ? 'No contact matches. Check the spelling with the caller, or create_contact.'
            : `${contacts.length}${rows.length > limit ? '+' : ''} match${contacts.length === 1 ? '' : 'es'}: ${contacts.map(describeContact).join('; ')}.`;
        return { data: { contacts, truncated: rows.length > limit }, text };
      },
    }),
    defineTool({
      name: 'create_contact',
      title: 'Create contact',
      description:
        'Creates a contact. Refused when another contact has the same phone or email (update that one instead).',
      input: z.object({
        name: z.string().trim().min(1).max(200),
        phone: z.string().min(3).max(40).optional().describe('Any common format; stored as E.164'),
        email: z.email().max(320).optional(),
        company: z.string().trim().min(1).max(200).optional().describe('Company name; created when new'),
      }),
      output: z.object({ contact: Contact }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      async handler(input) {
        const contact = await ctx.contacts.create({
          name: input.name,
          phone: input.phone === undefined ? undefined : requirePhone(ctx, input.phone),
          email: input.email,
          companyName: input.company,
        });
        return { data: { contact }, text: `Created ${describeContact(contact)}.` };
      },
    }),
    defineTool({
      name: 'update_contact',
      title: 'Update contact',
      description:
        "Changes a contact's name, phone, email or company. Pass null to clear phone, email or company.",
      input: z
        .object({
          contactId: ContactId,
          name: z.string().trim().min(1).max(200).optional(),
          phone: z.string().min(3).max(40).nullable().optional(),
          email: z.email().max(320).nullable().optional(),
          company: z.string().trim().min(1).max(200).nullable().optional(),
        })
        .refine((v) => [v.name, v.phone, v.email, v.company].some((f) => f !== undefined), {
          message: 'Give at least one field to change: name, phone, email or company.',
        }),
      output: z.object({ contact: Contact }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: false,
      },
      async handler(input) {
        const contact = await ctx.contacts.update(input.contactId, {
          name: input.name,
          phone:
            input.phone === undefined || input.phone === null ? input.phone : requirePhone(ctx, input.phone),
          email: input.email,
          companyName: input.company,
        });
        return { data: { contact }, text: `Updated ${describeContact(contact)}.` };
      },
    }),
    defineTool({
      name: 'add_note',
      title: 'Add note',
      description: "Adds a free-text note to a contact's record (and its interaction history).",
      input: z.object({ contactId: ContactId, body: z.string().trim().min(1).max(5000) }),
      output: z.object({ note: Note }),
      annotations: {
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: false,
      },
      async handler(input) {
        const note = await ctx.contacts.addNote(input.contactId, input.body);
        return { data: { note }, text: `Note added (id ${note.id}).` };
      },
    }),
    defineTool({
      name: 'list_interactions',
      title: 'List interactions',
      description:
        "A contact's history, newest first: record changes, notes, tickets and appointments. Use it to see why someone is calling back.",
      input: z.object({ contactId: ContactId, limit: z.number().int().min(1).max(100).default(20) }),
      output: z.object({ contactId: z.uuid(), interactions: z.array(Interaction) }),
      annotations: READ_ONLY,
      async handler({ contactId, limit }) {
        const interactions = await ctx.contacts.listInteractions(contactId, limit);
        const text =
          interactions.length === 0
            ? 'No history for this contact yet.'
            : interactions
                .map((i) => `${i.occurredAt.slice(0, 16).replace('T', ' ')} ${i.summary}`)
                .join('\n');
        return { data: { contactId, interactions }, text };
      },
    }),
  ];
}
