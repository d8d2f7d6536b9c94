import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { makeTempDir, minimalEnv } from '@vrm/plugin-kit/testing';
import { afterAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/vrm-crm.mjs', import.meta.url));
const INSPECTOR = fileURLToPath(new URL('../../../node_modules/.bin/mcp-inspector', import.meta.url));
const run = promisify(execFile);

// The MCP Inspector CLI is an independent client. It runs the bin with no arguments and no
// configuration, from an empty working directory: the zero-config path a newcomer takes.
describe('vrm-crm under the MCP Inspector CLI', () => {
  const cwd = makeTempDir('vrm-crm-inspector');
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
    expect(tools.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining([
        'find_contact_by_phone',
        'find_contacts',
        'book_appointment',
        'cancel_appointment',
      ]),
    );
  });

  it('calls a tool with arguments and gets structured content', async () => {
    const result = await inspect(
      '--method',
      'tools/call',
      '--tool-name',
      'find_contact_by_phone',
      '--tool-arg',
      'phone=(212) 555-0199',
    );
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({
      phone: '+12125550199',
      found: false,
      contact: null,
      otherMatches: 0,
      company: null,
    });
  });
});
