import { A, useParams } from '@solidjs/router';
import { createEffect, createResource, createSignal, onCleanup, Show } from 'solid-js';
import type { CallDetail as Call } from '../../api/types.js';
import { ErrorNotice, Loading } from '../../components/feedback.js';
import { formatDateTime, formatMs } from '../../components/format.js';
import { TraceView } from '../../components/trace/trace-view.js';
import { useApp } from '../../state/app-context.js';
import { createLiveCall } from '../../state/live-call.js';
import { countEvents } from '../../trace/model.js';

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

/** How long after `call.ended` the record may still say "active" (its end is written just after). */
const END_WRITE_GRACE_MS = 1000;

function Inspector(props: { call: Call }) {
  const app = useApp();
  const [call, setCall] = createSignal(props.call);
  const live = createLiveCall(app.api, props.call.id, { live: props.call.status === 'active' });
  const active = () => call().status === 'active';
  // Every call's trace ends with `call.ended`, which closes the live feed: then the record is read
  // once for its final status, duration and reason. While it runs, the counts come from the events.
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const readFinal = async (again: boolean) => {
    const next = await app.api.calls.get(props.call.id).catch(() => undefined);
    if (next) setCall(next);
    if (again && (!next || next.status === 'active'))
      timer = setTimeout(() => void readFinal(false), END_WRITE_GRACE_MS);
  };
  createEffect(() => {
    if (props.call.status === 'active' && live.status() === 'closed') void readFinal(true);
  });
  const counts = () => (active() ? countEvents(live.events()) : call().counts);
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
        {stat('Tool calls', counts().toolCalls)}
        {stat('Interruptions', counts().interruptions)}
        {stat('Fallbacks', counts().fallbacks)}
        {stat('Errors', counts().errors)}
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
