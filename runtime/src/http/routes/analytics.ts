import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Services } from '../../kernel/container.js';
import { tenant } from '../request-meta.js';
import type { ApiRouter } from '../route.js';
import { parseQuery } from '../validate.js';

const DAY = 86_400_000;

const AnalyticsQuery = z
  .strictObject({
    from: z.iso.date().optional(),
    to: z.iso.date().optional(),
    agent: z.uuid().optional(),
    interval: z.enum(['hour', 'day']).default('day'),
  })
  .transform((q) => {
    const to = q.to ? new Date(`${q.to}T00:00:00Z`).getTime() + DAY : Date.now();
    const from = q.from ? new Date(`${q.from}T00:00:00Z`).getTime() : to - 30 * DAY;
    return { ...q, from: new Date(from), to: new Date(to) };
  })
  .refine((q) => q.from < q.to, { message: 'from must be before to', path: ['from'] })
  .refine((q) => q.to.getTime() - q.from.getTime() <= 366 * DAY, {
    message: 'the range is at most a year',
    path: ['to'],
  });

type Row = Record<string, unknown>;
const rowsOf = (result: unknown): Row[] =>
  Array.isArray(result) ? (result as Row[]) : ((result as { rows: Row[] }).rows ?? []);
const num = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v) * 10) / 10);

/**
 * `GET /v1/analytics`: the dashboard's figures over a range — call volume and outcomes per bucket,
 * and voice-to-voice latency percentiles per bucket from the `turn.metrics` events.
 */
export function analyticsRoutes(r: ApiRouter, services: Services) {
  r.get('/v1/analytics', 'calls:read', async (c) => {
    const q = parseQuery(c, AnalyticsQuery);
    const unit = sql.raw(`'${q.interval}'`);
    const agentFilter = q.agent ? sql`and c.agent_id = ${q.agent}::uuid` : sql``;
    const range = sql`c.started_at >= ${q.from.toISOString()}::timestamptz and c.started_at < ${q.to.toISOString()}::timestamptz ${agentFilter}`;
    const result = await tenant(c, services, async (tx) => {
      const volume = rowsOf(
        await tx.execute(sql`
          select date_trunc(${unit}, c.started_at) as bucket,
                 count(*)::int as calls,
                 count(*) filter (where c.status = 'completed')::int as completed,
                 count(*) filter (where c.status = 'failed')::int as failed,
                 avg(c.duration_ms) as avg_duration_ms
          from calls c where ${range}
          group by 1 order by 1`),
      );
      const outcomes = rowsOf(
        await tx.execute(sql`
          select coalesce(c.ended_reason, 'in_progress') as reason, count(*)::int as calls
          from calls c where ${range} group by 1 order by 2 desc`),
      );
      const latency = rowsOf(
        await tx.execute(sql`
          select date_trunc(${unit}, e.at) as bucket,
                 count(*)::int as turns,
                 percentile_cont(0.5) within group (order by (e.data->>'voiceToVoiceMs')::float8) as p50,
                 percentile_cont(0.95) within group (order by (e.data->>'voiceToVoiceMs')::float8) as p95,
                 percentile_cont(0.99) within group (order by (e.data->>'voiceToVoiceMs')::float8) as p99
          from call_events e join calls c on c.id = e.call_id
          where e.type = 'turn.metrics' and e.data ? 'voiceToVoiceMs' and ${range}
          group by 1 order by 1`),
      );
      return { volume, outcomes, latency };
    });
    return c.json({
      from: q.from.toISOString(),
      to: q.to.toISOString(),
      interval: q.interval,
      volume: result.volume.map((r) => ({
        bucket: new Date(String(r.bucket)).toISOString(),
        calls: Number(r.calls),
        completed: Number(r.completed),
        failed: Number(r.failed),
        avgDurationMs: num(r.avg_duration_ms),
      })),
      outcomes: result.outcomes.map((r) => ({ reason: String(r.reason), calls: Number(r.calls) })),
      latency: result.latency.map((r) => ({
        bucket: new Date(String(r.bucket)).toISOString(),
        turns: Number(r.turns),
        p50: num(r.p50),
        p95: num(r.p95),
        p99: num(r.p99),
      })),
    });
  });
}
