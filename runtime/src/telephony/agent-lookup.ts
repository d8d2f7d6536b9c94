import { and, eq } from 'drizzle-orm';
import { agentRef } from '../db/agents.js';
import { agents, organizations } from '../db/schema.js';
import { VrmError } from '../errors.js';
import type { Services } from '../kernel/container.js';

/**
 * Finds the agent a phone number is routed to. Carriers call before any tenant is known, so this
 * is one of the few cross-tenant lookups: by id (unique everywhere), or by name within the
 * organization `org` (a slug). A bare name is accepted only while it is unambiguous.
 */
export async function resolveAgentForTelephony(
  services: Services,
  agent: string | undefined,
  org: string | undefined,
) {
  if (!agent)
    throw new VrmError('validation_failed', 'The webhook URL needs ?agent=<agent id or name>', {
      status: 400,
    });
  const rows = await services.db.system((tx) =>
    tx
      .select({ id: agents.id, organizationId: agents.organizationId, name: agents.name })
      .from(agents)
      .innerJoin(organizations, eq(organizations.id, agents.organizationId))
      .where(and(agentRef(agent), org ? eq(organizations.slug, org) : undefined))
      .limit(2),
  );
  if (rows.length === 0) throw new VrmError('not_found', `Agent ${agent} not found`, { status: 404 });
  if (rows.length > 1) {
    throw new VrmError(
      'ambiguous_agent',
      `Several organizations have an agent named ${agent}: add &org=<organization slug> or use the agent id`,
      {
        status: 409,
      },
    );
  }
  return rows[0]!;
}
