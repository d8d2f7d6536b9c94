import { fileURLToPath } from 'node:url';
import { connectStdio, makeTempDir, runToExit, spawnHttpPlugin } from '@vrm/plugin-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/vrm-analytics.mjs', import.meta.url));
const TOKEN = 'test-token-analytics-0123456789';
const RANGE = { from: '2030-03-01', to: '2030-03-31' };

// One data directory for the file: PGlite's first start is the slow part; the suites run in turn.
const temp = makeTempDir('vrm-analytics');
afterAll(() => temp.remove());

describe('vrm-analytics over stdio', () => {
  it('migrates an embedded database with VRM’s migrations and reports zeros', async () => {
    const client = await connectStdio(BIN, { env: { ANALYTICS_DATA_DIR: temp.dir } });
    try {
      const { tools } = await client.listTools();
      expect(
        tools.every((t) => t.annotations?.readOnlyHint === true && t.annotations.destructiveHint === false),
      ).toBe(true);
      const result = await client.callTool({ name: 'get_call_volume', arguments: RANGE });
      expect(result.structuredContent).toMatchObject({
        totals: { calls: 0, completed: 0, failed: 0, active: 0 },
        series: [],
      });
    } finally {
      await client.close();
    }
  });
});

describe('vrm-analytics over Streamable HTTP', () => {
  let plugin: Awaited<ReturnType<typeof spawnHttpPlugin>>;

  beforeAll(async () => {
    plugin = await spawnHttpPlugin(BIN, { ANALYTICS_DATA_DIR: temp.dir, ANALYTICS_AUTH_TOKEN: TOKEN });
  });
  afterAll(async () => {
    await plugin?.stop();
  });

  it('serves the read-only tools with the bearer token', async () => {
    const client = await plugin.connect(TOKEN);
    await client.listTools();
    const result = await client.callTool({ name: 'get_latency_percentiles', arguments: RANGE });
    expect(result.isError).toBeFalsy();
    expect((result.structuredContent as { metrics: unknown[] }).metrics).toHaveLength(5);
  });

  it('answers 401 to a wrong token', async () => {
    await expect(plugin.connect('wrong-token-value')).rejects.toThrow(/401|nauthorized/);
  });

  it('requires an organization with a database URL', async () => {
    const { code, stderr } = await runToExit(BIN, [], {
      ANALYTICS_DATABASE_URL: 'postgres://127.0.0.1:1/vrm',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/ANALYTICS_ORGANIZATION_ID is required/);
  });
});
