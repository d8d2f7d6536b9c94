import { McpServer } from '@modelcontextprotocol/server';
import { type Db, registerTools, type UnexpectedErrorReporter } from '@vrm/plugin-kit';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { AnalyticsQueries } from './queries.js';
import { analyticsTools } from './tools.js';

export const ANALYTICS_SERVER_INFO = { name: 'vrm-analytics', version: '0.1.0' } as const;

export interface AnalyticsServerOptions {
  /**
   * A drizzle database holding VRM's `calls` and `call_events` tables (PGlite or PostgreSQL), with
   * any schema generic: the runtime's own handle fits. Only raw SQL and transactions are used.
   */
  // biome-ignore lint/suspicious/noExplicitAny: accepts handles typed with any drizzle schema.
  db: PgDatabase<PgQueryResultHKT, any>;
  /** The only organization whose calls the tools see. */
  organizationId: string;
  /** Failures that are not the caller's fault; default writes to stderr. */
  onUnexpected?: UnexpectedErrorReporter;
}

/** One query object per database, so per-request servers share its one-time role check. */
const queriesByDb = new WeakMap<Db, AnalyticsQueries>();

const defaultReporter: UnexpectedErrorReporter = (tool, error) => {
  process.stderr.write(
    `vrm-analytics: ${tool} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
};

/**
 * Builds the analytics MCP server for one organization. The VRM runtime can mount it in-process
 * (e.g. over `InMemoryTransport`) with its own database handle; the bin serves it over stdio/HTTP.
 */
export function createAnalyticsServer(options: AnalyticsServerOptions): McpServer {
  const server = new McpServer(ANALYTICS_SERVER_INFO, {
    capabilities: { tools: {} },
    instructions:
      "Read-only figures about this organization's voice calls. Dates are UTC; give a from/to range.",
  });
  const db = options.db as unknown as Db;
  let queries = queriesByDb.get(db);
  if (!queries) {
    queries = new AnalyticsQueries(db);
    queriesByDb.set(db, queries);
  }
  const context = { queries, organizationId: options.organizationId };
  registerTools(server, analyticsTools(context), options.onUnexpected ?? defaultReporter);
  return server;
}
