import { A, useNavigate } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { type McpTransportInput, transportTarget } from '../../api/types.js';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.js';
import { useApp } from '../../state/app-context.js';
import { denied } from '../../state/permissions.js';
import { StatusBadge } from './status-badge.js';

/** `Name: value` lines into a headers object (values are stored encrypted by the API). */
function parseHeaders(text: string): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf(':');
    if (at > 0) headers[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return Object.keys(headers).length > 0 ? headers : undefined;
}

/** The organization's MCP servers, and a form to add one. */
export default function ServerList() {
  const app = useApp();
  const navigate = useNavigate();
  const [servers, { refetch }] = createResource(app.organizationId, () => app.api.mcp.list());
  const [adding, setAdding] = createSignal(false);
  const [type, setType] = createSignal<'streamable-http' | 'stdio'>('streamable-http');
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const cannot = () => denied(app.session.role(), 'mcp:write', 'Adding an MCP server');

  const add = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const get = (name: string) => String(form.get(name) ?? '').trim();
    const headers = parseHeaders(get('headers'));
    const transport: McpTransportInput =
      type() === 'stdio'
        ? {
            type: 'stdio',
            command: get('command'),
            ...(get('args') ? { args: get('args').split(/\s+/) } : {}),
          }
        : { type: 'streamable-http', url: get('url'), ...(headers ? { headers } : {}) };
    setBusy(true);
    setError(undefined);
    try {
      const created = await app.api.mcp.create({
        name: get('name'),
        transport,
        trusted: form.get('trusted') === 'on',
      });
      navigate(`/tools/${created.id}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Tools</h1>
          <p class="muted">
            MCP servers of this organization. Agents use their tools as <code>server__tool</code>.
          </p>
        </div>
        <button
          type="button"
          class="btn btn-primary"
          disabled={!!cannot()}
          title={cannot()}
          aria-expanded={adding()}
          onClick={() => setAdding(!adding())}
        >
          Add MCP server
        </button>
      </header>
      <Show when={cannot()}>
        <p class="muted small">{cannot()}</p>
      </Show>
      <Show when={adding()}>
        <form class="panel stack-sm add-server" onSubmit={add} aria-label="Add an MCP server">
          <div class="row wrap">
            <label class="field">
              <span class="field-label">Name</span>
              <input name="name" required pattern="[a-z][a-z0-9_\-]{0,31}" placeholder="crm" autofocus />
              <span class="field-hint">Lowercase; tools become name__tool.</span>
            </label>
            <label class="field">
              <span class="field-label">Transport</span>
              <select
                value={type()}
                onChange={(e) => setType(e.currentTarget.value as 'streamable-http' | 'stdio')}
              >
                <option value="streamable-http">Streamable HTTP</option>
                <option value="stdio">stdio (if the operator allows)</option>
              </select>
            </label>
          </div>
          <Show
            when={type() === 'streamable-http'}
            fallback={
              <div class="row wrap">
                <label class="field grow">
                  <span class="field-label">Command</span>
                  <input name="command" required placeholder="node" />
                </label>
                <label class="field grow">
                  <span class="field-label">Arguments</span>
                  <input name="args" placeholder="server.js --stdio" />
                </label>
              </div>
            }
          >
            <label class="field">
              <span class="field-label">URL</span>
              <input name="url" type="url" required placeholder="https://mcp.example.com/mcp" />
            </label>
            <label class="field">
              <span class="field-label">Headers</span>
              <textarea name="headers" rows={2} class="mono" placeholder="Authorization: Bearer …" />
              <span class="field-hint">One per line. Values are stored encrypted and never shown again.</span>
            </label>
          </Show>
          <label class="row small">
            <input type="checkbox" name="trusted" /> Trusted: read-only tools run without confirmation
          </label>
          <Show when={error()}>
            <ErrorNotice error={error()} compact />
          </Show>
          <div class="row">
            <button class="btn btn-primary" type="submit" disabled={busy()}>
              {busy() ? 'Connecting…' : 'Add and connect'}
            </button>
            <button class="btn btn-ghost" type="button" onClick={() => setAdding(false)}>
              Cancel
            </button>
          </div>
        </form>
      </Show>
      <Show when={!servers.error} fallback={<ErrorNotice error={servers.error} onRetry={refetch} />}>
        <Show when={servers()} fallback={<Loading label="Loading MCP servers…" />}>
          {(list) => (
            <Show
              when={list().length > 0}
              fallback={
                <EmptyState title="No MCP servers yet">
                  Add a server (your CRM, payments, anything that speaks MCP) and its tools become available
                  to agents.
                </EmptyState>
              }
            >
              <div class="table-wrap">
                <table class="table" data-testid="servers-table">
                  <thead>
                    <tr>
                      <th scope="col">Server</th>
                      <th scope="col">Transport</th>
                      <th scope="col">Status</th>
                      <th scope="col" class="num">
                        Tools
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={list()}>
                      {(s) => (
                        <tr>
                          <td>
                            <A href={`/tools/${s.id}`} class="strong">
                              {s.name}
                            </A>
                            <Show when={!s.enabled}>
                              <span class="badge"> disabled</span>
                            </Show>
                          </td>
                          <td class="small">
                            <code>{transportTarget(s.transport)}</code>
                          </td>
                          <td>
                            <StatusBadge status={s.status} />
                            <Show when={s.lastError}>
                              <div class="small error-text truncate" title={s.lastError ?? ''}>
                                {s.lastError}
                              </div>
                            </Show>
                          </td>
                          <td class="num">{s.toolCount ?? '—'}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </div>
            </Show>
          )}
        </Show>
      </Show>
    </div>
  );
}
