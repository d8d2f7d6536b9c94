import { A } from '@solidjs/router';
import { createResource, For, Show } from 'solid-js';
import { EmptyState, ErrorNotice, Loading } from '../../components/feedback.js';
import { timeAgo } from '../../components/format.js';
import { useApp } from '../../state/app-context.js';
import { denied } from '../../state/permissions.js';

/** Every agent with its live version and how much it was called lately. */
export default function AgentList() {
  const app = useApp();
  const [agents, { refetch }] = createResource(app.organizationId, () => app.api.agents.list());
  const cannotCreate = () => denied(app.session.role(), 'agents:write', 'Creating an agent');

  const newButton = () => (
    <Show
      when={!cannotCreate()}
      fallback={
        <button type="button" class="btn btn-primary" disabled title={cannotCreate()}>
          New agent
        </button>
      }
    >
      <A class="btn btn-primary" href="/agents/new">
        New agent
      </A>
    </Show>
  );

  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Agents</h1>
          <p class="muted">Each agent is a versioned YAML manifest. The live version answers calls.</p>
        </div>
        {newButton()}
      </header>
      <Show when={!agents.error} fallback={<ErrorNotice error={agents.error} onRetry={refetch} />}>
        <Show when={agents()} fallback={<Loading label="Loading agents…" />}>
          {(list) => (
            <Show
              when={list().length > 0}
              fallback={
                <EmptyState title="No agents yet" action={newButton()}>
                  Write a manifest to create your first agent: its greeting, instructions, models and tools.
                </EmptyState>
              }
            >
              <div class="table-wrap">
                <table class="table" data-testid="agents-table">
                  <thead>
                    <tr>
                      <th scope="col">Agent</th>
                      <th scope="col">Live</th>
                      <th scope="col" class="num">
                        Calls (7 days)
                      </th>
                      <th scope="col">Last call</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={list()}>
                      {(agent) => (
                        <tr>
                          <td>
                            <A href={`/agents/${encodeURIComponent(agent.name)}`} class="strong">
                              {agent.name}
                            </A>
                            <Show when={agent.description}>
                              <div class="muted small truncate">{agent.description}</div>
                            </Show>
                          </td>
                          <td>
                            <span class="badge badge-live">v{agent.liveVersion}</span>
                            <Show when={agent.latestVersion > agent.liveVersion}>
                              <span class="badge" title="Saved but not published">
                                v{agent.latestVersion} draft
                              </span>
                            </Show>
                          </td>
                          <td class="num">{agent.callsLast7Days}</td>
                          <td title={agent.lastCallAt ?? undefined}>{timeAgo(agent.lastCallAt)}</td>
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
