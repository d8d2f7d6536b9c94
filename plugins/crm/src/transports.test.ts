import { fileURLToPath } from 'node:url';
import { connectStdio, makeTempDir, runToExit, spawnHttpPlugin } from '@vrm/plugin-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/vrm-crm.mjs', import.meta.url));
const TOKEN = 'test-token-0123456789abcdef';

// One data directory for the file: PGlite's first start (initdb) is the slow part, and the suites
// run one after the other, so the HTTP server reopens what the stdio server created.
const temp = makeTempDir('vrm-crm');
afterAll(() => temp.remove());

describe('vrm-crm over stdio', () => {
  it('lists tools and finds a seeded contact by a national-format number', async () => {
    const client = await connectStdio(BIN, { env: { CRM_DATA_DIR: temp.dir, CRM_SEED_DEMO: '1' } });
    try {
      const { tools } = await client.listTools();
      expect(tools.find((t) => t.name === 'cancel_appointment')?.annotations?.destructiveHint).toBe(true);
      // listTools first: the client then validates structuredContent against each output schema.
      const result = await client.callTool({
        name: 'find_contact_by_phone',
        arguments: { phone: '(415) 555-0123' },
      });
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        phone: '+14155550123',
        found: true,
        contact: { name: 'Jane Doe' },
      });
    } finally {
      await client.close();
    }
  });
});

describe('vrm-crm over Streamable HTTP', () => {
  let plugin: Awaited<ReturnType<typeof spawnHttpPlugin>>;

  beforeAll(async () => {
    plugin = await spawnHttpPlugin(BIN, { CRM_DATA_DIR: temp.dir, CRM_AUTH_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await plugin?.stop();
  });

  it('serves tools to a client with the bearer token', async () => {
    const client = await plugin.connect(TOKEN);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toContain('book_appointment');
    const created = await client.callTool({
      name: 'create_contact',
      arguments: { name: 'Ana Lima', phone: '+55 11 91234 5678' },
    });
    expect(created.structuredContent).toMatchObject({ contact: { phone: '+5511912345678' } });
    const found = await client.callTool({
      name: 'find_contact_by_phone',
      arguments: { phone: '+5511912345678' },
    });
    expect(found.structuredContent).toMatchObject({ found: true, contact: { name: 'Ana Lima' } });
  });

  it('answers 401 to a wrong or missing token', async () => {
    await expect(plugin.connect('wrong-token')).rejects.toThrow(/401|nauthorized/);
    const response = await fetch(plugin.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('refuses to start on a public address without a token, saying why', async () => {
    const { code, stderr } = await runToExit(BIN, ['--http', '--host', '0.0.0.0', '--port', '0'], {
      CRM_DATA_DIR: temp.dir,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/without CRM_AUTH_TOKEN.*anyone who can reach/);
  });
});
