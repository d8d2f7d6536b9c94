import type { Role } from '../db/schema.js';

export type { Role };

const RANK: Record<Role, number> = { viewer: 1, builder: 2, admin: 3, owner: 4 };

/**
 * The RBAC table: each permission names the least role that holds it. Every route declares the
 * one permission it needs (see ../http/route.ts); docs/api.md prints this table.
 */
export const PERMISSIONS = {
  'organization:read': 'viewer',
  'organization:write': 'admin',
  'members:read': 'viewer',
  'members:write': 'admin',
  'api_keys:read': 'admin',
  'api_keys:write': 'admin',
  'audit:read': 'admin',
  'secrets:read': 'admin',
  'secrets:write': 'admin',
  'agents:read': 'viewer',
  'agents:write': 'builder',
  'agents:publish': 'admin',
  'agents:delete': 'admin',
  'mcp:read': 'viewer',
  'mcp:write': 'admin',
  'mcp:approve': 'admin',
  'mcp:call': 'builder',
  'calls:read': 'viewer',
  'calls:write': 'builder',
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return RANK[role] >= RANK[PERMISSIONS[permission]];
}

/** Whether `actor` may hand out (or take away) `target`: nobody grants above their own role. */
export function canAssignRole(actor: Role, target: Role): boolean {
  return RANK[actor] >= RANK[target];
}
