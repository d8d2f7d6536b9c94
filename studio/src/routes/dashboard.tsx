import { useSearchParams } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { Lines, RankedBars, StackedBars } from '../components/charts.js';
import { EmptyState, ErrorNotice, Loading } from '../components/feedback.js';
import { useApp } from '../state/app-context.js';

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
const label = (bucket: string, hourly: boolean) =>
  hourly
    ? new Date(bucket).toLocaleTimeString(undefined, { hour: '2-digit' })
    : new Date(bucket).toLocaleDateString(undefined, { day: 'numeric', month: 'short' });

/** Every day from `from` to `to`, so quiet days show as gaps rather than vanishing. */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  const end = new Date(`${to}T00:00:00Z`).getTime();
  for (let t = new Date(`${from}T00:00:00Z`).getTime(); t <= end && days.length < 400; t += 86_400_000) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** The API's buckets spread over the whole range (by day); hours are shown as they come. */
function fill<T extends { bucket: string }>(
  rows: T[],
  from: string,
  to: string,
  hourly: boolean,
  empty: (bucket: string) => T,
): T[] {
  if (hourly) return rows;
  const byDay = new Map(rows.map((r) => [r.bucket.slice(0, 10), r]));
  return daysBetween(from, to).map((d) => byDay.get(d) ?? empty(d));
}

/** Call volume, outcomes and voice-to-voice latency percentiles over time. */
export default function Dashboard() {
  const app = useApp();
  const [search, setSearch] = useSearchParams<{
    from?: string;
    to?: string;
    agent?: string;
    interval?: string;
  }>();
  const [agents] = createResource(app.organizationId, () => app.api.agents.list());
  const query = () => ({
    from: search.from ?? day(-29),
    to: search.to ?? day(0),
    agent: search.agent,
    interval: (search.interval === 'hour' ? 'hour' : 'day') as 'day' | 'hour',
  });
  const [data, { refetch }] = createResource(
    () => `${app.organizationId()}?${JSON.stringify(query())}`,
    () => app.api.calls.analytics(query()),
  );
  const hourly = () => query().interval === 'hour';
  const total = () => (data()?.volume ?? []).reduce((sum, v) => sum + v.calls, 0);
  const volume = () =>
    fill(data()?.volume ?? [], query().from, query().to, hourly(), (bucket) => ({
      bucket,
      calls: 0,
      completed: 0,
      failed: 0,
      avgDurationMs: null,
    }));
  const latency = () =>
    fill(data()?.latency ?? [], query().from, query().to, hourly(), (bucket) => ({
      bucket,
      turns: 0,
      p50: null,
      p95: null,
      p99: null,
    }));

  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Dashboard</h1>
          <p class="muted">Calls, how they ended and how fast the agents answered.</p>
        </div>
        <form class="actions" onSubmit={(e) => e.preventDefault()} aria-label="Dashboard range">
          <label class="field inline">
            <span class="field-label">Agent</span>
            <select
              value={search.agent ?? ''}
              onChange={(e) => setSearch({ agent: e.currentTarget.value || undefined })}
            >
              <option value="">All</option>
              <For each={agents()}>{(a) => <option value={a.id}>{a.name}</option>}</For>
            </select>
          </label>
          <label class="field inline">
            <span class="field-label">From</span>
            <input
              type="date"
              value={query().from}
              onChange={(e) => setSearch({ from: e.currentTarget.value || undefined })}
            />
          </label>
          <label class="field inline">
            <span class="field-label">To</span>
            <input
              type="date"
              value={query().to}
              onChange={(e) => setSearch({ to: e.currentTarget.value || undefined })}
            />
          </label>
          <label class="field inline">
            <span class="field-label">By</span>
            <select value={query().interval} onChange={(e) => setSearch({ interval: e.currentTarget.value })}>
              <option value="day">day</option>
              <option value="hour">hour</option>
            </select>
          </label>
        </form>
      </header>
      <Show when={!data.error} fallback={<ErrorNotice error={data.error} onRetry={refetch} />}>
        <Show when={data()} fallback={<Loading label="Loading figures…" />}>
          {(d) => (
            <Show
              when={total() > 0}
              fallback={
                <EmptyState title="No calls in this range">
                  Pick a wider range, or place a test call.
                </EmptyState>
              }
            >
              <div class="dash-grid" data-testid="dashboard">
                <section class="panel">
                  <h2 class="panel-title">Call volume</h2>
                  <StackedBars
                    title="Calls per bucket"
                    labels={volume().map((v) => label(v.bucket, hourly()))}
                    series={[
                      { name: 'completed', color: 'var(--ok)', values: volume().map((v) => v.completed) },
                      { name: 'failed', color: 'var(--bad)', values: volume().map((v) => v.failed) },
                      {
                        name: 'other',
                        color: '#9aa5b1',
                        values: volume().map((v) => Math.max(0, v.calls - v.completed - v.failed)),
                      },
                    ]}
                  />
                </section>
                <section class="panel">
                  <h2 class="panel-title">Voice-to-voice latency</h2>
                  <Show
                    when={d().latency.some((l) => l.turns > 0)}
                    fallback={<p class="muted small">No measured turns in this range.</p>}
                  >
                    <Lines
                      title="Latency percentiles"
                      unit=" ms"
                      labels={latency().map((l) => label(l.bucket, hourly()))}
                      series={[
                        { name: 'p50', color: 'var(--accent)', values: latency().map((l) => l.p50) },
                        { name: 'p95', color: 'var(--warn)', values: latency().map((l) => l.p95) },
                        { name: 'p99', color: 'var(--bad)', values: latency().map((l) => l.p99) },
                      ]}
                    />
                  </Show>
                </section>
                <section class="panel">
                  <h2 class="panel-title">Outcomes</h2>
                  <RankedBars
                    rows={d().outcomes.map((o) => ({ label: o.reason ?? 'in progress', value: o.calls }))}
                  />
                </section>
              </div>
            </Show>
          )}
        </Show>
      </Show>
    </div>
  );
}
