// The API's own RBAC table: one source of truth, so a disabled control never disagrees with the
// server. The module is plain TypeScript with a type-only import, so Vite bundles it as is.
import {
  canAssignRole,
  PERMISSIONS,
  type Permission,
  can as roleCan,
} from '../../../runtime/src/auth/rbac.js';
import type { Role } from '../api/types.js';

export type { Permission };

/** Roles from least to most powerful. */
export const ROLES: readonly Role[] = ['viewer', 'builder', 'admin', 'owner'];

/** True when `role` holds `permission`. */
export function can(role: Role | undefined, permission: Permission): boolean {
  return role !== undefined && roleCan(role, permission);
}

/** Why a control is disabled, or undefined when the role may use it. */
export function denied(role: Role | undefined, permission: Permission, action: string): string | undefined {
  if (can(role, permission)) return undefined;
  const least = PERMISSIONS[permission];
  return `${action} needs the ${least} role or higher; you are ${role === 'admin' || role === 'owner' ? 'an' : 'a'} ${role ?? 'guest'}.`;
}

/** Roles a member with `role` may grant: nobody grants a role above their own. */
export function grantable(role: Role | undefined): Role[] {
  return role === undefined ? [] : ROLES.filter((r) => canAssignRole(role, r));
}
