import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeTempDir, minimalEnv } from '@vrm/plugin-kit/testing';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/vrm-analytics.mjs', import.meta.url));
const INSPECTOR = fileURLToPath(new URL('../../../node_modules/.bin/mcp-inspector', import.meta.url));
const run = promisify(execFile);

// The MCP Inspector CLI is an independent client. It runs the bin with no arguments and no
// configuration, from an empty working directory: the zero-config path a newcomer takes.
describe('vrm-analytics under the MCP Inspector CLI', () => {
  const cwd = makeTempDir('vrm-analytics-inspector');
  afterAll(() => cwd.remove());
  const inspect = async (...args: string[]) => {
    const { stdout } = await run(INSPECTOR, ['--cli', 'node', BIN, ...args], {
      cwd: cwd.dir,
      env: minimalEnv(),
    });
    return JSON.parse(stdout);
  };

  it('lists the tools', async () => {
    const { tools } = await inspect('--method', 'tools/list');
    expect(tools.map((t: { name: string }) => t.name).sort()).toEqual([
      'get_call_durations',
      'get_call_outcomes',
      'get_call_volume',
      'get_latency_percentiles',
      'get_tool_usage',
    ]);
  });

  it('calls a tool with arguments and gets honest zeros from the empty database', async () => {
    const result = await inspect(
      '--method',
      'tools/call',
      '--tool-name',
      'get_call_outcomes',
      '--tool-arg',
      'from=2030-01-01',
      '--tool-arg',
      'to=2030-01-31',
    );
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ total: 0, outcomes: [] });
  });
});
