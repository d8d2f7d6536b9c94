import { A, useParams } from '@solidjs/router';
import { createEffect, createResource, createSignal, onCleanup, Show } from 'solid-js';
import type { CallDetail as Call } from '../../api/types.js';
import { ErrorNotice, Loading } from '../../components/feedback.js';
import { formatDateTime, formatMs } from '../../components/format.js';
import { TraceView } from '../../components/trace/trace-view.js';
import { useApp } from '../../state/app-context.js';
import { createLiveCall } from '../../state/live-call.js';

/** The trace inspector for one call; an active call's trace updates live. */
export default function CallDetail() {
  const app = useApp();
  const params = useParams<{ id: string }>();
  const [call, { refetch }] = createResource(
    () => `${app.organizationId()}/${params.id}`,
    () => app.api.calls.get(params.id),
  );
  return (
    <Show
      when={!call.error || call()}
      fallback={
        <div class="page">
          <ErrorNotice error={call.error} onRetry={refetch} />
        </div>
      }
    >
      <Show when={call()} keyed fallback={<Loading label="Loading call…" />}>
        {(loaded) => <Inspector call={loaded} />}
      </Show>
    </Show>
  );
}

/** How often an active call's summary (status, counts, duration) is refreshed. */
const SUMMARY_EVERY_MS = 3000;

function Inspector(props: { call: Call }) {
  const app = useApp();
  const [call, setCall] = createSignal(props.call);
  const live = createLiveCall(app.api, props.call.id, { live: props.call.status === 'active' });
  const refresh = async () => {
    const next = await app.api.calls.get(props.call.id).catch(() => undefined);
    if (next) setCall(next);
  };
  // Events stream over the socket; the summary is re-read while the call runs and once the
  // socket reports the end, so status and counts follow without a reload.
  const timer = setInterval(() => {
    if (call().status === 'active') void refresh();
  }, SUMMARY_EVERY_MS);
  onCleanup(() => clearInterval(timer));
  createEffect(() => {
    if (props.call.status === 'active' && live.status() === 'closed' && call().status === 'active')
      void refresh();
  });
  createEffect(() => {
    if (call().status !== 'active') void live.finish();
  });
  const stat = (label: string, value: string | number) => (
    <div class="stat">
      <span class="stat-label">{label}</span>
      <span class="stat-value">{value}</span>
    </div>
  );
  return (
    <div class="page">
      <header class="page-head">
        <div>
          <A href="/calls" class="muted small">
            ← Calls
          </A>
          <h1>
            {call().agentName ?? 'Call'}
            <span class="badge">{call().channel}</span>
            <span
              class="badge"
              classList={{
                'badge-live': call().status === 'active',
                'badge-warn': call().status === 'failed',
              }}
            >
              {call().status}
            </span>
            <Show when={live.status() === 'live'}>
              <span class="badge badge-live live-dot" data-testid="live-badge">
                live
              </span>
            </Show>
          </h1>
          <p class="muted small">
            {formatDateTime(call().startedAt)} · {call().id}
          </p>
        </div>
      </header>
      <div class="stats">
        {stat('Duration', formatMs(call().durationMs))}
        {stat('Ended because', call().endedReason ?? (call().status === 'active' ? 'in progress' : '—'))}
        {stat('Turns', new Set(live.events().flatMap((e) => (e.turnId ? [e.turnId] : []))).size)}
        {stat('Tool calls', call().counts.toolCalls)}
        {stat('Interruptions', call().counts.interruptions)}
        {stat('Fallbacks', call().counts.fallbacks)}
        {stat('Errors', call().counts.errors)}
      </div>
      <Show when={live.error()}>
        <ErrorNotice error={live.error()} compact />
      </Show>
      <Show when={live.status() !== 'loading'} fallback={<Loading label="Loading trace…" />}>
        <TraceView events={live.events()} />
      </Show>
    </div>
  );
}
