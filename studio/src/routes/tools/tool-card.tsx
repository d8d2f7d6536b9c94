import { createSignal, Show } from 'solid-js';
import { ApiError } from '../../api/index.js';
import type { McpTool, ToolCallResult } from '../../api/types.js';
import { ErrorNotice } from '../../components/feedback.js';
import { SchemaForm } from '../../components/schema-form.js';
import { useApp } from '../../state/app-context.js';
import { denied } from '../../state/permissions.js';

/** One discovered tool: what it does, its hints, its approval, and a form to try it. */
export function ToolCard(props: { serverId: string; tool: McpTool; onChanged(tool: McpTool): void }) {
  const app = useApp();
  const [trying, setTrying] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [result, setResult] = createSignal<ToolCallResult>();
  const [error, setError] = createSignal<unknown>();
  const [needsConfirm, setNeedsConfirm] = createSignal(false);
  const approveDenied = () => denied(app.session.role(), 'mcp:approve', 'Approving and switching tools');
  const callDenied = () => denied(app.session.role(), 'mcp:call', 'Trying a tool');
  const a = () => props.tool.annotations ?? {};

  const act = async (action: () => Promise<McpTool>) => {
    setError(undefined);
    try {
      props.onChanged(await action());
    } catch (e) {
      setError(e);
    }
  };

  const run = async (args: Record<string, unknown>, confirm: boolean) => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await app.api.mcp.call(props.serverId, props.tool.name, args, confirm));
      setNeedsConfirm(false);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'confirmation_required') setNeedsConfirm(true);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class="tool" classList={{ disabled: !props.tool.enabled }} data-tool={props.tool.name}>
      <header class="tool-head">
        <code class="strong">{props.tool.name}</code>
        <Show when={props.tool.title}>
          <span class="muted">{props.tool.title}</span>
        </Show>
        <Show when={a().readOnlyHint}>
          <span class="badge badge-live">read-only</span>
        </Show>
        <Show when={a().destructiveHint === true || (!a().readOnlyHint && a().destructiveHint === undefined)}>
          <span class="badge badge-warn" title="May change or delete data; calls ask for confirmation">
            may change data
          </span>
        </Show>
        <Show when={a().idempotentHint}>
          <span class="badge">idempotent</span>
        </Show>
        <Show when={a().openWorldHint}>
          <span class="badge">open world</span>
        </Show>
        <Show when={props.tool.approval !== 'approved'}>
          <span
            class="badge badge-warn"
            title="The definition changed since it was approved; agents do not get it until approved"
          >
            {props.tool.approval}
          </span>
        </Show>
        <span class="spacer" />
        <Show when={props.tool.approval !== 'approved'}>
          <button
            type="button"
            class="btn btn-small btn-primary"
            disabled={!!approveDenied()}
            title={approveDenied()}
            onClick={() => void act(() => app.api.mcp.approve(props.serverId, props.tool.name))}
          >
            Approve
          </button>
        </Show>
        <label class="switch small" title={approveDenied()}>
          <input
            type="checkbox"
            checked={props.tool.enabled}
            disabled={!!approveDenied()}
            onChange={(e) =>
              void act(() =>
                app.api.mcp.setToolEnabled(props.serverId, props.tool.name, e.currentTarget.checked),
              )
            }
          />{' '}
          Enabled
        </label>
        <button
          type="button"
          class="btn btn-small"
          aria-expanded={trying()}
          disabled={!!callDenied()}
          title={callDenied()}
          onClick={() => setTrying(!trying())}
        >
          Try
        </button>
      </header>
      <Show when={props.tool.description}>
        <p class="tool-desc">{props.tool.description}</p>
      </Show>
      <details class="small">
        <summary>Input schema{props.tool.outputSchema ? ' and output schema' : ''}</summary>
        <pre class="ev-json">{JSON.stringify(props.tool.inputSchema, null, 2)}</pre>
        <Show when={props.tool.outputSchema}>
          <pre class="ev-json">{JSON.stringify(props.tool.outputSchema, null, 2)}</pre>
        </Show>
      </details>
      <Show when={trying()}>
        <div class="try">
          <SchemaForm
            schema={props.tool.inputSchema}
            idPrefix={`try-${props.tool.name}`}
            submitLabel={needsConfirm() ? 'Confirm and run' : 'Run tool'}
            busy={busy()}
            onSubmit={(args) => void run(args, needsConfirm())}
          />
          <Show when={result()}>
            {(r) => (
              <div class="tool-result" classList={{ failed: r().isError }} data-testid="tool-result">
                <div class="small muted">
                  {r().isError ? 'The tool reported an error' : `Result · ${r().status}`}
                </div>
                <pre>{r().text}</pre>
                <Show when={r().structured !== undefined}>
                  <pre class="ev-json">{JSON.stringify(r().structured, null, 2)}</pre>
                </Show>
              </div>
            )}
          </Show>
        </div>
      </Show>
      <Show when={error()}>
        <ErrorNotice error={error()} compact />
      </Show>
    </article>
  );
}
