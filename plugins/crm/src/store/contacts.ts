import type { Db } from '@vrm/plugin-kit';
import { ToolError } from '@vrm/plugin-kit';
import { and, desc, eq, ilike, ne, or, type SQL, sql } from 'drizzle-orm';
import { companies, contacts, interactions, notes } from '../schema.js';
import type { Company, Contact, Interaction, Note } from '../wire.js';

/** Escapes LIKE wildcards so a caller's "50%" or "a_b" matches literally. */
function likePattern(value: string): string {
  return `%${value.replace(/[\\%_]/g, '\\$&')}%`;
}

const iso = (d: Date) => d.toISOString();

/** First key of the CRM's two-key advisory locks on contact identities (see `assertUnique`). */
const IDENTITY_LOCK_SPACE = 48_151_011;

const contactColumns = {
  id: contacts.id,
  name: contacts.name,
  email: contacts.email,
  phone: contacts.phone,
  createdAt: contacts.createdAt,
  updatedAt: contacts.updatedAt,
  companyId: companies.id,
  companyName: companies.name,
};

type ContactRow = {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  createdAt: Date;
  updatedAt: Date;
  companyId: string | null;
  companyName: string | null;
};

function toContact(row: ContactRow): Contact {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    company: row.companyId && row.companyName ? { id: row.companyId, name: row.companyName } : null,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export interface ContactFields {
  name?: string | undefined;
  /** Lower-cased before storing; null clears it. */
  email?: string | null | undefined;
  /** Already E.164; null clears it. */
  phone?: string | null | undefined;
  /** Linked to the company of that name (case-insensitive), created when new; null unlinks. */
  companyName?: string | null | undefined;
}

/** Contacts, companies, notes and the interaction history. */
export class ContactStore {
  constructor(private readonly db: Db) {}

  private selectContacts(db: Db = this.db) {
    return db.select(contactColumns).from(contacts).leftJoin(companies, eq(contacts.companyId, companies.id));
  }

  async get(id: string, db: Db = this.db): Promise<Contact | undefined> {
    const [row] = await this.selectContacts(db).where(eq(contacts.id, id));
    return row ? toContact(row) : undefined;
  }

  /** Like {@link get} but a missing contact is a {@link ToolError} telling the model how to recover. */
  async require(id: string, db: Db = this.db): Promise<Contact> {
    const contact = await this.get(id, db);
    if (!contact) {
      throw new ToolError(
        `No contact with id ${id} exists. Look the caller up with find_contact_by_phone or find_contacts and use the id returned.`,
        'contact_not_found',
      );
    }
    return contact;
  }

  /** Contacts with this E.164 number, most recently updated first. */
  async findByPhone(phone: string): Promise<Contact[]> {
    const rows = await this.selectContacts()
      .where(eq(contacts.phone, phone))
      .orderBy(desc(contacts.updatedAt));
    return rows.map(toContact);
  }

  async findCompanyByPhone(phone: string): Promise<Company | undefined> {
    const [row] = await this.db
      .select({ id: companies.id, name: companies.name, phone: companies.phone })
      .from(companies)
      .where(eq(companies.phone, phone))
      .limit(1);
    return row;
  }

  /** Case-insensitive partial match on name and/or email; `query` matches either. */
  async search(
    filter: { query?: string | undefined; name?: string | undefined; email?: string | undefined },
    limit: number,
  ) {
    const conditions: SQL[] = [];
    if (filter.query) {
      const pattern = likePattern(filter.query);
      conditions.push(or(ilike(contacts.name, pattern), ilike(contacts.email, pattern)) as SQL);
    }
    if (filter.name) conditions.push(ilike(contacts.name, likePattern(filter.name)));
    if (filter.email) conditions.push(ilike(contacts.email, likePattern(filter.email)));
    const rows = await this.selectContacts()
      .where(and(...conditions))
      .orderBy(contacts.name, contacts.id)
      .limit(limit);
    return rows.map(toContact);
  }

  /**
   * Refuses a second contact with the same phone or email: the model should update the first.
   * Called inside the writing transaction. On PostgreSQL two transactions could both find no clash
   * and both insert, so each identity is first locked until commit (in a fixed order, so two
   * writers never wait on each other); the second writer then sees the first one's row.
   */
  private async assertUnique(db: Db, fields: ContactFields, exceptId?: string): Promise<void> {
    const checks: Array<[string, SQL]> = [];
    const identities: string[] = [];
    if (fields.phone) {
      checks.push(['phone number', eq(contacts.phone, fields.phone)]);
      identities.push(`phone:${fields.phone}`);
    }
    if (fields.email) {
      checks.push(['email address', eq(contacts.email, fields.email.toLowerCase())]);
      identities.push(`email:${fields.email.toLowerCase()}`);
    }
    for (const identity of identities.sort()) {
      await db.execute(sql`select pg_advisory_xact_lock(${IDENTITY_LOCK_SPACE}::int, hashtext(${identity}))`);
    }
    for (const [label, condition] of checks) {
      const where = exceptId ? and(condition, ne(contacts.id, exceptId)) : condition;
      const [clash] = await db
        .select({ id: contacts.id, name: contacts.name })
        .from(contacts)
        .where(where)
        .limit(1);
      if (clash) {
        throw new ToolError(
          `Contact ${clash.name} (id ${clash.id}) already has this ${label}. Use update_contact on that contact instead of creating a duplicate.`,
          'duplicate_contact',
        );
      }
    }
  }

  private async companyId(db: Db, name: string | null | undefined): Promise<string | null | undefined> {
    if (name === undefined || name === null) return name;
    await db.insert(companies).values({ name: name.trim() }).onConflictDoNothing();
    const [row] = await db
      .select({ id: companies.id })
      .from(companies)
      .where(sql`lower(${companies.name}) = lower(${name.trim()})`);
    return row?.id ?? null;
  }

  async create(fields: ContactFields & { name: string }): Promise<Contact> {
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      await this.assertUnique(db, fields);
      const companyId = await this.companyId(db, fields.companyName);
      const [row] = await db
        .insert(contacts)
        .values({
          name: fields.name.trim(),
          email: fields.email?.toLowerCase() ?? null,
          phone: fields.phone ?? null,
          companyId: companyId ?? null,
        })
        .returning({ id: contacts.id });
      const id = row!.id;
      await this.record(db, id, 'contact', `Contact created: ${fields.name.trim()}`, id);
      return (await this.get(id, db))!;
    });
  }

  async update(id: string, fields: ContactFields): Promise<Contact> {
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      await this.require(id, db);
      await this.assertUnique(db, fields, id);
      const companyId = await this.companyId(db, fields.companyName);
      await db
        .update(contacts)
        .set({
          ...(fields.name !== undefined && { name: fields.name.trim() }),
          ...(fields.email !== undefined && { email: fields.email?.toLowerCase() ?? null }),
          ...(fields.phone !== undefined && { phone: fields.phone }),
          ...(companyId !== undefined && { companyId }),
          updatedAt: new Date(),
        })
        .where(eq(contacts.id, id));
      const changed = Object.keys(fields).filter((k) => fields[k as keyof ContactFields] !== undefined);
      await this.record(db, id, 'contact', `Contact updated: ${changed.join(', ')}`, id);
      return (await this.get(id, db))!;
    });
  }

  async addNote(contactId: string, body: string): Promise<Note> {
    return this.db.transaction(async (tx) => {
      const db = tx as unknown as Db;
      await this.require(contactId, db);
      const [row] = await db.insert(notes).values({ contactId, body }).returning();
      const note = row!;
      const excerpt = body.length > 120 ? `${body.slice(0, 117)}...` : body;
      await this.record(db, contactId, 'note', `Note: ${excerpt}`, note.id);
      return { id: note.id, contactId, body: note.body, createdAt: iso(note.createdAt) };
    });
  }

  /** Newest first. */
  async listInteractions(contactId: string, limit: number): Promise<Interaction[]> {
    await this.require(contactId);
    const rows = await this.db
      .select()
      .from(interactions)
      .where(eq(interactions.contactId, contactId))
      .orderBy(desc(interactions.occurredAt), desc(interactions.id))
      .limit(limit);
    return rows.map((r) => ({
      id: r.id,
      kind: r.kind as Interaction['kind'],
      summary: r.summary,
      refId: r.refId,
      occurredAt: iso(r.occurredAt),
    }));
  }

  /** Appends to a contact's history; called inside the transaction of the change it describes. */
  async record(db: Db, contactId: string, kind: Interaction['kind'], summary: string, refId: string | null) {
    await db.insert(interactions).values({ contactId, kind, summary, refId });
  }
}
