/**
 * Read-only queries over VRM's `calls` and `call_events` tables (defined in
 * runtime/src/db/schema.ts, created by the repo's migrations). Every query runs in a read-only
 * transaction with the tenant setting `vrm.org_id` set, as the `vrm_app` role when this database
 * user may assume it, so row-level security applies; the explicit organization filter is a second
 * fence, not the only one.
 *
 * Event contract read here (documented in the schema file):
 * - `turn.metrics`: data `{ endpointingMs, sttMs, llmTtftMs, ttsTtfbMs, voiceToVoiceMs }`, one per turn.
 * - `tool.result`: data `{ server, tool, name, durationMs, isError }`.
 * Calls are attributed to a range by `calls.started_at` (from inclusive, to exclusive).
 */
import { type Db, queryRows } from '@vrm/plugin-kit';
import { type SQL, sql } from 'drizzle-orm';

export interface CallFilter {
  organizationId: string;
  from: Date;
  to: Date;
  agentId?: string | undefined;
}

export const LATENCY_METRICS = [
  'voiceToVoiceMs',
  'endpointingMs',
  'sttMs',
  'llmTtftMs',
  'ttsTtfbMs',
] as const;
export type LatencyMetric = (typeof LATENCY_METRICS)[number];

type Row = Record<string, unknown>;

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const numOrNull = (v: unknown): number | null =>
  v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10;

/** The shared `where` for calls in range, for the organization, optionally for one agent. */
function callsWhere(f: CallFilter, alias = 'c'): SQL {
  const c = sql.raw(alias);
  return sql`${c}.organization_id = ${f.organizationId}::uuid
    and ${c}.started_at >= ${f.from.toISOString()}::timestamptz
    and ${c}.started_at < ${f.to.toISOString()}::timestamptz
    ${f.agentId ? sql`and ${c}.agent_id = ${f.agentId}::uuid` : sql``}`;
}

export class AnalyticsQueries {
  private assumeAppRole: boolean | undefined;

  constructor(private readonly db: Db) {}

  /** Runs queries in a read-only transaction scoped to the organization. */
  private async scoped<T>(
    organizationId: string,
    run: (q: (query: SQL) => Promise<Row[]>) => Promise<T>,
  ): Promise<T> {
    if (this.assumeAppRole === undefined) {
      const [row] = await queryRows(
        this.db,
        sql`select exists (select 1 from pg_roles where rolname = 'vrm_app') and pg_has_role(current_user, 'vrm_app', 'MEMBER') as ok`,
      );
      this.assumeAppRole = row?.ok === true;
    }
    return this.db.transaction(async (tx) => {
      await tx.execute(sql`set transaction read only`);
      if (this.assumeAppRole) await tx.execute(sql`set local role vrm_app`);
      await tx.execute(sql`select set_config('vrm.org_id', ${organizationId}, true)`);
      return run((query) => queryRows(tx, query));
    });
  }

  async volume(f: CallFilter, interval: 'hour' | 'day') {
    return this.scoped(f.organizationId, async (q) => {
      const [totals] = await q(sql`
        select count(*)::int as calls,
          count(*) filter (where status = 'completed')::int as completed,
          count(*) filter (where status = 'failed')::int as failed,
          count(*) filter (where status = 'active')::int as active
        from calls c where ${callsWhere(f)}`);
      const series = await q(sql`
        select to_char(date_trunc(${interval}, c.started_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as bucket,
          count(*)::int as calls
        from calls c where ${callsWhere(f)}
        group by 1 order by 1`);
      return {
        totals: {
          calls: num(totals?.calls),
          completed: num(totals?.completed),
          failed: num(totals?.failed),
          active: num(totals?.active),
        },
        series: series.map((r) => ({ bucket: String(r.bucket), calls: num(r.calls) })),
      };
    });
  }

