import { describe, expect, it } from 'vitest';
import { ClientCredentialsAuth } from './oauth.js';

const settings = {
  type: 'oauth-client-credentials',
  tokenUrl: 'https://auth.example.com/token',
  clientId: 'client id',
  clientSecret: 'p@ss:word',
} as const;

function tokenEndpoint(expiresIn?: number) {
  const calls: { headers: Headers; body: string }[] = [];
  const fetchImpl = async (_url: string | URL, init?: RequestInit) => {
    calls.push({ headers: new Headers(init?.headers), body: String(init?.body) });
    return Response.json({
      access_token: `t${calls.length}`,
      ...(expiresIn ? { expires_in: expiresIn } : {}),
    });
  };
  return { calls, fetchImpl };
}

describe('ClientCredentialsAuth', () => {
  it('sends form-encoded client_secret_basic credentials and caches the token until near expiry', async () => {
    let now = 0;
    const endpoint = tokenEndpoint(120);
    const auth = new ClientCredentialsAuth(settings, endpoint.fetchImpl, () => now);
    const [a, b] = await Promise.all([auth.token(), auth.token()]);
    expect([a, b]).toEqual(['t1', 't1']);
    expect(endpoint.calls).toHaveLength(1);
    const basic = endpoint.calls[0]?.headers.get('authorization') ?? '';
    expect(Buffer.from(basic.replace('Basic ', ''), 'base64').toString()).toBe('client%20id:p%40ss%3Aword');
    expect(endpoint.calls[0]?.body).toBe('grant_type=client_credentials');

    now = 80_000; // 120 s token, renewed 30 s early
    expect(await auth.token()).toBe('t1');
    now = 95_000;
    expect(await auth.token()).toBe('t2');
  });

  it('drops the cached token when the server answers 401', async () => {
    const endpoint = tokenEndpoint();
    const auth = new ClientCredentialsAuth(settings, endpoint.fetchImpl);
    expect(await auth.token()).toBe('t1');
    await auth.onUnauthorized();
    expect(await auth.token()).toBe('t2');
  });

  it('rejects a response without an access token', async () => {
    const auth = new ClientCredentialsAuth(settings, async () => Response.json({ token_type: 'Bearer' }));
    await expect(auth.token()).rejects.toMatchObject({ code: 'mcp_oauth_invalid_response' });
  });
});
