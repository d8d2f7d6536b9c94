import { useNavigate } from '@solidjs/router';
import { createResource, createSignal, For, Show } from 'solid-js';
import { useApp } from '../state/app-context.js';
import { ErrorNotice } from './feedback.js';

/** Lists the user's organizations (`GET /v1/auth/me`) and switches the session between them. */
export function OrgSwitcher() {
  const app = useApp();
  const navigate = useNavigate();
  const [me] = createResource(app.organizationId, () => app.api.auth.me());
  const [error, setError] = createSignal<unknown>();
  const [creating, setCreating] = createSignal(false);
  const [busy, setBusy] = createSignal(false);

  const run = async (action: () => Promise<void>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const switchTo = (organizationId: string) =>
    run(async () => {
      if (organizationId === app.organizationId()) return;
      app.signIn(await app.api.auth.switchOrganization(organizationId));
      navigate('/agents');
    });

  const create = (event: SubmitEvent) => {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget as HTMLFormElement).get('name') ?? '').trim();
    if (!name) return;
    void run(async () => {
      app.signIn(await app.api.auth.createOrganization(name));
      setCreating(false);
      navigate('/agents');
    });
  };

  return (
    <div class="org-switcher">
      <label class="field-label" for="org-select">
        Organization
      </label>
      <div class="row">
        <select
          id="org-select"
          disabled={busy()}
          value={app.organizationId() ?? ''}
          onChange={(e) => void switchTo(e.currentTarget.value)}
        >
          <Show
            when={me()?.organizations.length}
            fallback={
              <option value={app.organizationId() ?? ''}>{app.session.session()?.organization.name}</option>
            }
          >
            <For each={me()?.organizations}>
              {(org) => (
                <option value={org.id}>
                  {org.name} · {org.role}
                </option>
              )}
            </For>
          </Show>
        </select>
        <button
          type="button"
          class="btn btn-icon"
          aria-label="New organization"
          title="New organization"
          aria-expanded={creating()}
          onClick={() => setCreating(!creating())}
        >
          +
        </button>
      </div>
      <Show when={creating()}>
        <form class="stack-sm" onSubmit={create}>
          <input
            name="name"
            placeholder="Organization name"
            aria-label="New organization name"
            required
            maxLength={100}
          />
          <button class="btn btn-primary btn-small" type="submit" disabled={busy()}>
            Create and switch
          </button>
        </form>
      </Show>
      <Show when={error()}>
        <ErrorNotice error={error()} compact />
      </Show>
    </div>
  );
}