  async outcomes(f: CallFilter) {
    return this.scoped(f.organizationId, async (q) => {
      const rows = await q(sql`
        select coalesce(c.ended_reason, case when c.status = 'active' then 'in_progress' else 'unknown' end) as reason,
          count(*)::int as calls
        from calls c where ${callsWhere(f)}
        group by 1 order by 2 desc, 1`);
      const total = rows.reduce((n, r) => n + num(r.calls), 0);
      return {
        total,
        outcomes: rows.map((r) => ({
          reason: String(r.reason),
          calls: num(r.calls),
          share: total === 0 ? 0 : Math.round((num(r.calls) / total) * 1000) / 1000,
        })),
      };
    });
  }

  async durations(f: CallFilter) {
    return this.scoped(f.organizationId, async (q) => {
      const [row] = await q(sql`
        select count(c.duration_ms)::int as calls,
          coalesce(sum(c.duration_ms), 0)::float8 as total_ms,
          avg(c.duration_ms)::float8 as average_ms,
          percentile_cont(0.5) within group (order by c.duration_ms) as p50_ms,
          percentile_cont(0.9) within group (order by c.duration_ms) as p90_ms,
          max(c.duration_ms)::float8 as max_ms
        from calls c where ${callsWhere(f)} and c.duration_ms is not null`);
      return {
        endedCalls: num(row?.calls),
        totalMs: num(row?.total_ms),
        averageMs: numOrNull(row?.average_ms),
        p50Ms: numOrNull(row?.p50_ms),
        p90Ms: numOrNull(row?.p90_ms),
        maxMs: numOrNull(row?.max_ms),
      };
    });
  }

  async latency(f: CallFilter) {
    return this.scoped(f.organizationId, async (q) => {
      const metricValues = sql.join(
        LATENCY_METRICS.map((m) => sql`(${m}, (e.data ->> ${m})::float8)`),
        sql`, `,
      );
      const rows = await q(sql`
        select m.metric,
          count(*)::int as samples,
          percentile_cont(0.5) within group (order by m.value) as p50,
          percentile_cont(0.9) within group (order by m.value) as p90,
          percentile_cont(0.95) within group (order by m.value) as p95,
          percentile_cont(0.99) within group (order by m.value) as p99
        from call_events e
        join calls c on c.id = e.call_id
        cross join lateral (values ${metricValues}) as m(metric, value)
        where ${callsWhere(f)} and e.organization_id = ${f.organizationId}::uuid
          and e.type = 'turn.metrics' and m.value is not null
        group by m.metric`);
      const byMetric = new Map(rows.map((r) => [String(r.metric), r]));
      return LATENCY_METRICS.map((metric) => {
        const r = byMetric.get(metric);
        return {
          metric,
          samples: num(r?.samples),
          p50: numOrNull(r?.p50),
          p90: numOrNull(r?.p90),
          p95: numOrNull(r?.p95),
          p99: numOrNull(r?.p99),
        };
      });
    });
  }

  async toolUsage(f: CallFilter) {
    return this.scoped(f.organizationId, async (q) => {
      const rows = await q(sql`
        select coalesce(e.data ->> 'server', '') as server,
          coalesce(e.data ->> 'tool', e.data ->> 'name', '') as tool,
          count(*)::int as calls,
          count(*) filter (where (e.data ->> 'isError')::boolean)::int as errors,
          percentile_cont(0.5) within group (order by (e.data ->> 'durationMs')::float8) as p50,
          percentile_cont(0.95) within group (order by (e.data ->> 'durationMs')::float8) as p95
        from call_events e
        join calls c on c.id = e.call_id
        where ${callsWhere(f)} and e.organization_id = ${f.organizationId}::uuid and e.type = 'tool.result'
        group by 1, 2 order by 3 desc, 1, 2`);
      return rows.map((r) => ({
        server: String(r.server),
        tool: String(r.tool),
        calls: num(r.calls),
        errors: num(r.errors),
        errorRate: num(r.calls) === 0 ? 0 : Math.round((num(r.errors) / num(r.calls)) * 1000) / 1000,
        p50DurationMs: numOrNull(r.p50),
        p95DurationMs: numOrNull(r.p95),
      }));
    });
  }
}
