import type { AuthProvider, FetchLike } from '@modelcontextprotocol/client';
import { z } from 'zod';
import { VrmError } from '../errors.js';
import type { McpOAuthClientCredentials } from './config.js';

const TokenResponseSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
});

/** Tokens are renewed this long before they expire, so a request never leaves with a dying token. */
const EXPIRY_SKEW_MS = 30_000;
/** Without `expires_in`, a token is kept this long; a 401 still forces a new one sooner. */
const DEFAULT_LIFETIME_MS = 5 * 60_000;
const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

/**
 * OAuth client-credentials for one MCP server, as the SDK transports' `authProvider`. The token is
 * cached until shortly before it expires; `onUnauthorized` drops it so the transport's single
 * retry after a 401 carries a fresh one. Concurrent requests share one token fetch.
 */
export class ClientCredentialsAuth implements AuthProvider {
  private cached: { token: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly settings: McpOAuthClientCredentials,
    private readonly fetchImpl: FetchLike = fetch,
    private readonly now: () => number = Date.now,
  ) {}

  async token(): Promise<string> {
    if (this.cached && this.cached.expiresAt > this.now()) return this.cached.token;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  async onUnauthorized(): Promise<void> {
    this.cached = undefined;
  }

  private async fetchToken(): Promise<string> {
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (this.settings.scope) body.set('scope', this.settings.scope);
    // client_secret_basic (RFC 6749 §2.3.1): form-encode each part before base64.
    const basic = Buffer.from(
      `${encodeURIComponent(this.settings.clientId)}:${encodeURIComponent(this.settings.clientSecret)}`,
    ).toString('base64');
    let response: Response;
    try {
      response = await this.fetchImpl(this.settings.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS),
      });
    } catch (error) {
      throw new VrmError('mcp_oauth_unreachable', 'The OAuth token endpoint could not be reached', {
        status: 502,
        retryable: true,
        cause: error,
      });
    }
    if (!response.ok) {
      // The body of an OAuth error is safe to surface (RFC 6749 §5.2 `error`), never the request.
      const detail = await response.json().catch(() => undefined);
      const error = z.object({ error: z.string() }).safeParse(detail);
      throw new VrmError(
        'mcp_oauth_rejected',
        `The OAuth token endpoint answered ${response.status}${error.success ? ` (${error.data.error})` : ''}`,
        { status: 502, retryable: response.status >= 500 },
      );
    }
    const parsed = TokenResponseSchema.safeParse(await response.json().catch(() => undefined));
    if (!parsed.success) {
      throw new VrmError('mcp_oauth_invalid_response', 'The OAuth token endpoint returned no access_token', {
        status: 502,
      });
    }
    const lifetime =
      parsed.data.expires_in === undefined ? DEFAULT_LIFETIME_MS : parsed.data.expires_in * 1000;
    this.cached = {
      token: parsed.data.access_token,
      expiresAt: this.now() + Math.max(lifetime - EXPIRY_SKEW_MS, lifetime / 2),
    };
    return parsed.data.access_token;
  }
}
