import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeTempDir, minimalEnv } from '@vrm/plugin-kit/testing';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/vrm-payments.mjs', import.meta.url));
const INSPECTOR = fileURLToPath(new URL('../../../node_modules/.bin/mcp-inspector', import.meta.url));
const run = promisify(execFile);

// The MCP Inspector CLI is an independent client. It runs the bin with no arguments and no
// configuration, from an empty working directory: the zero-config path a newcomer takes.
describe('vrm-payments under the MCP Inspector CLI', () => {
  const cwd = makeTempDir('vrm-payments-inspector');
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
      'create_payment_link',
      'find_customer',
      'get_balance',
      'list_invoices',
      'record_payment',
      'refund_payment',
    ]);
  });

  it('calls a tool with arguments on the empty built-in ledger', async () => {
    const result = await inspect(
      '--method',
      'tools/call',
      '--tool-name',
      'find_customer',
      '--tool-arg',
      'name=jane',
    );
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ customers: [] });
  });
});
