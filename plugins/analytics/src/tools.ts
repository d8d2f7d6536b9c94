import { defineTool, READ_ONLY, ToolError } from '@vrm/plugin-kit';
import { z } from 'zod/v4';
import { type AnalyticsQueries, type CallFilter, LATENCY_METRICS } from './queries.js';

const DateOrDateTime = z
  .union([z.iso.datetime({ offset: true }), z.iso.date()])
  .describe('ISO 8601 date (a whole UTC day) or date-time with offset');

const RangeInput = {
  from: DateOrDateTime.describe('Start of the range (calls started at or after it)'),
  to: DateOrDateTime.describe('End of the range; a date includes that whole day'),
  agentId: z.uuid().optional().describe('Only calls handled by this agent'),
};

const Range = z.object({
  organizationId: z.uuid(),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  agentId: z.uuid().nullable(),
});

const MAX_RANGE_DAYS = 366;

function bound(value: string, edge: 'from' | 'to'): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = new Date(`${value}T00:00:00.000Z`);
    return edge === 'to' ? new Date(day.getTime() + 86_400_000) : day;
  }
  return new Date(value);
}

export interface AnalyticsContext {
  queries: AnalyticsQueries;
  organizationId: string;
}

function filterOf(
  ctx: AnalyticsContext,
  input: { from: string; to: string; agentId?: string | undefined },
): CallFilter {
  const from = bound(input.from, 'from');
  const to = bound(input.to, 'to');
  if (to <= from) throw new ToolError('`to` must be after `from`.', 'invalid_range');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * 86_400_000) {
    throw new ToolError(`Ask for at most ${MAX_RANGE_DAYS} days at a time.`, 'invalid_range');
  }
  return { organizationId: ctx.organizationId, from, to, agentId: input.agentId };
}

const rangeOf = (f: CallFilter) => ({
  organizationId: f.organizationId,
  from: f.from.toISOString(),
  to: f.to.toISOString(),
  agentId: f.agentId ?? null,
});

const ms = (v: number | null) => (v === null ? 'n/a' : `${Math.round(v)} ms`);

export function analyticsTools(ctx: AnalyticsContext) {
  return [
    defineTool({
      name: 'get_call_volume',
      title: 'Call volume',
      description:
        'How many calls started in a date range (by status), with a per-day or per-hour series (UTC).',
      input: z.object({ ...RangeInput, interval: z.enum(['day', 'hour']).default('day') }),
      output: z.object({
        range: Range,
        totals: z.object({
          calls: z.number().int(),
          completed: z.number().int(),
          failed: z.number().int(),
          active: z.number().int(),
        }),
        series: z.array(z.object({ bucket: z.iso.datetime(), calls: z.number().int() })),
      }),
      annotations: READ_ONLY,
      async handler(input) {
        const filter = filterOf(ctx, input);
        const { totals, series } = await ctx.queries.volume(filter, input.interval);
        return {
          data: { range: rangeOf(filter), totals, series },
          text: `${totals.calls} calls (${totals.completed} completed, ${totals.failed} failed, ${totals.active} active).`,
        };
      },
    }),
    defineTool({
      name: 'get_call_outcomes',
      title: 'Call outcomes',
      description: 'Why calls ended (ended reasons) in a date range, with counts and shares.',
      input: z.object(RangeInput),
      output: z.object({
        range: Range,
        total: z.number().int(),
        outcomes: z.array(
          z.object({ reason: z.string(), calls: z.number().int(), share: z.number().min(0).max(1) }),
        ),
      }),
      annotations: READ_ONLY,
      async handler(input) {
        const filter = filterOf(ctx, input);
        const { total, outcomes } = await ctx.queries.outcomes(filter);
        const text =
          total === 0
            ? 'No calls in this range.'
            : outcomes.map((o) => `${o.reason}: ${o.calls} (${Math.round(o.share * 100)}%)`).join(', ');
        return { data: { range: rangeOf(filter), total, outcomes }, text };
      },
    }),
    defineTool({
      name: 'get_call_durations',
      title: 'Call durations',
      description:
        'Duration statistics of ended calls in a date range: total, average, median, p90, longest (ms).',
      input: z.object(RangeInput),
      output: z.object({
        range: Range,
        endedCalls: z.number().int(),
        totalMs: z.number(),
        averageMs: z.number().nullable(),
        p50Ms: z.number().nullable(),
        p90Ms: z.number().nullable(),
        maxMs: z.number().nullable(),
      }),
      annotations: READ_ONLY,
      async handler(input) {
        const filter = filterOf(ctx, input);
        const d = await ctx.queries.durations(filter);
        return {
          data: { range: rangeOf(filter), ...d },
          text: `${d.endedCalls} ended calls; average ${ms(d.averageMs)}, median ${ms(d.p50Ms)}, p90 ${ms(d.p90Ms)}.`,
        };
      },
    }),
    defineTool({
      name: 'get_latency_percentiles',
      title: 'Latency percentiles',
      description:
        'Per-turn latency percentiles (p50/p90/p95/p99, ms) from turn.metrics events: voice-to-voice, endpointing, STT, LLM time to first token, TTS time to first byte.',
      input: z.object(RangeInput),
      output: z.object({
        range: Range,
        metrics: z.array(
          z.object({
            metric: z.enum(LATENCY_METRICS),
            samples: z.number().int(),
            p50: z.number().nullable(),
            p90: z.number().nullable(),
            p95: z.number().nullable(),
            p99: z.number().nullable(),
          }),
        ),
      }),
      annotations: READ_ONLY,
      async handler(input) {
        const filter = filterOf(ctx, input);
        const metrics = await ctx.queries.latency(filter);
        const v2v = metrics.find((m) => m.metric === 'voiceToVoiceMs')!;
        const text =
          v2v.samples === 0
            ? 'No turn latency samples in this range.'
            : `Voice-to-voice over ${v2v.samples} turns: p50 ${ms(v2v.p50)}, p90 ${ms(v2v.p90)}, p99 ${ms(v2v.p99)}.`;
        return { data: { range: rangeOf(filter), metrics }, text };
      },
    }),
    defineTool({
      name: 'get_tool_usage',
      title: 'Tool usage',
      description:
        'MCP tool calls made by agents in a date range: count, errors and duration percentiles per tool.',
      input: z.object(RangeInput),
      output: z.object({
        range: Range,
        tools: z.array(
          z.object({
            server: z.string(),
            tool: z.string(),
            calls: z.number().int(),
            errors: z.number().int(),
            errorRate: z.number().min(0).max(1),
            p50DurationMs: z.number().nullable(),
            p95DurationMs: z.number().nullable(),
          }),
        ),
      }),
      annotations: READ_ONLY,
      async handler(input) {
        const filter = filterOf(ctx, input);
        const tools = await ctx.queries.toolUsage(filter);
        const text =
          tools.length === 0
            ? 'No tool calls in this range.'
            : tools.map((t) => `${t.server}/${t.tool}: ${t.calls} calls, ${t.errors} errors`).join('; ');
        return { data: { range: rangeOf(filter), tools }, text };
      },
    }),
  ];
}
