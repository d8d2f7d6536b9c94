import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { mcpServers, secrets } from '../db/schema.js';
import { EVERYTHING_ENTRY, startEverythingHttp } from '../mcp/fixtures/harness.js';
import {
  client,
  createTestApp,
  openTestDatabase,
  signup,
  type TestApp,
  testDrivers,
} from '../testing/harness.js';

describe.each(testDrivers())('MCP servers through the API on %s', (driver) => {
  let db: Database;
  let vrm: TestApp;
  let api: ReturnType<typeof client>;
  let everything: Awaited<ReturnType<typeof startEverythingHttp>>;
  let owner: Awaited<ReturnType<typeof signup>>;

  beforeAll(async () => {
    db = await openTestDatabase(driver);
    vrm = await createTestApp(db, { VRM_ALLOW_PRIVATE_URLS: '1', VRM_ALLOW_STDIO_SERVERS: '1' });
    api = client(vrm.app);
    everything = await startEverythingHttp('streamableHttp');
    owner = await signup(vrm.app, 'Tools Org');
  });
  afterAll(async () => {
    await vrm?.close();
    await everything?.stop();
    await db?.close();
  });

  it('registers a Streamable HTTP server, connects it and lists its tools; header values stay encrypted', async () => {
    const res = await api.post(
      '/v1/mcp-servers',
      {
        name: 'everything',
        transport: {
          type: 'streamable-http',
          url: `http://127.0.0.1:${everything.port}/mcp`,
          headers: { 'X-Api-Key': 'hdr-secret-123' },
        },
      },
      owner.token,
    );
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('connected');
    const names = res.body.tools.map((t: { name: string }) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum', 'trigger-long-running-operation']));
    const echo = res.body.tools.find((t: { name: string }) => t.name === 'echo');
    expect(echo).toMatchObject({ namespacedName: 'everything__echo', approval: 'approved', enabled: true });
    expect(echo.inputSchema.properties.message).toBeDefined();
    expect(res.text).not.toContain('hdr-secret-123');
    expect(res.body.transport.headerNames).toEqual(['X-Api-Key']);

    const [row] = await db.system((tx) => tx.select().from(mcpServers).where(eq(mcpServers.id, res.body.id)));
    expect(JSON.stringify(row)).not.toContain('hdr-secret-123');
    const stored = await db.system((tx) =>
      tx.select().from(secrets).where(eq(secrets.organizationId, owner.organization.id)),
    );
    expect(stored.map((s) => s.name)).toEqual([`mcp:${res.body.id}:credentials`]);
    expect(stored[0]!.ciphertext).not.toContain('hdr-secret-123');

    const tools = await api.get(`/v1/mcp-servers/${res.body.id}/tools`, owner.token);
    expect(tools.body.tools.length).toBe(res.body.tools.length);
    const list = await api.get('/v1/mcp-servers', owner.token);
    expect(list.body.servers[0]).toMatchObject({ name: 'everything', status: 'connected' });
  });

  it('runs a tool for a person, asking for confirmation first on an untrusted server', async () => {
    const [server] = (await api.get('/v1/mcp-servers', owner.token)).body.servers;
    const unconfirmed = await api.post(
      `/v1/mcp-servers/${server.id}/tools/get-sum/call`,
      { arguments: { a: 2, b: 3 } },
      owner.token,
    );
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.error.code).toBe('confirmation_required');
    const sum = await api.post(
      `/v1/mcp-servers/${server.id}/tools/get-sum/call`,
      { arguments: { a: 2, b: 3 }, confirm: true },
      owner.token,
    );
    expect(sum.status).toBe(200);
    expect(sum.body).toMatchObject({ isError: false, status: 'ok' });
    expect(sum.body.text).toContain('5');
    const bad = await api.post(
      `/v1/mcp-servers/${server.id}/tools/get-sum/call`,
      { arguments: { a: 'x' }, confirm: true },
      owner.token,
    );
    expect(bad.body.isError).toBe(true);
  });

  it('disables and re-enables a tool for the organization, with an audit trail', async () => {
    const [server] = (await api.get('/v1/mcp-servers', owner.token)).body.servers;
    const off = await api.patch(`/v1/mcp-servers/${server.id}/tools/echo`, { enabled: false }, owner.token);
    expect(off.body.enabled).toBe(false);
    const refused = await api.post(
      `/v1/mcp-servers/${server.id}/tools/echo/call`,
      { arguments: { message: 'hi' }, confirm: true },
      owner.token,
    );
    expect(refused.status).toBe(409);
    const { bindings } = await vrm.services.mcp.bindingsFor(owner.organization.id, [
      { mcp: 'everything', deny: [], timeoutMs: 10_000, settings: {} },
    ]);
    expect(bindings[0]!.deny).toContain('echo');
    const on = await api.patch(`/v1/mcp-servers/${server.id}/tools/echo`, { enabled: true }, owner.token);
    expect(on.body.enabled).toBe(true);
    const log = await api.get('/v1/audit-log?limit=50', owner.token);
    const actions = log.body.entries.map((e: { action: string }) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['mcp_server.created', 'mcp_tool.disabled', 'mcp_tool.enabled']),
    );
  });

  it('registers a stdio server when the operator allows it', async () => {
    const res = await api.post(
      '/v1/mcp-servers',
      {
        name: 'local',
        transport: { type: 'stdio', command: process.execPath, args: [EVERYTHING_ENTRY, 'stdio'] },
      },
      owner.token,
    );
    expect(res.status).toBe(201);
    expect(res.body.tools.map((t: { name: string }) => t.name)).toContain('echo');
    expect((await api.delete(`/v1/mcp-servers/${res.body.id}`, owner.token)).status).toBe(204);
    expect((await api.get(`/v1/mcp-servers/${res.body.id}`, owner.token)).status).toBe(404);
  });

  it("keeps one organization's servers from another", async () => {
    const other = await signup(vrm.app, 'Other Tools Org');
    const [server] = (await api.get('/v1/mcp-servers', owner.token)).body.servers;
    expect((await api.get('/v1/mcp-servers', other.token)).body.servers).toEqual([]);
    expect((await api.get(`/v1/mcp-servers/${server.id}`, other.token)).status).toBe(404);
    expect(
      (
        await api.post(
          `/v1/mcp-servers/${server.id}/tools/echo/call`,
          { arguments: { message: 'x' }, confirm: true },
          other.token,
        )
      ).status,
    ).toBe(404);
    expect((await api.delete(`/v1/mcp-servers/${server.id}`, other.token)).status).toBe(404);
  });

  it('answers 400 naming the field for a bad transport', async () => {
    const res = await api.post(
      '/v1/mcp-servers',
      { name: 'bad', transport: { type: 'streamable-http', url: 'ftp://x' } },
      owner.token,
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('transport');
  });
});

