import { createResource, createSignal, For, Show } from 'solid-js';
import type { Role } from '../api/types.js';
import { EmptyState, ErrorNotice, Loading } from '../components/feedback.js';
import { formatDateTime } from '../components/format.js';
import { useApp } from '../state/app-context.js';
import { denied, grantable } from '../state/permissions.js';

/** Members of the organization and their roles. */
export default function Members() {
  const app = useApp();
  const [members, { refetch }] = createResource(app.organizationId, () => app.api.organization.members());
  const [error, setError] = createSignal<unknown>();
  const [busy, setBusy] = createSignal(false);
  const cannot = () => denied(app.session.role(), 'members:write', 'Managing members');
  const roles = () => grantable(app.session.role());
  const me = () => app.session.session()?.user.id;

  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      await refetch();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async (event: SubmitEvent) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    const ok = await act(() =>
      app.api.organization.addMember(
        String(data.get('email') ?? '').trim(),
        String(data.get('role')) as Role,
      ),
    );
    if (ok) form.reset();
  };

  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Members</h1>
          <p class="muted">
            Viewers read; builders edit agents and place test calls; admins publish, manage tools, keys and
            members.
          </p>
        </div>
      </header>
      <Show when={cannot()}>
        <p class="muted small">{cannot()}</p>
      </Show>
      <Show when={!cannot()}>
        <form class="toolbar-form" onSubmit={add} aria-label="Add a member">
          <label class="field inline">
            <span class="field-label">Email</span>
            <input name="email" type="email" required placeholder="teammate@example.com" />
          </label>
          <label class="field inline">
            <span class="field-label">Role</span>
            <select name="role">
              <For each={roles()}>
                {(r) => (
                  <option value={r} selected={r === 'builder'}>
                    {r}
                  </option>
                )}
              </For>
            </select>
          </label>
          <button class="btn btn-primary" type="submit" disabled={busy()}>
            Add member
          </button>
          <span class="muted small">They need a VRM account first.</span>
        </form>
      </Show>
      <Show when={error()}>
        <ErrorNotice error={error()} />
      </Show>
      <Show when={!members.error} fallback={<ErrorNotice error={members.error} onRetry={refetch} />}>
        <Show when={members()} fallback={<Loading label="Loading members…" />}>
          {(list) => (
            <Show when={list().length > 0} fallback={<EmptyState title="No members" />}>
              <div class="table-wrap">
                <table class="table" data-testid="members-table">
                  <thead>
                    <tr>
                      <th scope="col">Member</th>
                      <th scope="col">Role</th>
                      <th scope="col">Since</th>
                      <th scope="col">
                        <span class="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={list()}>
                      {(m) => (
                        <tr>
                          <td>
                            <div class="strong">{m.name || m.email}</div>
                            <Show when={m.name}>
                              <div class="muted small">{m.email}</div>
                            </Show>
                          </td>
                          <td>
                            <Show
                              when={!cannot() && m.userId !== me()}
                              fallback={<span class="badge">{m.role}</span>}
                            >
                              <select
                                aria-label={`Role of ${m.email}`}
                                value={m.role}
                                disabled={busy()}
                                onChange={(e) =>
                                  void act(() =>
                                    app.api.organization.setRole(m.userId, e.currentTarget.value as Role),
                                  )
                                }
                              >
                                <For each={[...new Set([...roles(), m.role])]}>
                                  {(r) => <option value={r}>{r}</option>}
                                </For>
                              </select>
                            </Show>
                          </td>
                          <td>{formatDateTime(m.since)}</td>
                          <td class="num">
                            <Show when={!cannot() && m.userId !== me()}>
                              <button
                                type="button"
                                class="btn btn-small btn-danger"
                                disabled={busy()}
                                onClick={() => {
                                  if (window.confirm(`Remove ${m.email} from this organization?`)) {
                                    void act(() => app.api.organization.removeMember(m.userId));
                                  }
                                }}
                              >
                                Remove
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
    </div>
  );
}
