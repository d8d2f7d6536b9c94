import type { Tx } from '../db/client.js';
import { auditLog } from '../db/schema.js';

/** Security-relevant actions, named `<area>.<verb>`; docs/api.md lists them. */
export type AuditAction =
  | 'auth.signup'
  | 'auth.login'
  | 'auth.login_failed'
  | 'auth.locked'
  | 'auth.mfa_enabled'
  | 'auth.mfa_disabled'
  | 'auth.refresh_reuse'
  | 'organization.updated'
  | 'member.added'
  | 'member.role_changed'
  | 'member.removed'
  | 'api_key.created'
  | 'api_key.revoked'
  | 'secret.set'
  | 'secret.deleted'
  | 'agent.created'
  | 'agent.version_created'
  | 'agent.published'
  | 'agent.rolled_back'
  | 'agent.deleted'
  | 'mcp_server.created'
  | 'mcp_server.updated'
  | 'mcp_server.deleted'
  | 'mcp_tool.approved'
  | 'mcp_tool.changed'
  | 'mcp_tool.enabled'
  | 'mcp_tool.disabled';

export interface AuditEntry {
  organizationId: string;
  action: AuditAction;
  actorUserId?: string | null;
  actorApiKeyId?: string | null;
  targetType?: string;
  targetId?: string;
  ip?: string | null;
  requestId?: string | null;
  data?: Record<string, unknown>;
}

/** Writes one entry in the caller's transaction, so the action and its record commit together. */
export async function audit(tx: Tx, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    organizationId: entry.organizationId,
    action: entry.action,
    actorUserId: entry.actorUserId ?? null,
    actorApiKeyId: entry.actorApiKeyId ?? null,
    targetType: entry.targetType ?? null,
    targetId: entry.targetId ?? null,
    ip: entry.ip ?? null,
    requestId: entry.requestId ?? null,
    data: entry.data ?? {},
  });
}
