import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProblem } from '../manifest/index.js';
import { findServersFile, loadServersFile } from './mcp-servers-file.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'vrm-servers-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}

describe('loadServersFile', () => {
  it(`reads stdio and HTTP servers, resolving ./ paths against the file and \${VAR} from the environment`, async () => {
    const file = await write(
      'ok/vrm.servers.yaml',
      [
        'crm:',
        '  type: stdio',
        '  command: node',
        '  args: [./plugins/crm.js, --flag, ../shared/x.js]',
        `  env: { CRM_TOKEN: "tok-\${CRM_TOKEN}", CRM_SEED_DEMO: "1" }`,
        'payments:',
        '  url: http://127.0.0.1:9000/mcp',
        `  headers: { authorization: "Bearer \${PAY_KEY}" }`,
        '  trusted: false',
      ].join('\n'),
    );
    const result = await loadServersFile(file, { CRM_TOKEN: 'abc', PAY_KEY: 'k1' });
    expect(result).toEqual({
      ok: true,
      file,
      servers: [
        {
          name: 'crm',
          trusted: true,
          transport: {
            type: 'stdio',
            command: 'node',
            args: [path.join(dir, 'ok/plugins/crm.js'), '--flag', path.join(dir, 'shared/x.js')],
            env: { CRM_TOKEN: 'tok-abc', CRM_SEED_DEMO: '1' },
          },
        },
        {
          name: 'payments',
          trusted: false,
          transport: {
            type: 'streamable-http',
            url: 'http://127.0.0.1:9000/mcp',
            headers: { authorization: 'Bearer k1' },
          },
        },
      ],
    });
  });

  it('reads JSON too', async () => {
    const file = await write(
      'servers.json',
      JSON.stringify({ echo: { type: 'stdio', command: 'echo-server' } }),
    );
    const result = await loadServersFile(file, {});
    expect(result.ok && result.servers[0]?.transport).toEqual({ type: 'stdio', command: 'echo-server' });
  });

  it('reports problems at their line and column', async () => {
    const file = await write(
      'bad.yaml',
      [
        'crm:',
        '  type: stdio',
        '  comand: node',
        'Bad Name:',
        '  command: x',
        'pay:',
        `  env: { A: "\${MISSING_VAR_X}" }`,
        '  command: y',
      ].join('\n'),
    );
    const result = await loadServersFile(file, {});
    expect(result.ok).toBe(false);
    const lines = result.ok ? [] : result.problems.map(formatProblem);
    expect(lines).toEqual(
      expect.arrayContaining([
        `${file}:1:1 crm.command: missing key "command"`,
        `${file}:3:3 crm: Unrecognized key: "comand"`,
        expect.stringMatching(new RegExp(`^${file}:4:1 Bad Name: an MCP server name is lowercase`)),
      ]),
    );
  });

  it('names an environment variable that is not set', async () => {
    const file = await write('env.yaml', `pay:\n  command: y\n  env:\n    A: "\${MISSING_VAR_X}"\n`);
    const result = await loadServersFile(file, {});
    expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual([
      `${file}:4:5 pay.env.A: the environment variable MISSING_VAR_X is not set`,
    ]);
  });

  it('reports YAML syntax errors and a missing file', async () => {
    const broken = await write('broken.yaml', 'crm: [unclosed\n');
    const syntax = await loadServersFile(broken, {});
    expect(syntax.ok ? '' : formatProblem(syntax.problems[0]!)).toMatch(new RegExp(`^${broken}:\\d+:\\d+ `));
    const missing = await loadServersFile(path.join(dir, 'nope.yaml'), {});
    expect(missing.ok ? '' : formatProblem(missing.problems[0]!)).toBe(
      `${path.join(dir, 'nope.yaml')}:1:1 file not found`,
    );
  });
});

describe('findServersFile', () => {
  it('prefers --servers, then vrm.servers.yaml beside the manifest', async () => {
    await write('agent/vrm.servers.yaml', 'crm: { command: x }\n');
    const manifest = path.join(dir, 'agent/agent.yaml');
    expect(await findServersFile(manifest)).toBe(path.join(dir, 'agent/vrm.servers.yaml'));
    expect(await findServersFile(manifest, 'other.yaml')).toBe('other.yaml');
    expect(await findServersFile(path.join(dir, 'elsewhere/agent.yaml'))).toBeUndefined();
  });
});
