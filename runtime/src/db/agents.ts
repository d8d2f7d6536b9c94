import { and, eq, isNull, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { notFound } from '../errors.js';
import type { Tx } from './client.js';
import { agents, agentVersions } from './schema.js';

export const isUuid = (value: string) => z.uuid().safeParse(value).success;

/** Matches a live (not deleted) agent by id or, when `ref` is not a uuid, by name. */
export function agentRef(ref: string): SQL {
  return and(isUuid(ref) ? eq(agents.id, ref) : eq(agents.name, ref), isNull(agents.deletedAt))!;
}

/** The agent `ref` (id or name) in the transaction's organization; 404 when there is none. */
export async function findAgent(tx: Tx, ref: string, options: { forUpdate?: boolean } = {}) {
  const query = tx.select().from(agents).where(agentRef(ref));
  const [agent] = options.forUpdate ? await query.for('update') : await query;
  if (!agent) throw notFound(`Agent ${ref}`);
  return agent;
}

export async function findAgentVersion(tx: Tx, agentId: string, version: number) {
  const [row] = await tx
    .select()
    .from(agentVersions)
    .where(and(eq(agentVersions.agentId, agentId), eq(agentVersions.version, version)));
  if (!row) throw notFound(`Version ${version}`);
  return row;
}
