import type { Role } from '../auth/rbac.js';
import type { Logger } from '../kernel/logger.js';

/** Who is calling: a signed-in user (access token) or an API key, always within one organization. */
export interface Principal {
  kind: 'user' | 'api_key';
  organizationId: string;
  role: Role;
  userId: string | null;
  apiKeyId: string | null;
}

declare module 'hono' {
  interface ContextVariableMap {
    requestId: string;
    log: Logger;
    principal: Principal;
  }
}

export type AppEnv = {
  Variables: {
    requestId: string;
    log: Logger;
    principal: Principal;
  };
};