describe("the operator's switches", () => {
  let db: Database;
  let vrm: TestApp;
  beforeAll(async () => {
    db = await openTestDatabase('pglite');
    vrm = await createTestApp(db);
  });
  afterAll(async () => {
    await vrm?.close();
    await db?.close();
  });

  it('refuses stdio servers and private URLs unless the operator allows them', async () => {
    const api = client(vrm.app);
    const owner = await signup(vrm.app);
    const stdio = await api.post(
      '/v1/mcp-servers',
      { name: 'sh', transport: { type: 'stdio', command: 'sh' } },
      owner.token,
    );
    expect(stdio.status).toBe(403);
    expect(stdio.body.error.message).toContain('VRM_ALLOW_STDIO_SERVERS');
    for (const url of [
      'http://127.0.0.1:9/mcp',
      'http://localhost/mcp',
      'http://10.1.2.3/mcp',
      'http://[::1]/mcp',
      'http://169.254.169.254/',
    ]) {
      const res = await api.post(
        '/v1/mcp-servers',
        { name: 'internal', transport: { type: 'streamable-http', url } },
        owner.token,
      );
      expect(res.status, url).toBe(403);
    }
    expect((await api.get('/v1/mcp-servers', owner.token)).body.servers).toEqual([]);
  });
});
