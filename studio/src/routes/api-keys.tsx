import { createResource, createSignal, For, Show } from 'solid-js';
import type { CreatedApiKey, Role } from '../api/types.js';
import { CopyButton } from '../components/copy-button.js';
import { EmptyState, ErrorNotice, Loading } from '../components/feedback.js';
import { formatDateTime, timeAgo } from '../components/format.js';
import { useApp } from '../state/app-context.js';
import { denied, grantable } from '../state/permissions.js';

/** API keys for servers and CI; a new key's secret is shown once, with a copy button. */
export default function ApiKeys() {
  const app = useApp();
  const cannotRead = () => denied(app.session.role(), 'api_keys:read', 'Seeing API keys');
  const [keys, { refetch }] = createResource(
    () => (cannotRead() ? undefined : app.organizationId()),
    () => app.api.organization.apiKeys(),
  );
  const [created, setCreated] = createSignal<CreatedApiKey>();
  const [error, setError] = createSignal<unknown>();
  const [busy, setBusy] = createSignal(false);

  const create = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const days = Number(data.get('expires') || 0);
    setBusy(true);
    setError(undefined);
    try {
      setCreated(
        await app.api.organization.createApiKey({
          name: String(data.get('name') ?? '').trim(),
          role: String(data.get('role')) as Role,
          ...(days > 0 ? { expiresInDays: days } : {}),
        }),
      );
      form.reset();
      await refetch();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (id: string, name: string) => {
    if (!window.confirm(`Revoke "${name}"? Anything using it stops working at once.`)) return;
    setError(undefined);
    try {
      await app.api.organization.revokeApiKey(id);
      if (created()?.id === id) setCreated(undefined);
      await refetch();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>API keys</h1>
          <p class="muted">
            For servers and CI: send as <code>Authorization: Bearer vrm_…</code>. A key acts with its role.
          </p>
        </div>
      </header>
      <Show
        when={!cannotRead()}
        fallback={<EmptyState title="API keys are for admins">{cannotRead()}</EmptyState>}
      >
        <form class="toolbar-form" onSubmit={create} aria-label="Create an API key">
          <label class="field inline">
            <span class="field-label">Name</span>
            <input name="name" required maxLength={100} placeholder="ci-deploy" />
          </label>
          <label class="field inline">
            <span class="field-label">Role</span>
            <select name="role">
              <For each={grantable(app.session.role())}>
                {(r) => (
                  <option value={r} selected={r === 'builder'}>
                    {r}
                  </option>
                )}
              </For>
            </select>
          </label>
          <label class="field inline">
            <span class="field-label">Expires</span>
            <select name="expires">
              <option value="30">in 30 days</option>
              <option value="90" selected>
                in 90 days
              </option>
              <option value="365">in a year</option>
              <option value="0">never</option>
            </select>
          </label>
          <button class="btn btn-primary" type="submit" disabled={busy()}>
            Create key
          </button>
        </form>
        <Show when={created()}>
          {(key) => (
            <div class="notice notice-success key-once" role="status" data-testid="new-key">
              <strong>Copy “{key().name}” now. You will not see it again.</strong>
              <div class="row">
                <input
                  class="secret"
                  readOnly
                  value={key().key}
                  aria-label="The new API key"
                  onFocus={(e) => e.currentTarget.select()}
                />
                <CopyButton text={key().key} />
                <button type="button" class="btn btn-small btn-ghost" onClick={() => setCreated(undefined)}>
                  Done
                </button>
              </div>
            </div>
          )}
        </Show>
        <Show when={error()}>
          <ErrorNotice error={error()} />
        </Show>
        <Show when={!keys.error} fallback={<ErrorNotice error={keys.error} onRetry={refetch} />}>
          <Show when={keys()} fallback={<Loading label="Loading keys…" />}>
            {(list) => (
              <Show
                when={list().length > 0}
                fallback={
                  <EmptyState title="No API keys yet">
                    Create one for each system that calls the API, so you can revoke it alone.
                  </EmptyState>
                }
              >
                <div class="table-wrap">
                  <table class="table" data-testid="keys-table">
                    <thead>
                      <tr>
                        <th scope="col">Name</th>
                        <th scope="col">Key</th>
                        <th scope="col">Role</th>
                        <th scope="col">Created</th>
                        <th scope="col">Last used</th>
                        <th scope="col">Expires</th>
                        <th scope="col">
                          <span class="sr-only">Actions</span>
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      <For each={list()}>
                        {(k) => (
                          <tr classList={{ revoked: !!k.revokedAt }}>
                            <td class="strong">{k.name}</td>
                            <td>
                              <code>{k.prefix}…</code>
                            </td>
                            <td>
                              <span class="badge">{k.role}</span>
                            </td>
                            <td>{formatDateTime(k.createdAt)}</td>
                            <td>{timeAgo(k.lastUsedAt)}</td>
                            <td>{k.expiresAt ? formatDateTime(k.expiresAt) : 'never'}</td>
                            <td class="num">
                              <Show
                                when={!k.revokedAt}
                                fallback={<span class="badge badge-warn">revoked</span>}
                              >
                                <button
                                  type="button"
                                  class="btn btn-small btn-danger"
                                  onClick={() => void revoke(k.id, k.name)}
                                >
                                  Revoke
                                </button>
                              </Show>
                            </td>
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
      </Show>
    </div>
  );
}
