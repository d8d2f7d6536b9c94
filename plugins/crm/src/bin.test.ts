import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  connectStdio,
  createTestPostgresDatabase,
  makeTempDir,
  runInspector,
  runToExit,
  spawnHttpPlugin,
  type TestPostgresDatabase,
  testDrivers,
} from '@vrm/plugin-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/vrm-crm.mjs', import.meta.url));
const TOKEN = 'test-token-0123456789abcdef';

// The bin is spawned several times. PGlite's first start in a directory (initdb) is the slow part,
// so the suites run in order on one directory: the Inspector creates it with the zero-config
// default (./.vrm-crm in an empty working directory), stdio and HTTP reopen it.
const cwd = makeTempDir('vrm-crm-bin');
const DATA_DIR = path.join(cwd.dir, '.vrm-crm');
afterAll(() => cwd.remove());

describe('vrm-crm under the MCP Inspector CLI, with no arguments and no configuration', {
  timeout: 120_000,
}, () => {
  it('lists the tools', async () => {
    const { tools } = (await runInspector(BIN, cwd.dir, ['--method', 'tools/list'])) as {
      tools: Array<{ name: string }>;
    };
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining([
        'find_contact_by_phone',
        'find_contacts',
        'book_appointment',
        'cancel_appointment',
      ]),
    );
  });

  it('calls a tool with an argument and gets structured content', async () => {
    const result = await runInspector(BIN, cwd.dir, [
      '--method',
      'tools/call',
      '--tool-name',
      'find_contact_by_phone',
      '--tool-arg',
      'phone=(212) 555-0199',
    ]);
    expect(result).toMatchObject({
      structuredContent: {
        phone: '+12125550199',
        found: false,
        contact: null,
        otherMatches: 0,
        company: null,
      },
    });
    expect((result as { isError?: boolean }).isError).toBeFalsy();
  });
});

describe.each(testDrivers())('vrm-crm over stdio on %s', { timeout: 120_000 }, (driver) => {
  let postgresDb: TestPostgresDatabase | undefined;

  beforeAll(async () => {
    if (driver === 'postgres') postgresDb = await createTestPostgresDatabase();
  });
  afterAll(async () => {
    await postgresDb?.drop();
  });

  it('lists tools and finds a seeded contact by a national-format number', async () => {
    // PGlite reuses the Inspector's directory; PostgreSQL gets a fresh database of its own.
    const storage: Record<string, string> = postgresDb
      ? { CRM_DATABASE_URL: postgresDb.url }
      : { CRM_DATA_DIR: DATA_DIR };
    const client = await connectStdio(BIN, { env: { ...storage, CRM_SEED_DEMO: '1' } });
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
      // A write and a read back through the same process: the seeded slots are bookable.
      const { slots } = (
        await client.callTool({
          name: 'list_appointment_slots',
          arguments: {
            from: new Date().toISOString(),
            to: new Date(Date.now() + 8 * 86_400_000).toISOString(),
          },
        })
      ).structuredContent as { slots: Array<{ id: string }> };
      const contactId = (result.structuredContent as { contact: { id: string } }).contact.id;
      const booked = await client.callTool({
        name: 'book_appointment',
        arguments: { slotId: slots[0]!.id, contactId },
      });
      expect(booked.isError, JSON.stringify(booked.content)).toBeFalsy();
      expect(booked.structuredContent).toMatchObject({ appointment: { status: 'booked', contactId } });
    } finally {
      await client.close();
    }
  });
});

describe('vrm-crm over Streamable HTTP', { timeout: 120_000 }, () => {
  let plugin: Awaited<ReturnType<typeof spawnHttpPlugin>>;

  beforeAll(async () => {
    plugin = await spawnHttpPlugin(BIN, { CRM_DATA_DIR: DATA_DIR, CRM_AUTH_TOKEN: TOKEN });
  }, 120_000);
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
      CRM_DATA_DIR: DATA_DIR,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/without CRM_AUTH_TOKEN.*anyone who can reach/);
  });
});
