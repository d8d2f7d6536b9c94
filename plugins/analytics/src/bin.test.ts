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
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR } from './config.js';
import { openAnalyticsDatabase } from './main.js';

const BIN = fileURLToPath(new URL('../bin/vrm-analytics.mjs', import.meta.url));
const TOKEN = 'test-token-analytics-0123456789';
const RANGE = { from: '2030-03-01', to: '2030-03-31' };

// PGlite's first start in a directory (initdb plus VRM's migrations) is the slow part, so the
// suites run in order on one directory: the Inspector creates it with the zero-config default,
// stdio and HTTP reopen it.
const cwd = makeTempDir('vrm-analytics-bin');
const DATA_DIR = path.join(cwd.dir, '.vrm-analytics');
afterAll(() => cwd.remove());

describe('vrm-analytics under the MCP Inspector CLI, with no arguments and no configuration', {
  timeout: 120_000,
}, () => {
  it('lists the tools', async () => {
    const { tools } = (await runInspector(BIN, cwd.dir, ['--method', 'tools/list'])) as {
      tools: Array<{ name: string }>;
    };
    expect(tools.map((t) => t.name).sort()).toEqual([
      'get_call_durations',
      'get_call_outcomes',
      'get_call_volume',
      'get_latency_percentiles',
      'get_tool_usage',
    ]);
  });

  it('calls a tool with arguments and gets honest zeros from the empty database', async () => {
    const result = await runInspector(BIN, cwd.dir, [
      '--method',
      'tools/call',
      '--tool-name',
      'get_call_outcomes',
      '--tool-arg',
      'from=2030-01-01',
      '--tool-arg',
      'to=2030-01-31',
    ]);
    expect(result).toMatchObject({ structuredContent: { total: 0, outcomes: [] } });
    expect((result as { isError?: boolean }).isError).toBeFalsy();
  });
});

const ORG = '11111111-1111-4111-8111-111111111111';
const OTHER_ORG = '22222222-2222-4222-8222-222222222222';

/** One completed call for ORG and one for OTHER_ORG in March 2030, written as the schema owner. */
async function seedCalls(options: { url?: string; dataDir?: string }) {
  const database = await openAnalyticsDatabase({ ...options, migrationsDir: DEFAULT_MIGRATIONS_DIR });
  try {
    for (const org of [ORG, OTHER_ORG]) {
      await database.db.execute(sql`
        insert into organizations (id, name, slug) values (${org}::uuid, ${org}, ${org})`);
      await database.db.execute(sql`
        with agent as (
          insert into agents (organization_id, name, live_version, latest_version)
          values (${org}::uuid, 'front-desk', 1, 1) returning id)
        insert into calls (organization_id, agent_id, channel, status, started_at, duration_ms, ended_reason)
        select ${org}::uuid, agent.id, 'twilio', 'completed', '2030-03-02T09:00:00Z', 30000, 'caller_hangup'
        from agent`);
    }
  } finally {
    await database.close();
  }
}

describe.each(testDrivers())('vrm-analytics over stdio on %s', { timeout: 120_000 }, (driver) => {
  let postgresDb: TestPostgresDatabase | undefined;
  let storage: Record<string, string>;

  beforeAll(async () => {
    if (driver === 'postgres') {
      // VRM migrates its own PostgreSQL; the plugin only reads it, so the test migrates first.
      postgresDb = await createTestPostgresDatabase({ migrationsFolder: DEFAULT_MIGRATIONS_DIR });
      storage = { ANALYTICS_DATABASE_URL: postgresDb.url };
      await seedCalls({ url: postgresDb.url });
    } else {
      // The Inspector's directory, already migrated by the bin.
      storage = { ANALYTICS_DATA_DIR: DATA_DIR };
      await seedCalls({ dataDir: DATA_DIR });
    }
  });
  afterAll(async () => {
    await postgresDb?.drop();
  });

  it("serves read-only tools over VRM's database, counting only the configured organization", async () => {
    const client = await connectStdio(BIN, { env: { ...storage, ANALYTICS_ORGANIZATION_ID: ORG } });
    try {
      const { tools } = await client.listTools();
      expect(
        tools.every((t) => t.annotations?.readOnlyHint === true && t.annotations.destructiveHint === false),
      ).toBe(true);
      const result = await client.callTool({ name: 'get_call_volume', arguments: RANGE });
      expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
      expect(result.structuredContent).toMatchObject({
        totals: { calls: 1, completed: 1, failed: 0, active: 0 },
        series: [{ bucket: '2030-03-02T00:00:00Z', calls: 1 }],
      });
    } finally {
      await client.close();
    }
  });
});

describe.each(testDrivers())("vrm-analytics without VRM's schema on %s", { timeout: 120_000 }, (driver) => {
  let postgresDb: TestPostgresDatabase | undefined;
  const emptyDir = makeTempDir('vrm-analytics-no-migrations');

  beforeAll(async () => {
    if (driver === 'postgres') postgresDb = await createTestPostgresDatabase();
  });
  afterAll(async () => {
    // Also checks that the refused start left no connection behind.
    await postgresDb?.drop();
    emptyDir.remove();
  });

  it('refuses to start and says what to do instead of failing every tool call', async () => {
    const { code, stderr } = postgresDb
      ? await runToExit(BIN, [], { ANALYTICS_DATABASE_URL: postgresDb.url, ANALYTICS_ORGANIZATION_ID: ORG })
      : await runToExit(BIN, [], { ANALYTICS_DATA_DIR: DATA_DIR, ANALYTICS_MIGRATIONS_DIR: emptyDir.dir });
    expect(code).toBe(1);
    expect(stderr).toMatch(
      postgresDb ? /no VRM tables \(calls, call_events\).*vrm migrate/ : /could not apply VRM's migrations/,
    );
  });
});

describe('vrm-analytics over Streamable HTTP', { timeout: 120_000 }, () => {
  let plugin: Awaited<ReturnType<typeof spawnHttpPlugin>>;

  beforeAll(async () => {
    plugin = await spawnHttpPlugin(BIN, { ANALYTICS_DATA_DIR: DATA_DIR, ANALYTICS_AUTH_TOKEN: TOKEN });
  }, 120_000);
  afterAll(async () => {
    await plugin?.stop();
  });

  it('serves the tools with the bearer token', async () => {
    const client = await plugin.connect(TOKEN);
    await client.listTools();
    const result = await client.callTool({ name: 'get_latency_percentiles', arguments: RANGE });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { metrics: unknown[] }).metrics).toHaveLength(5);
  });

  it('answers 401 to a wrong token', async () => {
    await expect(plugin.connect('wrong-token-value')).rejects.toThrow(/401|nauthorized/);
  });
});

describe('vrm-analytics start-up checks', { timeout: 120_000 }, () => {
  it('fails at start, saying why, when the database cannot be reached', async () => {
    const { code, stderr } = await runToExit(BIN, [], {
      ANALYTICS_DATABASE_URL: 'postgres://vrm:not-for-logs@127.0.0.1:1/vrm',
      ANALYTICS_ORGANIZATION_ID: ORG,
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/could not start: connect ECONNREFUSED 127\.0\.0\.1:1/);
    expect(stderr).not.toContain('not-for-logs');
  });

  it('requires an organization with a database URL', async () => {
    const { code, stderr } = await runToExit(BIN, [], {
      ANALYTICS_DATABASE_URL: 'postgres://127.0.0.1:1/vrm',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/ANALYTICS_ORGANIZATION_ID is required/);
  });
});
