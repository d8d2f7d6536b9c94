import { callsApi, mcpApi } from './calls-endpoints.js';
import { agentsApi, authApi, organizationApi } from './endpoints.js';
import { createHttp, type HttpOptions } from './http.js';

export { ApiError } from './http.js';
export type * from './types.js';

/** The typed VRM API client the studio uses; one per signed-in tab. */
export function createApi(options: HttpOptions) {
  const http = createHttp(options);
  return {
    http,
    /** The session's tokens, for the WebSockets that authenticate with their first message. */
    tokens: options.tokens,
    auth: authApi(http),
    organization: organizationApi(http),
    agents: agentsApi(http),
    mcp: mcpApi(http),
    calls: callsApi(http),
  };
}

export type Api = ReturnType<typeof createApi>;
