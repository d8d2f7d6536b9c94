import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAIServer, startOpenAIServer } from '../testing/openai-server.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let server: OpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function runChat(
  args: string[],
  input: string,
  env: Record<string, string>,
): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/vrm.mjs', 'chat', ...args], {
      cwd: root,
      env: { ...process.env, ...env, VRM_LOG_LEVEL: 'silent' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, out, err }));
    child.stdin.end(input);
  });
}

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
    expect(out).toMatch(/unavailable in `vrm chat`/);
    const body = server.requests[0]!.body as { messages: { role: string; content: string }[] };
    expect(body.messages.at(-1)).toEqual({ role: 'user', content: 'My sink is leaking' });
    expect(server.violations).toEqual([]);
  });

  it('reports manifest problems with their position', async () => {
    const { code, err } = await runChat(['runtime/src/voice/index.ts'], '', {});
    expect(code).toBe(1);
    expect(err).toMatch(/index\.ts:\d+:\d+/);
  });
});
