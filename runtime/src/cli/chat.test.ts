import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAIServer, startOpenAIServer } from '../testing/openai-server.js';
import { echoAgentDir, echoModel, runVrm } from './fixtures/run-vrm.js';

let server: OpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const runChat = (args: string[], input: string, env: Record<string, string | undefined>) =>
  runVrm(['chat', ...args], env, input);

describe('vrm chat', () => {
  it('talks to an example agent through an OpenAI-compatible endpoint', async () => {
    server = await startOpenAIServer({ apiKey: 'sk-cli', reply: () => 'We can come on Tuesday.' });
    const { code, out } = await runChat(['examples/front-desk/agent.yaml'], 'My sink is leaking\n/quit\n', {
      OPENAI_API_KEY: 'sk-cli',
      OPENAI_BASE_URL: server.url,
    });
    expect(code).toBe(0);
    expect(out).toContain('Thanks for calling Acme Plumbing');
    expect(out).toContain('We can come on Tuesday.');
    expect(out).toContain(
      'Note: the tools of the MCP server crm are unavailable (not defined in the servers file); the agent answers without them.',
    );
    expect(out).toContain(
      'Define the servers in vrm.servers.yaml beside the manifest, or pass --servers <file>.',
    );
    const body = server.requests[0]!.body as { messages: { role: string; content: string }[] };
    expect(body.messages.at(-1)).toEqual({ role: 'user', content: 'My sink is leaking' });
    expect(server.violations).toEqual([]);
  });

  it("uses the manifest's MCP tools from the servers file beside it", async () => {
    server = await startOpenAIServer({ apiKey: 'sk-cli', reply: echoModel });
    const { dir, manifest } = await echoAgentDir();
    try {
      const { code, out } = await runChat([manifest], 'Please echo hello\n/quit\n', {
        OPENAI_API_KEY: 'sk-cli',
        OPENAI_BASE_URL: server.url,
      });
      expect(code).toBe(0);
      expect(out).toContain('Tools: everything__echo');
      expect(out).toContain('[tool everything__echo({"message":"hello"})]');
      expect(out).toContain('[ok: Echo: hello]');
      expect(out).toContain('The echo said: Echo: hello');
      expect(server.violations).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports manifest problems with their position', async () => {
    const { code, err } = await runChat(['runtime/src/voice/index.ts'], '', {});
    expect(code).toBe(1);
    expect(err).toMatch(/index\.ts:\d+:\d+/);
  });
});
