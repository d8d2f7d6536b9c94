import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectStdio, makeTempDir, runInspector, runToExit, spawnHttpPlugin } from '@vrm/plugin-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

describe('vrm-analytics over stdio', { timeout: 120_000 }, () => {
  it('serves read-only tools over the migrated embedded database', async () => {
    const client = await connectStdio(BIN, { env: { ANALYTICS_DATA_DIR: DATA_DIR } });
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

  it('requires an organization with a database URL', async () => {
    const { code, stderr } = await runToExit(BIN, [], {
      ANALYTICS_DATABASE_URL: 'postgres://127.0.0.1:1/vrm',
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/ANALYTICS_ORGANIZATION_ID is required/);
  });
});
