import { afterEach, describe, expect, it } from 'vitest';
import type { ToolsChangeReason } from './events.js';
import { createTestManager, eventually, startTestHttpServer } from './fixtures/harness.js';
import type { McpToolState } from './tool-state.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('Streamable HTTP against the 2.x test server', () => {
  it('refreshes the tool list when the server announces tools/list_changed', async () => {
    const server = await startTestHttpServer();
    const events: { reason: ToolsChangeReason; tools: McpToolState[] }[] = [];
    const { manager } = createTestManager({
      listChangedDebounceMs: 20,
      onToolsChanged: (_id, tools, reason) => events.push({ reason, tools }),
    });
    cleanups.push(server.stop, () => manager.shutdown());
    manager.register({
      id: 'http',
      organizationId: 'org',
      name: 'crm',
      transport: { type: 'streamable-http', url: server.url },
    });

    const before = await manager.tools('http');
    expect(before.map((t) => t.tool.name)).not.toContain('extra');
    await manager.callTool('http', 'add-tool', {});
    const refreshed = await eventually(() => events.find((e) => e.reason === 'list_changed'));
    expect(refreshed.tools.map((t) => t.tool.name)).toContain('extra');
    expect((await manager.callTool('http', 'extra', {})).text).toBe('extra');
  });
  it('marks the server failing and schedules a reconnect when it goes away', async () => {
    const server = await startTestHttpServer();
    const { manager } = createTestManager({ backoff: { initialMs: 60_000, maxMs: 60_000 } });
    cleanups.push(() => manager.shutdown());
    manager.register({
      id: 'gone',
      organizationId: 'org',
      name: 'crm',
      transport: { type: 'streamable-http', url: server.url },
    });
    expect((await manager.callTool('gone', 'lookup', { query: 'Ada' })).text).toBe('found Ada');

    await server.stop();
    const result = await manager.callTool('gone', 'lookup', { query: 'Ada' });
    expect(result).toMatchObject({ isError: true, status: 'unavailable' });
    expect(manager.status('gone')).toMatchObject({ state: 'failing', retryAt: expect.any(Date) });
    // While the reconnect waits out its backoff, calls fail fast instead of holding the caller.
    expect((await manager.callTool('gone', 'lookup', { query: 'Ada' })).status).toBe('unavailable');
  });
});

describe('OAuth client credentials', () => {
  function tokenServer() {
    let issued = 0;
    const valid = new Set<string>();
    const requests: URLSearchParams[] = [];
    return {
      get issued() {
        return issued;
      },
      requests,
      revokeAll: () => valid.clear(),
      authorize: (header: string | null) => header !== null && valid.has(header.replace(/^Bearer /, '')),
      endpoint: async (request: Request) => {
        const expected = `Basic ${Buffer.from('vrm-client:s3cret').toString('base64')}`;
        if (request.headers.get('authorization') !== expected) {
          return Response.json({ error: 'invalid_client' }, { status: 401 });
        }
        requests.push(new URLSearchParams(await request.text()));
        const token = `token-${++issued}`;
        valid.add(token);
        return Response.json({ access_token: token, token_type: 'Bearer', expires_in: 3600 });
      },
    };
  }

  it('fetches a token, reuses it, and fetches a new one after a 401', async () => {
    const tokens = tokenServer();
    const server = await startTestHttpServer({ authorize: tokens.authorize, tokenEndpoint: tokens.endpoint });
    const { manager } = createTestManager();
    cleanups.push(server.stop, () => manager.shutdown());
    manager.register({
      id: 'secured',
      organizationId: 'org',
      name: 'crm',
      transport: {
        type: 'streamable-http',
        url: server.url,
        auth: {
          type: 'oauth-client-credentials',
          tokenUrl: `${server.origin}/token`,
          clientId: 'vrm-client',
          clientSecret: 's3cret',
          scope: 'crm.read',
        },
      },
    });

    expect((await manager.callTool('secured', 'lookup', { query: 'Ada' })).text).toBe('found Ada');
    expect((await manager.callTool('secured', 'lookup', { query: 'Bob' })).text).toBe('found Bob');
    expect(tokens.issued).toBe(1);
    expect(tokens.requests[0]?.get('grant_type')).toBe('client_credentials');
    expect(tokens.requests[0]?.get('scope')).toBe('crm.read');

    tokens.revokeAll();
    const after = await manager.callTool('secured', 'lookup', { query: 'Cy' });
    expect(after).toMatchObject({ status: 'ok', text: 'found Cy' });
    expect(tokens.issued).toBe(2);
  });

  it('reports a rejected client as a failing server without leaking the secret', async () => {
    const tokens = tokenServer();
    const server = await startTestHttpServer({ authorize: tokens.authorize, tokenEndpoint: tokens.endpoint });
    const { manager } = createTestManager();
    cleanups.push(server.stop, () => manager.shutdown());
    manager.register({
      id: 'wrong',
      organizationId: 'org',
      name: 'crm',
      transport: {
        type: 'streamable-http',
        url: server.url,
        auth: {
          type: 'oauth-client-credentials',
          tokenUrl: `${server.origin}/token`,
          clientId: 'vrm-client',
          clientSecret: 'nope',
        },
      },
    });
    await expect(manager.tools('wrong')).rejects.toThrow(
      /OAuth token endpoint answered 401 \(invalid_client\)/,
    );
    const status = manager.status('wrong');
    expect(status).toMatchObject({ state: 'failing' });
    expect(JSON.stringify(status)).not.toContain('nope');
  });
});
