import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type OpenAIServer, startOpenAIServer } from '../testing/openai-server.js';
import { ECHO_AGENT, echoAgentDir, echoModel, runVrm } from './fixtures/run-vrm.js';
import { command } from './test.js';

let server: OpenAIServer;
let dir: string;
let manifest: string;
let env: Record<string, string>;

beforeAll(async () => {
  server = await startOpenAIServer({ apiKey: 'sk-test-cli', reply: echoModel });
  ({ dir, manifest } = await echoAgentDir());
  env = { OPENAI_API_KEY: 'sk-test-cli', OPENAI_BASE_URL: server.url };
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('vrm test', () => {
  it('passes a suite through the model and a real MCP server, and exits 0', async () => {
    const { code, out, err } = await runVrm(['test', manifest, '--test', 'echoes the caller'], env);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toContain('echo-desk: 1 test with gpt-4o-mini, 1 MCP tools');
    expect(out).toMatch(/✓ echoes the caller \(\d+\.\d s\)/);
    expect(out.trim().split('\n').at(-1)).toBe('1 passed, 0 failed');
    const first = server.requests.find((r) => r.path === '/v1/chat/completions')!.body as {
      tools: { function: { name: string } }[];
    };
    expect(first.tools.map((t) => t.function.name)).toContain('everything__echo');
    expect(server.violations).toEqual([]);
  });

  it('exits 1 and names the turn and the expectation that failed', async () => {
    const { code, out } = await runVrm(['test', manifest], env);
    expect(code).toBe(1);
    expect(out).toContain('✓ echoes the caller');
    expect(out).toContain('✗ says goodbye');
    expect(out).toContain('turn 1 of 1, caller: "Please echo bye"');
    expect(out).toContain('✗ toolCalls[0]');
    expect(out).toContain(
      'expected: a call to everything__echo with arguments including {"message":"farewell"}',
    );
    expect(out).toContain('arguments.message is "bye", expected "farewell"');
    expect(out).toContain('✗ reply.contains');
    expect(out).toContain('actual:   "The echo said: Echo: bye"');
    expect(out.trim().split('\n').at(-1)).toBe('1 passed, 1 failed');
  });

  it('prints the run as JSON with --json', async () => {
    const { code, out } = await runVrm(['test', manifest, '--json', '--test', 'goodbye'], env);
    expect(code).toBe(1);
    const report = JSON.parse(out);
    expect(report).toMatchObject({ agent: 'echo-desk', passed: 0, failed: 1 });
    expect(report.tests[0].turns[0]).toMatchObject({
      turn: 1,
      reply: 'The echo said: Echo: bye',
      calls: [{ tool: 'everything__echo', arguments: { message: 'bye' }, ran: true }],
    });
    expect(report.tests[0].turns[0].failures.map((f: { expectation: string }) => f.expectation)).toEqual([
      'toolCalls[0]',
      'reply.contains',
    ]);
  });

  it('exits 2 with file:line:col for a bad manifest', async () => {
    const bad = path.join(dir, 'bad.yaml');
    await writeFile(bad, ECHO_AGENT.replace('kind: Agent', 'kind: Agent\nvoice: loud'));
    const { code, out, err } = await runVrm(['test', bad], env);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(new RegExp(`^${bad.replaceAll('.', '\\.')}:3:1 .*voice`, 'm'));
  });

  it('exits 2 naming a server the servers file does not define', async () => {
    const servers = path.join(dir, 'empty.servers.json');
    await writeFile(servers, '{}');
    const { code, err } = await runVrm(['test', manifest, '--servers', servers], env);
    expect(code).toBe(2);
    expect(err).toContain('MCP server everything: not defined in the servers file');
  });

  it('explains a missing API key without a stack trace', async () => {
    const { code, err } = await runVrm(['test', 'examples/front-desk/agent.yaml'], {
      OPENAI_API_KEY: undefined,
    });
    expect(code).toBe(2);
    expect(err).toContain('No API key: set OPENAI_API_KEY.');
    expect(err).not.toMatch(/\n\s+at /);
  });

  it('exits 2 on usage errors', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(await command.run([manifest, '--nope'])).toBe(2);
      expect(await command.run([])).toBe(2);
      const printed = stderr.mock.calls.map((c) => String(c[0])).join('');
      expect(printed).toContain("vrm test: Unknown option '--nope'");
      expect(printed).toContain('Usage: vrm test <manifest.yaml>');
    } finally {
      stderr.mockRestore();
    }
  });
});
