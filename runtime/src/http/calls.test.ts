import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { EVERYTHING_ENTRY } from '../mcp/fixtures/harness.js';
import {
  client,
  createTestApp,
  openTestDatabase,
  signup,
  type TestApp,
  testDrivers,
} from '../testing/harness.js';
import { type OpenAIServer, startOpenAIServer } from '../testing/openai-server.js';

const manifest = `apiVersion: vrm/v1
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

describe.each(testDrivers())('text sessions, calls and analytics through the API on %s', (driver) => {
  let db: Database;
  let vrm: TestApp;
  let api: ReturnType<typeof client>;
  let openai: OpenAIServer;
  let owner: Awaited<ReturnType<typeof signup>>;

  beforeAll(async () => {
    openai = await startOpenAIServer({
      // The model calls the sum tool first, then answers with what the tool returned.
      reply: (request) => {
        const last = request.messages.at(-1) as { role: string; content?: unknown };
        if (last.role === 'tool') return `The tool says: ${String(last.content)}`;
        return { toolCalls: [{ name: 'everything__get-sum', arguments: { a: 2, b: 3 } }] };
      },
    });
    db = await openTestDatabase(driver);
    vrm = await createTestApp(db, {
      VRM_ALLOW_STDIO_SERVERS: '1',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.url,
      DEEPGRAM_API_KEY: 'dg-test',
      CARTESIA_API_KEY: 'ca-test',
    });
    api = client(vrm.app);
    owner = await signup(vrm.app, 'Calls Org');
    const server = await api.post(
      '/v1/mcp-servers',
      {
        name: 'everything',
        trusted: true,
        transport: { type: 'stdio', command: process.execPath, args: [EVERYTHING_ENTRY, 'stdio'] },
      },
      owner.token,
    );
    expect(server.status).toBe(201);
    expect(
      (await api.call('POST', '/v1/agents', manifest, owner.token, { 'content-type': 'application/yaml' }))
        .status,
    ).toBe(201);
  });
  afterAll(async () => {
    await vrm?.close();
    await openai?.close();
    await db?.close();
  });

  it('holds a text conversation in which the agent calls an MCP tool, and traces it', async () => {
    const started = await api.post('/v1/agents/adder/sessions', {}, owner.token);
    expect(started.status).toBe(201);
    expect(started.body.greeting).toBe('Hi, I can add numbers.');
    const reply = await api.post(
      `/v1/calls/${started.body.callId}/messages`,
      { text: 'What is two plus three?' },
      owner.token,
    );
    expect(reply.status).toBe(200);
    expect(reply.body.toolCalls).toEqual([
      expect.objectContaining({ name: 'everything__get-sum', ok: true }),
    ]);
    expect(reply.body.toolCalls[0].result).toContain('5');
    expect(reply.body.text).toContain('The tool says');
    // The model was offered only the allowed tool, under its namespaced name.
    const offered = (openai.requests.at(-1)!.body as { tools: Array<{ function: { name: string } }> }).tools;
    expect(offered.map((t) => t.function.name)).toEqual(['everything__get-sum']);

    expect((await api.post(`/v1/calls/${started.body.callId}/end`, {}, owner.token)).status).toBe(204);
    const call = await api.get(`/v1/calls/${started.body.callId}`, owner.token);
    expect(call.body).toMatchObject({
      channel: 'text',
      agentName: 'adder',
      status: 'completed',
      endedReason: 'ended_by_user',
      agentVersion: 1,
    });
    const events = await api.get(`/v1/calls/${started.body.callId}/events`, owner.token);
    const types = events.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['turn.ended', 'llm.request', 'tool.called', 'tool.result']),
    );
    expect(call.body.counts.toolCalls).toBe(1);
  });

  it('refuses messages to a session of another organization, or one that is over', async () => {
    const started = await api.post('/v1/agents/adder/sessions', {}, owner.token);
    const other = await signup(vrm.app, 'Nosy Org');
    expect(
      (await api.post(`/v1/calls/${started.body.callId}/messages`, { text: 'hi' }, other.token)).status,
    ).toBe(404);
    expect((await api.get(`/v1/calls/${started.body.callId}`, other.token)).status).toBe(404);
    await api.post(`/v1/calls/${started.body.callId}/end`, {}, owner.token);
    expect(
      (await api.post(`/v1/calls/${started.body.callId}/messages`, { text: 'hi' }, owner.token)).status,
    ).toBe(404);
    expect(
      (await api.post(`/v1/calls/${started.body.callId}/messages`, { text: '' }, owner.token)).status,
    ).toBe(400);
  });

  it('lists calls with filters and stable pagination', async () => {
    for (let i = 0; i < 3; i++) {
      const s = await api.post('/v1/agents/adder/sessions', {}, owner.token);
      await api.post(`/v1/calls/${s.body.callId}/end`, {}, owner.token);
    }
    const all = await api.get('/v1/calls?limit=100', owner.token);
    const total = all.body.calls.length;
    expect(total).toBeGreaterThanOrEqual(5);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { calls: Array<{ id: string }>; nextCursor: string | null } } = await api.get(
        `/v1/calls?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        owner.token,
      );
      seen.push(...page.body.calls.map((c) => c.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(total);
    const filtered = await api.get('/v1/calls?agent=adder&status=completed&channel=text', owner.token);
    expect(filtered.body.calls.every((c: { status: string }) => c.status === 'completed')).toBe(true);
    expect((await api.get('/v1/calls?agent=nobody', owner.token)).body.calls).toEqual([]);
    expect((await api.get('/v1/calls?cursor=garbage', owner.token)).status).toBe(400);
    expect((await api.get('/v1/calls?status=weird', owner.token)).status).toBe(400);
  });

  it('reports volume, outcomes and latency percentiles for the dashboard', async () => {
    const callId = vrm.services.traces.startCall({
      organizationId: owner.organization.id,
      agentId: null,
      agentVersion: null,
      channel: 'twilio',
    });
    for (const v2v of [400, 500, 600]) {
      vrm.services.traces.recordEvent(callId, {
        type: 'turn.metrics',
        turnId: 1,
        at: Date.now(),
        data: { voiceToVoiceMs: v2v },
      });
    }
    await vrm.services.traces.endCall(callId, 'caller_hung_up');
    const res = await api.get('/v1/analytics', owner.token);
    expect(res.status).toBe(200);
    expect(
      res.body.volume.reduce((n: number, b: { calls: number }) => n + b.calls, 0),
    ).toBeGreaterThanOrEqual(6);
    expect(res.body.outcomes).toEqual(expect.arrayContaining([{ reason: 'caller_hung_up', calls: 1 }]));
    expect(res.body.latency[0]).toMatchObject({ turns: 3, p50: 500 });
    expect((await api.get('/v1/analytics?from=2026-02-01&to=2026-01-01', owner.token)).status).toBe(400);
  });
});
