import { A, useParams, useSearchParams } from '@solidjs/router';
import { createResource, For, lazy, Show } from 'solid-js';
import { ErrorNotice, Loading } from '../../components/feedback.js';
import { useApp } from '../../state/app-context.js';

const DiffView = lazy(() =>
  import('../../components/editor/diff-view.js').then((m) => ({ default: m.DiffView })),
);

/** Two versions of an agent side by side (`GET /v1/agents/:agent/diff`). */
export default function AgentDiff() {
  const app = useApp();
  const params = useParams<{ agent: string }>();
  const [search, setSearch] = useSearchParams<{ from?: string; to?: string }>();
  const [versions] = createResource(
    () => [app.organizationId(), params.agent] as const,
    ([, name]) => app.api.agents.versions(name),
  );
  const range = () => {
    const list = versions();
    const newest = list?.[0]?.version ?? 1;
    const to = Number(search.to) || newest;
    const from = Number(search.from) || Math.max(1, to - 1);
    return { from, to };
  };
  const [diff] = createResource(
    () => (versions() ? ([params.agent, range().from, range().to] as const) : undefined),
    ([name, from, to]) => app.api.agents.diff(name, from, to),
  );
  const stats = () => {
    let added = 0;
    let removed = 0;
    for (const hunk of diff()?.hunks ?? []) {
      for (const line of hunk.lines) {
        if (line.startsWith('+')) added++;
        else if (line.startsWith('-')) removed++;
      }
    }
    return { added, removed };
  };

  const picker = (which: 'from' | 'to', label: string) => (
    <label class="field inline">
      <span class="field-label">{label}</span>
      <select value={range()[which]} onChange={(e) => setSearch({ [which]: e.currentTarget.value })}>
        <For each={versions()}>
          {(v) => (
            <option value={v.version}>
              v{v.version}
              {v.live ? ' (live)' : ''}
            </option>
          )}
        </For>
      </select>
    </label>
  );

  return (
    <div class="page">
      <header class="page-head">
        <div>
          <A href={`/agents/${encodeURIComponent(params.agent)}`} class="muted small">
            ← {params.agent}
          </A>
          <h1>Compare versions</h1>
        </div>
        <div class="actions">
          {picker('from', 'From')}
          {picker('to', 'To')}
        </div>
      </header>
      <Show
        when={!versions.error && !diff.error}
        fallback={<ErrorNotice error={versions.error ?? diff.error} />}
      >
        <Show when={diff()} fallback={<Loading label="Loading diff…" />}>
          {(d) => (
            <>
              <p class="muted small" data-testid="diff-stats">
                v{d().from.version} → v{d().to.version}:{' '}
                <Show when={d().hunks.length > 0} fallback="identical">
                  <span class="added">+{stats().added}</span> <span class="removed">−{stats().removed}</span>{' '}
                  lines in {d().hunks.length} hunk{d().hunks.length === 1 ? '' : 's'}
                </Show>
              </p>
              <div class="diff-frame">
                <DiffView before={d().from.yaml} after={d().to.yaml} />
              </div>
            </>
          )}
        </Show>
      </Show>
    </div>
  );
}
