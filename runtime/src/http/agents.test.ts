import { readFileSync } from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { agents } from '../db/schema.js';
import {
  client,
  createTestApp,
  openTestDatabase,
  signup,
  type TestApp,
  testDrivers,
} from '../testing/harness.js';

const EXAMPLE = readFileSync(
  path.resolve(import.meta.dirname, '../../../examples/front-desk/agent.yaml'),
  'utf8',
);

const minimal = (name: string, greeting = 'Hello, how can I help?') => `# ${name}: kept as written
apiVersion: vrm/v1
kind: Agent
name: ${name}
greeting: ${greeting}
instructions: |
  You are the front desk. Be brief.
llm: { provider: openai, model: gpt-4o-mini }
stt: { provider: deepgram, model: nova-3 }
tts: { provider: cartesia, model: sonic-2, voice: a0e99841-438c-4a64-b679-ae501e7d6091 }
`;

describe.each(testDrivers())('agents and versions on %s', (driver) => {
  let db: Database;
  let vrm: TestApp;
  let api: ReturnType<typeof client>;
  let owner: Awaited<ReturnType<typeof signup>>;
  const keys: Record<'admin' | 'builder' | 'viewer', string> = { admin: '', builder: '', viewer: '' };

  const postYaml = (url: string, yaml: string, token: string, method = 'POST') =>
    api.call(method, url, yaml, token, { 'content-type': 'application/yaml' });

  beforeAll(async () => {
    db = await openTestDatabase(driver);
    vrm = await createTestApp(db);
    api = client(vrm.app);
    owner = await signup(vrm.app, 'Agents Org');
    for (const role of ['admin', 'builder', 'viewer'] as const) {
      keys[role] = (await api.post('/v1/api-keys', { name: role, role }, owner.token)).body.key;
    }
  });
  afterAll(async () => {
    await vrm?.close();
    await db?.close();
  });

  it('creates an agent from YAML with version 1 live, keeping the text and its comments', async () => {
    const created = await postYaml('/v1/agents', EXAMPLE, keys.builder);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'front-desk',
      liveVersion: 1,
      latestVersion: 1,
      version: { version: 1, live: true },
    });
    const fetched = await api.get('/v1/agents/front-desk', keys.viewer);
    expect(fetched.status).toBe(200);
    expect(fetched.body.live.yaml).toBe(EXAMPLE);
    expect(fetched.body.live.manifest.name).toBe('front-desk');
    expect((await api.get(`/v1/agents/${created.body.id}`, keys.viewer)).body.name).toBe('front-desk');
    const again = await postYaml('/v1/agents', EXAMPLE, keys.builder);
    expect(again.status).toBe(409);
  });

  it('accepts JSON {"manifest": "<yaml>"} too', async () => {
    const res = await api.post('/v1/agents', { manifest: minimal('json-agent') }, keys.builder);
    expect(res.status).toBe(201);
  });

  it('refuses an invalid manifest with 400 and every problem at its line and column', async () => {
    const broken = minimal('broken').replace('greeting:', 'greting:').replace('model: nova-3', 'model: 3');
    const res = await postYaml('/v1/agents', broken, keys.builder);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_manifest');
    expect(res.body.error.message).toMatch(/^Invalid manifest: agent\.yaml:\d+:\d+ /);
    const lines = res.body.error.details.map((p: { line: number }) => p.line);
    expect(lines).toContain(5);
    expect(res.body.error.details.length).toBeGreaterThanOrEqual(2);
  });

  it('validates without saving and serves the JSON Schema', async () => {
    const ok = await postYaml('/v1/manifests/validate', minimal('v'), keys.viewer);
    expect(ok.body).toMatchObject({ valid: true, problems: [] });
    const bad = await postYaml(
      '/v1/manifests/validate',
      minimal('v').replace('kind: Agent', 'kind: Agnet'),
      keys.viewer,
    );
    expect(bad.body.valid).toBe(false);
    expect(bad.body.problems[0]).toMatchObject({ line: 3 });
    const schema = await api.get('/v1/manifests/schema');
    expect(schema.status).toBe(200);
    expect(schema.body.type).toBe('object');
  });

  it('versions, diffs, publishes (admins only) and rolls back', async () => {
    await postYaml('/v1/agents', minimal('lifecycle'), keys.builder);
    const v2 = await postYaml(
      '/v1/agents/lifecycle',
      minimal('lifecycle', 'Hi there, what can I do for you?'),
      keys.builder,
      'PUT',
    );
    expect(v2.status).toBe(201);
    expect(v2.body).toMatchObject({ liveVersion: 1, latestVersion: 2, version: { version: 2, live: false } });

    const same = await postYaml(
      '/v1/agents/lifecycle',
      minimal('lifecycle', 'Hi there, what can I do for you?'),
      keys.builder,
      'PUT',
    );
    expect(same.status).toBe(200);
    expect(same.body.latestVersion).toBe(2);

    const renamed = await postYaml('/v1/agents/lifecycle', minimal('other-name'), keys.builder, 'PUT');
    expect(renamed.status).toBe(400);

    const versions = await api.get('/v1/agents/lifecycle/versions', keys.viewer);
    expect(
      versions.body.versions.map((v: { version: number; live: boolean }) => [v.version, v.live]),
    ).toEqual([
      [2, false],
      [1, true],
    ]);
    const diff = await api.get('/v1/agents/lifecycle/diff?from=1&to=2', keys.viewer);
    expect(diff.body.patch).toContain('-greeting: Hello, how can I help?');
    expect(diff.body.patch).toContain('+greeting: Hi there, what can I do for you?');
    expect(diff.body.hunks).toHaveLength(1);

    expect((await api.post('/v1/agents/lifecycle/publish', { version: 2 }, keys.builder)).status).toBe(403);
    const published = await api.post('/v1/agents/lifecycle/publish', { version: 2 }, keys.admin);
    expect(published.status).toBe(200);
    expect(published.body.liveVersion).toBe(2);
    expect((await api.get('/v1/agents/lifecycle', keys.viewer)).body.live.manifest.greeting).toBe(
      'Hi there, what can I do for you?',
    );

    const rolledBack = await api.post('/v1/agents/lifecycle/rollback', {}, keys.admin);
    expect(rolledBack.body.liveVersion).toBe(1);
    expect(
      (await api.post('/v1/agents/lifecycle/rollback', { version: 2 }, keys.admin)).body.liveVersion,
    ).toBe(2);
    expect((await api.post('/v1/agents/lifecycle/publish', { version: 9 }, keys.admin)).status).toBe(404);

    const log = await api.get('/v1/audit-log?limit=100', owner.token);
    const actions = log.body.entries.map((e: { action: string }) => e.action);
    for (const action of ['agent.created', 'agent.version_created', 'agent.published', 'agent.rolled_back']) {
      expect(actions).toContain(action);
    }
  });

  it('lets viewers read but not write', async () => {
    expect((await postYaml('/v1/agents', minimal('viewer-made'), keys.viewer)).status).toBe(403);
    expect((await api.get('/v1/agents', keys.viewer)).status).toBe(200);
  });

  it('deletes softly: the agent disappears, its rows stay, and the name is free again', async () => {
    const created = await postYaml('/v1/agents', minimal('short-lived'), keys.builder);
    expect((await api.delete('/v1/agents/short-lived', keys.builder)).status).toBe(403);
    expect((await api.delete('/v1/agents/short-lived', keys.admin)).status).toBe(204);
    expect((await api.get('/v1/agents/short-lived', keys.viewer)).status).toBe(404);
    const list = await api.get('/v1/agents', keys.viewer);
    expect(list.body.agents.map((a: { name: string }) => a.name)).not.toContain('short-lived');
    const [row] = await db.system((tx) => tx.select().from(agents).where(eq(agents.id, created.body.id)));
    expect(row!.deletedAt).not.toBeNull();
    expect((await postYaml('/v1/agents', minimal('short-lived'), keys.builder)).status).toBe(201);
  });

  it("hides one organization's agents from another", async () => {
    const other = await signup(vrm.app, 'Other Org');
    const mine = await postYaml('/v1/agents', minimal('private-agent'), keys.builder);
    expect((await api.get(`/v1/agents/${mine.body.id}`, other.token)).status).toBe(404);
    expect((await api.get('/v1/agents/private-agent', other.token)).status).toBe(404);
    expect((await api.get('/v1/agents', other.token)).body.agents).toEqual([]);
    expect((await api.post(`/v1/agents/${mine.body.id}/publish`, { version: 1 }, other.token)).status).toBe(
      404,
    );
    // The same name is free in another organization.
    expect((await postYaml('/v1/agents', minimal('private-agent'), other.token)).status).toBe(201);
  });
});
