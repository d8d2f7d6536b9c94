import { McpServer } from '@modelcontextprotocol/server';
import { type Db, registerTools, type UnexpectedErrorReporter } from '@vrm/plugin-kit';
import type { CountryCode } from 'libphonenumber-js';
import { AppointmentStore } from './store/appointments.js';
import { ContactStore } from './store/contacts.js';
import { TicketStore } from './store/tickets.js';
import { contactTools } from './tools/contact-tools.js';
import type { CrmContext } from './tools/context.js';
import { serviceTools } from './tools/service-tools.js';

export const CRM_SERVER_INFO = { name: 'vrm-crm', version: '0.1.0' } as const;

export interface CrmServerOptions {
  /** A migrated database (see `openCrmDatabase`). */
  db: Db;
  /** Region for national-format phone numbers; default `US`. */
  defaultRegion?: CountryCode;
  /** Clock for "upcoming" slots; tests pin it. */
  now?: () => Date;
}

/** The stores and settings behind the tools; build once, share across server instances. */
export function createCrmContext(options: CrmServerOptions): CrmContext {
  const contacts = new ContactStore(options.db);
  return {
    contacts,
    tickets: new TicketStore(options.db, contacts),
    appointments: new AppointmentStore(options.db, contacts, options.now),
    defaultRegion: options.defaultRegion ?? 'US',
  };
}

const defaultReporter: UnexpectedErrorReporter = (tool, error) => {
  process.stderr.write(
    `vrm-crm: ${tool} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
};

/**
 * Builds the CRM MCP server over a context. Cheap: the HTTP transport builds one per request.
 */
export function createCrmServer(
  context: CrmContext,
  onUnexpected: UnexpectedErrorReporter = defaultReporter,
): McpServer {
  const server = new McpServer(CRM_SERVER_INFO, {
    capabilities: { tools: {} },
    instructions:
      "CRM for the business the agent answers for. Start with find_contact_by_phone using the caller's number; ids returned by one tool are the inputs of the others.",
  });
  registerTools(server, [...contactTools(context), ...serviceTools(context)], onUnexpected);
  return server;
}
