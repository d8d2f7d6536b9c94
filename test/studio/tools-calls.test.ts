import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEverythingHttp } from '../../runtime/src/mcp/fixtures/harness.js';
import { type OpenAIServer, startOpenAIServer } from '../../runtime/src/testing/openai-server.js';
import { type StudioHarness, signUp, startStudio } from './harness.js';

const ADDER = `apiVersion: vrm/v1
kind: Agent
name: adder
greeting: Hi, I can add numbers.
instructions: You add numbers with the tool.
llm: { provider: openai, model: gpt-4o-mini }
stt: { provider: deepgram, model: nova-3 }
tts: { provider: cartesia, model: sonic-2, voice: a0e99841-438c-4a64-b679-ae501e7d6091 }
tools:
  - mcp: everything
    allow: [get-sum]
`;

let studio: StudioHarness;
let openai: OpenAIServer;
let everything: Awaited<ReturnType<typeof startEverythingHttp>>;

beforeAll(async () => {
  // The scripted model calls the sum tool, then answers with what the tool returned.
  openai = await startOpenAIServer({
    reply: (request) => {
      const last = request.messages.at(-1) as { role: string; content?: unknown };
      if (last.role === 'tool') return `The tool says: ${String(last.content)}`;
      return { toolCalls: [{ name: 'everything__get-sum', arguments: { a: 2, b: 3 } }] };
    },
  });
  everything = await startEverythingHttp('streamableHttp');
  studio = await startStudio({
    VRM_ALLOW_PRIVATE_URLS: '1',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: openai.url,
    DEEPGRAM_API_KEY: 'dg-test',
    CARTESIA_API_KEY: 'ca-test',
  });
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await studio?.debugSnapshot(context.task.name);
});

afterAll(async () => {
  await studio?.close();
  await everything?.stop();
  await openai?.close();
});

describe('the studio: tools, test conversations and traces', () => {
  let callId = '';

  it('adds a Streamable HTTP MCP server and shows its tools, which can be tried from a form', async () => {
    const { page } = studio;
    await signUp(page, 'tom@example.com', 'Tools Org');
    await page.getByRole('link', { name: 'Tools', exact: true }).click();
    await page.getByText('No MCP servers yet').waitFor();
    await page.getByRole('button', { name: 'Add MCP server' }).click();
    await page.getByLabel('Name').fill('everything');
    await page.getByLabel('URL').fill(`http://127.0.0.1:${everything.port}/mcp`);
    await page.getByLabel(/Trusted/).check();
    await page.getByRole('button', { name: 'Add and connect' }).click();

    await page.getByRole('heading', { name: /everything/ }).waitFor();
    expect(await page.locator('h1 .badge').first().textContent()).toBe('connected');
    const names = await page.locator('[data-tool] .tool-head code').allTextContents();
    expect(names).toEqual(expect.arrayContaining(['echo', 'get-sum']));

    const sum = page.locator('[data-tool="get-sum"]');
    await sum.getByRole('button', { name: 'Try' }).click();
    await sum.getByLabel(/^a \*/).fill('20');
    await sum.getByLabel(/^b \*/).fill('22');
    await sum.getByRole('button', { name: 'Run tool' }).click();
    const result = sum.getByTestId('tool-result');
    const confirm = sum.getByRole('button', { name: 'Confirm and run' });
    await result.or(confirm).first().waitFor();
    if (await confirm.isVisible()) await confirm.click();
    await result.waitFor();
    expect(await result.textContent()).toContain('42');
    await studio.screenshot('tools');
  });

  it('holds a text conversation in which the agent calls the tool, with the trace beside it', async () => {
    const { page } = studio;
    const token = (await page.evaluate(`JSON.parse(localStorage.getItem('vrm.session')).token`)) as string;
    const created = await fetch(`${studio.url}/v1/agents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/yaml' },
      body: ADDER,
    });
    expect(created.status).toBe(201);

    await page.goto('/agents/adder');
    await page.getByRole('link', { name: 'Test', exact: true }).click();
    await page.getByRole('button', { name: 'Start conversation' }).click();
    const chat = page.getByTestId('chat');
    await chat.getByText('Hi, I can add numbers.').waitFor();
    await page.getByLabel('Message').fill('What is two plus three?');
    await page.keyboard.press('Enter');
    await chat.locator('.bubble-agent', { hasText: 'The tool says' }).waitFor();
    expect(await chat.locator('.tool-calls').textContent()).toContain('everything__get-sum');

    // The live trace beside the chat shows the turn's spans as they happen.
    const turns = page.getByTestId('turns');
    await turns.locator('.wf-row[data-kind="tool"]').first().waitFor();
    await turns.locator('.wf-row[data-kind="llm"]').first().waitFor();
    expect(await turns.locator('.wf-row[data-kind="tool"] .wf-label').first().textContent()).toContain(
      'everything__get-sum',
    );
    await studio.screenshot('agent-test');
    const href = await page.getByRole('link', { name: 'Open trace' }).getAttribute('href');
    callId = href!.split('/').pop()!;
  });

  it('watches the live call in the trace inspector as new events arrive, until it ends', async () => {
    const { page, context } = studio;
    const inspector = await context.newPage();
    await inspector.goto(`/calls/${callId}`);
    await inspector.getByTestId('live-badge').waitFor();
    const toolRows = inspector.locator('[data-testid=turns] .wf-row[data-kind="tool"]');
    await toolRows.first().waitFor();
    expect(await toolRows.count()).toBe(1);

    // A second message in the conversation tab: its events reach the inspector over /v1/live.
    await page.getByLabel('Message').fill('And again?');
    await page.keyboard.press('Enter');
    await page.getByTestId('chat').locator('.bubble-agent', { hasText: 'The tool says' }).nth(1).waitFor();
    await inspector.locator('[data-testid=turns] [data-turn="2"] .wf-row[data-kind="tool"]').waitFor();
    const transcript = inspector.getByTestId('transcript');
    expect(await transcript.locator('.msg-caller').allTextContents()).toEqual([
      expect.stringContaining('What is two plus three?'),
      expect.stringContaining('And again?'),
    ]);

    await page.getByRole('button', { name: 'End conversation' }).click();
    await inspector.locator('h1 .badge', { hasText: 'completed' }).waitFor();
    await inspector.locator('.stat', { hasText: 'ended_by_user' }).waitFor();
    expect(await inspector.getByTestId('live-badge').count()).toBe(0);
    await studio.screenshot('call-trace', inspector);
    await inspector.close();
  });

  it('lists the call with filters, and charts it on the dashboard', async () => {
    const { page } = studio;
    await page.goto('/calls');
    const rows = page.getByTestId('calls-table').locator('tbody tr');
    await rows.first().waitFor();
    expect(await rows.first().textContent()).toContain('adder');
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No calls match these filters').waitFor();
    await page.getByLabel('Status').selectOption('completed');
    await rows.first().waitFor();
    expect(await rows.count()).toBe(1);
    await studio.screenshot('calls');

    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByTestId('dashboard').waitFor();
    await page.getByRole('img', { name: 'Calls per bucket' }).waitFor();
    await studio.screenshot('dashboard');
  });
});
