import { A, useNavigate, useParams } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { type McpServerDetail, type McpTool, transportTarget } from '../../api/types.js';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.js';
import { useApp } from '../../state/app-context.js';
import { denied } from '../../state/permissions.js';
import { StatusBadge } from './status-badge.js';
import { ToolCard } from './tool-card.js';

/** One MCP server: its status, last error and discovered tools. */
export default function ServerDetail() {
  const app = useApp();
  const params = useParams<{ id: string }>();
  const navigate = useNavigate();
  const [server, { mutate, refetch }] = createResource(
    () => `${app.organizationId()}/${params.id}`,
    () => app.api.mcp.get(params.id),
  );
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const writeDenied = () => denied(app.session.role(), 'mcp:write', 'Changing an MCP server');

  const act = async (action: () => Promise<McpServerDetail | undefined>) => {
    setBusy(true);
    setError(undefined);
    try {
      const next = await action();
      if (next) mutate(next);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const replaceTool = (tool: McpTool) => {
    const current = server();
    if (current) mutate({ ...current, tools: current.tools.map((t) => (t.name === tool.name ? tool : t)) });
  };
  const remove = () => {
    const current = server();
    if (!current || !window.confirm(`Remove ${current.name}? Agents lose its tools at once.`)) return;
    void act(async () => {
      await app.api.mcp.remove(current.id);
      navigate('/tools', { replace: true });
      return undefined;
    });
  };

  return (
    <Show
      when={!server.error || server()}
      fallback={
        <div class="page">
          <ErrorNotice error={server.error} onRetry={refetch} />
        </div>
      }
    >
      <Show when={server()} fallback={<Loading label="Loading server…" />}>
        {(s) => (
          <div class="page">
            <header class="page-head">
              <div>
                <A href="/tools" class="muted small">
                  ← Tools
                </A>
                <h1>
                  {s().name} <StatusBadge status={s().status} />
                  <Show when={s().trusted}>
                    <span class="badge">trusted</span>
                  </Show>
                </h1>
                <p class="muted small">
                  <code>{transportTarget(s().transport)}</code>
                </p>
              </div>
              <div class="actions">
                <button
                  type="button"
                  class="btn"
                  disabled={busy() || !!writeDenied()}
                  title={writeDenied()}
                  onClick={() => void act(() => app.api.mcp.refresh(s().id))}
                >
                  Reconnect
                </button>
                <button
                  type="button"
                  class="btn"
                  disabled={busy() || !!writeDenied()}
                  title={writeDenied()}
                  onClick={() => void act(() => app.api.mcp.update(s().id, { enabled: !s().enabled }))}
                >
                  {s().enabled ? 'Disable' : 'Enable'}
                </button>
                <button
                  type="button"
                  class="btn btn-danger"
                  disabled={busy() || !!writeDenied()}
                  title={writeDenied()}
                  onClick={remove}
                >
                  Remove
                </button>
              </div>
            </header>
            <Show when={s().lastError}>
              <div class="notice notice-error" role="alert">
                <strong>Last error</strong>
                <span class="notice-message">{s().lastError}</span>
              </div>
            </Show>
            <Show when={error()}>
              <ErrorNotice error={error()} />
            </Show>
            <Show
              when={s().tools.length > 0}
              fallback={
                <EmptyState title="No tools discovered">
                  {s().status === 'connected'
                    ? 'The server lists no tools.'
                    : 'Tools appear once the server connects. Reconnect to try again.'}
                </EmptyState>
              }
            >
              <h2>
                Tools <span class="muted small">({s().tools.length})</span>
              </h2>
              <div class="tools" data-testid="tools">
                <For each={s().tools}>
                  {(tool) => <ToolCard serverId={s().id} tool={tool} onChanged={replaceTool} />}
                </For>
              </div>
            </Show>
          </div>
        )}
      </Show>
    </Show>
  );
}
