import type { Role } from '../api/types.js';

/** Mirrors the API's RBAC table (docs/api.md) so the studio can explain a disabled control. */
const LEAST_ROLE = {
  'organization:read': 'viewer',
  'members:read': 'viewer',
  'agents:read': 'viewer',
  'mcp:read': 'viewer',
  'calls:read': 'viewer',
  'agents:write': 'builder',
  'mcp:call': 'builder',
  'calls:write': 'builder',
  'organization:write': 'admin',
  'members:write': 'admin',
  'api_keys:read': 'admin',
  'api_keys:write': 'admin',
  'audit:read': 'admin',
  'secrets:read': 'admin',
  'secrets:write': 'admin',
  'agents:publish': 'admin',
  'agents:delete': 'admin',
  'mcp:write': 'admin',
  'mcp:approve': 'admin',
} as const satisfies Record<string, Role>;

export type Permission = keyof typeof LEAST_ROLE;

export const ROLES: readonly Role[] = ['viewer', 'builder', 'admin', 'owner'];

const rank = (role: Role) => ROLES.indexOf(role);

/** True when `role` holds `permission`. */
export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && rank(role) >= rank(LEAST_ROLE[permission]);
}

/** Why a control is disabled, or undefined when the role may use it. */
export function denied(role: Role | undefined, permission: Permission, action: string): string | undefined {
  if (can(role, permission)) return undefined;
  const least = LEAST_ROLE[permission];
  return `${action} needs the ${least} role or higher; you are ${role === 'admin' || role === 'owner' ? 'an' : 'a'} ${role ?? 'guest'}.`;
}

/** Roles a member with `role` may grant: nobody grants a role above their own. */
export function grantable(role: Role | undefined): Role[] {
  return role === undefined ? [] : ROLES.filter((r) => rank(r) <= rank(role));
}
