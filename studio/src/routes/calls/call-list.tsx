import { A, useSearchParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import type { CallFilters, CallSummary } from '../../api/types.js';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.js';
import { formatDateTime, formatMs } from '../../components/format.js';
import { useApp } from '../../state/app-context.js';

type Search = {
  agent?: string;
  status?: string;
  endedReason?: string;
  channel?: string;
  from?: string;
  to?: string;
};

const PAGE = 50;

/** Calls, newest first, filtered by agent, status, date and ended reason; "Load more" pages on. */
export default function CallList() {
  const app = useApp();
  const [search, setSearch] = useSearchParams<Search>();
  const [agents] = createResource(app.organizationId, () => app.api.agents.list());
  const filters = (): CallFilters => ({
    agent: search.agent,
    status: (search.status as CallFilters['status']) ?? '',
    endedReason: search.endedReason,
    channel: (search.channel as CallFilters['channel']) ?? '',
    from: search.from,
    to: search.to,
    limit: PAGE,
  });
  const [more, setMore] = createSignal<CallSummary[]>([]);
  const [cursor, setCursor] = createSignal<string | null>(null);
  const [loadingMore, setLoadingMore] = createSignal(false);
  const [moreError, setMoreError] = createSignal<unknown>();
  const [page, { refetch }] = createResource(
    () => `${app.organizationId()}?${JSON.stringify(filters())}`,
    async () => {
      const result = await app.api.calls.list(filters());
      setMore([]);
      setCursor(result.nextCursor);
      return result.calls;
    },
  );
  const rows = () => [...(page() ?? []), ...more()];

  const loadMore = async () => {
    const next = cursor();
    if (!next) return;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const result = await app.api.calls.list({ ...filters(), cursor: next });
      setMore([...more(), ...result.calls]);
      setCursor(result.nextCursor);
    } catch (e) {
      setMoreError(e);
    } finally {
      setLoadingMore(false);
    }
  };

  const set = (key: keyof Search) => (e: Event) =>
    setSearch({ [key]: (e.currentTarget as HTMLInputElement | HTMLSelectElement).value || undefined });
  const filtered = () => Object.values(search).some((v) => v);

  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Calls</h1>
          <p class="muted">Every phone, browser and text call, with its full trace.</p>
        </div>
        <button type="button" class="btn" onClick={() => void refetch()}>
          Refresh
        </button>
      </header>
      <form class="toolbar-form" aria-label="Filter calls" onSubmit={(e) => e.preventDefault()}>
        <label class="field inline">
          <span class="field-label">Agent</span>
          <select value={search.agent ?? ''} onChange={set('agent')}>
            <option value="">All agents</option>
            <For each={agents()}>{(a) => <option value={a.name}>{a.name}</option>}</For>
          </select>
        </label>
        <label class="field inline">
          <span class="field-label">Status</span>
          <select value={search.status ?? ''} onChange={set('status')}>
            <option value="">Any</option>
            <option value="active">Active</option>
            <option value="completed">Completed</option>
            <option value="failed">Failed</option>
          </select>
        </label>
        <label class="field inline">
          <span class="field-label">Channel</span>
          <select value={search.channel ?? ''} onChange={set('channel')}>
            <option value="">Any</option>
            <option value="twilio">Phone</option>
            <option value="browser">Browser</option>
            <option value="text">Text</option>
          </select>
        </label>
        <label class="field inline">
          <span class="field-label">Ended</span>
          <input
            value={search.endedReason ?? ''}
            onChange={set('endedReason')}
            placeholder="reason"
            size={12}
          />
        </label>
        <label class="field inline">
          <span class="field-label">From</span>
          <input type="date" value={search.from ?? ''} onChange={set('from')} />
        </label>
        <label class="field inline">
          <span class="field-label">To</span>
          <input type="date" value={search.to ?? ''} onChange={set('to')} />
        </label>
        <Show when={filtered()}>
          <button
            type="button"
            class="btn btn-ghost btn-small"
            onClick={() =>
              setSearch({
                agent: undefined,
                status: undefined,
                channel: undefined,
                endedReason: undefined,
                from: undefined,
                to: undefined,
              })
            }
          >
            Clear filters
          </button>
        </Show>
      </form>
      <Show when={!page.error} fallback={<ErrorNotice error={page.error} onRetry={refetch} />}>
        <Show when={page()} fallback={<Loading label="Loading calls…" />}>
          <Show
            when={rows().length > 0}
            fallback={
              <EmptyState title={filtered() ? 'No calls match these filters' : 'No calls yet'}>
                {filtered()
                  ? 'Widen the dates or clear a filter.'
                  : 'Test an agent from its page (text or microphone), or route a phone number to it.'}
              </EmptyState>
            }
          >
            <div class="table-wrap">
              <table class="table" data-testid="calls-table">
                <thead>
                  <tr>
                    <th scope="col">Started</th>
                    <th scope="col">Agent</th>
                    <th scope="col">Channel</th>
                    <th scope="col">From</th>
                    <th scope="col">Status</th>
                    <th scope="col" class="num">
                      Duration
                    </th>
                    <th scope="col">Ended because</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={rows()}>
                    {(call) => (
                      <tr>
                        <td>
                          <A href={`/calls/${call.id}`}>{formatDateTime(call.startedAt)}</A>
                        </td>
                        <td>
                          {call.agentName ?? '—'}
                          <Show when={call.agentVersion}>
                            <span class="muted small"> v{call.agentVersion}</span>
                          </Show>
                        </td>
                        <td>{call.channel}</td>
                        <td>{call.fromNumber ?? '—'}</td>
                        <td>
                          <span
                            class="badge"
                            classList={{
                              'badge-live': call.status === 'active',
                              'badge-warn': call.status === 'failed',
                            }}
                          >
                            {call.status}
                          </span>
                        </td>
                        <td class="num">{formatMs(call.durationMs)}</td>
                        <td>{call.endedReason ?? '—'}</td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
            <Show when={moreError()}>
              <ErrorNotice error={moreError()} onRetry={loadMore} compact />
            </Show>
            <Show when={cursor()}>
              <button type="button" class="btn" onClick={loadMore} disabled={loadingMore()}>
                {loadingMore() ? 'Loading…' : 'Load more'}
              </button>
            </Show>
          </Show>
        </Show>
      </Show>
    </div>
  );
}
