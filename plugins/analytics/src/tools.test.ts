import type { Client } from '@modelcontextprotocol/client';
import { type AnyToolDefinition, type PluginDatabase, queryRows } from '@vrm/plugin-kit';
import { connectInMemory, openTestPluginDatabase, testDrivers } from '@vrm/plugin-kit/testing';
import { type SQL, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR } from './config.js';
import { openAnalyticsDatabase } from './main.js';
import { AnalyticsQueries } from './queries.js';
import { createAnalyticsServer } from './server.js';
import { analyticsTools } from './tools.js';

const ORG = '11111111-1111-4111-8111-111111111111';
const OTHER_ORG = '22222222-2222-4222-8222-222222222222';
const AGENT = '33333333-3333-4333-8333-333333333333';
const OTHER_AGENT = '44444444-4444-4444-8444-444444444444';

interface CallSeed {
  org?: string;
  agent?: string;
  startedAt: string;
  status: 'active' | 'completed' | 'failed';
  durationMs?: number;
  reason?: string;
  turns?: Array<Record<string, number>>;
  tools?: Array<{ server: string; tool: string; durationMs: number; isError: boolean }>;
}

const RANGE = { from: '2030-03-01', to: '2030-03-03' };

describe.each(testDrivers())('analytics over VRM call data on %s', (driver) => {
  let database: PluginDatabase;
  let client: Client;
  let definitions: Map<string, AnyToolDefinition>;
  let seq = 0;

  async function seedCall(c: CallSeed) {
    const org = c.org ?? ORG;
    const [call] = await queryRows<{ id: string }>(
      database.db,
      sql`
      insert into calls (organization_id, agent_id, channel, status, started_at, duration_ms, ended_reason)
      values (${org}::uuid, ${c.agent ?? AGENT}::uuid, 'twilio', ${c.status}, ${c.startedAt}::timestamptz,
              ${c.durationMs ?? null}, ${c.reason ?? null})
      returning id`,
    );
    const callId = call!.id;
    const events = [
      ...(c.turns ?? []).map((data, i) => ({ type: 'turn.metrics', turn: i + 1, data })),
      ...(c.tools ?? []).map((data) => ({
        type: 'tool.result',
        turn: 1,
        data: { ...data, name: `${data.server}__${data.tool}` },
      })),
    ];
    for (const e of events) {
      seq++;
      await database.db.execute(sql`
      insert into call_events (organization_id, call_id, seq, type, turn_id, at, offset_ms, data)
      values (${org}::uuid, ${callId}::uuid, ${seq}, ${e.type}, ${e.turn}, ${c.startedAt}::timestamptz, ${seq * 100},
              ${JSON.stringify(e.data)}::jsonb)`);
    }
  }

  beforeAll(async () => {
    database = await openTestPluginDatabase(
      driver,
      (url) => openAnalyticsDatabase({ url, migrationsDir: DEFAULT_MIGRATIONS_DIR }),
      // PostgreSQL gets VRM's schema the way the runtime migrates it; PGlite is migrated at open.
      { migrationsFolder: DEFAULT_MIGRATIONS_DIR },
    );
    for (const [id, slug] of [
      [ORG, 'acme'],
      [OTHER_ORG, 'other'],
    ]) {
      await database.db.execute(
        sql`insert into organizations (id, name, slug) values (${id}::uuid, ${slug}, ${slug})`,
      );
    }
    for (const [id, org, name] of [
      [AGENT, ORG, 'front-desk'],
      [OTHER_AGENT, ORG, 'after-hours'],
    ]) {
      await database.db.execute(
        sql`insert into agents (id, organization_id, name, live_version, latest_version) values (${id}::uuid, ${org}::uuid, ${name}, 1, 1)`,
      );
    }
    await database.db.execute(
      sql`insert into agents (id, organization_id, name, live_version, latest_version) values (gen_random_uuid(), ${OTHER_ORG}::uuid, 'x', 1, 1)`,
    );

    const v2v = [800, 900, 1000, 1100, 1200, 1300, 1400, 1500, 1600, 3000];
    await seedCall({
      startedAt: '2030-03-02T09:15:00Z',
      status: 'completed',
      durationMs: 60_000,
      reason: 'caller_hangup',
      turns: v2v.slice(0, 5).map((v) => ({ voiceToVoiceMs: v, sttMs: 100, llmTtftMs: 400 })),
      tools: [
        { server: 'crm', tool: 'find_contact_by_phone', durationMs: 40, isError: false },
        { server: 'crm', tool: 'book_appointment', durationMs: 120, isError: true },
      ],
    });
    await seedCall({
      startedAt: '2030-03-02T10:30:00Z',
      status: 'completed',
      durationMs: 120_000,
      reason: 'agent_ended',
      turns: v2v.slice(5).map((v) => ({ voiceToVoiceMs: v, endpointingMs: 200 })),
      tools: [{ server: 'crm', tool: 'find_contact_by_phone', durationMs: 60, isError: false }],
    });
    await seedCall({
      startedAt: '2030-03-03T11:00:00Z',
      status: 'failed',
      durationMs: 5_000,
      reason: 'error',
      agent: OTHER_AGENT,
    });
    await seedCall({ startedAt: '2030-03-03T12:00:00Z', status: 'active' });
    // Outside the range, and another organization's call inside it: neither may be counted.
    await seedCall({
      startedAt: '2030-02-27T12:00:00Z',
      status: 'completed',
      durationMs: 1,
      reason: 'caller_hangup',
    });
    await seedCall({
      org: OTHER_ORG,
      agent: undefined,
      startedAt: '2030-03-02T09:00:00Z',
      status: 'completed',
      durationMs: 999_999,
      reason: 'caller_hangup',
      turns: [{ voiceToVoiceMs: 99_999 }],
    });

    const server = createAnalyticsServer({ db: database.db, organizationId: ORG });
    definitions = new Map(
      analyticsTools({ queries: new AnalyticsQueries(database.db), organizationId: ORG }).map((t) => [
        t.name,
        t,
      ]),
    );
    client = await connectInMemory(server);
    await client.listTools();
  });

  afterAll(async () => {
    await client?.close();
    await database?.close();
  });

  async function call(name: string, args: Record<string, unknown>) {
    const result = await client.callTool({ name, arguments: args });
    expect(result.isError, JSON.stringify(result.content)).toBeFalsy();
    const parsed = definitions.get(name)!.output.safeParse(result.structuredContent);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    return result.structuredContent as any;
  }

  it('counts call volume by status with a daily series, for this organization only', async () => {
    const volume = await call('get_call_volume', RANGE);
    expect(volume.totals).toEqual({ calls: 4, completed: 2, failed: 1, active: 1 });
    expect(volume.series).toEqual([
      { bucket: '2030-03-02T00:00:00Z', calls: 2 },
      { bucket: '2030-03-03T00:00:00Z', calls: 2 },
    ]);
    expect(volume.range).toMatchObject({
      organizationId: ORG,
      from: '2030-03-01T00:00:00.000Z',
      to: '2030-03-04T00:00:00.000Z',
    });
  });

  it('filters by agent and buckets by hour', async () => {
    const volume = await call('get_call_volume', { ...RANGE, agentId: OTHER_AGENT, interval: 'hour' });
    expect(volume.totals.calls).toBe(1);
    expect(volume.series).toEqual([{ bucket: '2030-03-03T11:00:00Z', calls: 1 }]);
  });

  it('breaks down ended reasons with shares', async () => {
    const { total, outcomes } = await call('get_call_outcomes', RANGE);
    expect(total).toBe(4);
    expect(outcomes).toEqual([
      { reason: 'agent_ended', calls: 1, share: 0.25 },
      { reason: 'caller_hangup', calls: 1, share: 0.25 },
      { reason: 'error', calls: 1, share: 0.25 },
      { reason: 'in_progress', calls: 1, share: 0.25 },
    ]);
  });

  it('summarizes durations of ended calls', async () => {
    expect(await call('get_call_durations', RANGE)).toMatchObject({
      endedCalls: 3,
      totalMs: 185_000,
      averageMs: 61_666.7,
      p50Ms: 60_000,
      maxMs: 120_000,
    });
  });

  it('computes latency percentiles from turn.metrics events', async () => {
    const { metrics } = await call('get_latency_percentiles', RANGE);
    const byMetric = Object.fromEntries(metrics.map((m: { metric: string }) => [m.metric, m]));
    // percentile_cont over 800..1600 and 3000: p50 = 1250, p90 = 1600 + 0.1 * 1400 = 1740.
    expect(byMetric.voiceToVoiceMs).toMatchObject({ samples: 10, p50: 1250, p90: 1740 });
    expect(byMetric.sttMs).toMatchObject({ samples: 5, p50: 100 });
    expect(byMetric.endpointingMs).toMatchObject({ samples: 5, p50: 200 });
    expect(byMetric.ttsTtfbMs).toEqual({
      metric: 'ttsTtfbMs',
      samples: 0,
      p50: null,
      p90: null,
      p95: null,
      p99: null,
    });
  });

  it('reports tool usage with error rates', async () => {
    const { tools } = await call('get_tool_usage', RANGE);
    expect(tools).toEqual([
      {
        server: 'crm',
        tool: 'find_contact_by_phone',
        calls: 2,
        errors: 0,
        errorRate: 0,
        p50DurationMs: 50,
        p95DurationMs: 59,
      },
      {
        server: 'crm',
        tool: 'book_appointment',
        calls: 1,
        errors: 1,
        errorRate: 1,
        p50DurationMs: 120,
        p95DurationMs: 120,
      },
    ]);
  });

  it('reports honest zeros for an organization without calls', async () => {
    const empty = await connectInMemory(
      createAnalyticsServer({ db: database.db, organizationId: '55555555-5555-4555-8555-555555555555' }),
    );
    const result = await empty.callTool({ name: 'get_call_durations', arguments: RANGE });
    expect(result.structuredContent).toMatchObject({
      endedCalls: 0,
      totalMs: 0,
      averageMs: null,
      p50Ms: null,
    });
    await empty.close();
  });

  it('runs its queries as the vrm_app role, so row-level security applies', async () => {
    const queries = new AnalyticsQueries(database.db);
    const volume = await queries.volume(
      { organizationId: ORG, from: new Date('2030-03-01'), to: new Date('2030-03-04') },
      'day',
    );
    expect(volume.totals.calls).toBe(4);
    expect((queries as unknown as { assumeAppRole: boolean }).assumeAppRole).toBe(true);
  });

  it('sees only its organization through row-level security, even without a where clause', async () => {
    const queries = new AnalyticsQueries(database.db) as unknown as {
      scoped<T>(
        org: string,
        run: (q: (query: SQL) => Promise<Record<string, unknown>[]>) => Promise<T>,
      ): Promise<T>;
    };
    const seen = await queries.scoped(ORG, async (q) => {
      const [row] = await q(sql`
        select current_user as role,
          (select count(*)::int from calls) as calls,
          (select count(*)::int from call_events) as events,
          (select count(*)::int from organizations) as organizations`);
      return row;
    });
    // Five of ORG's calls (one out of range) and their 13 events; OTHER_ORG's call and event are hidden.
    expect(seen).toEqual({ role: 'vrm_app', calls: 5, events: 13, organizations: 1 });
  });

  it('answers a reversed range with an isError result', async () => {
    const result = await client.callTool({
      name: 'get_call_volume',
      arguments: { from: '2030-03-05', to: '2030-03-01' },
    });
    expect(result.isError).toBe(true);
  });

  it('offers only read-only tools', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([
      'get_call_durations',
      'get_call_outcomes',
      'get_call_volume',
      'get_latency_percentiles',
      'get_tool_usage',
    ]);
    for (const tool of tools)
      expect(tool.annotations).toMatchObject({ readOnlyHint: true, destructiveHint: false });
  });
});
