import { A, useBeforeLeave, useParams } from '@solidjs/router';
import { createResource, createSignal, type JSX, Show } from 'solid-js';
import type { VersionSummary } from '../../api/types.js';
import { EditorPane } from '../../components/editor/editor-pane.js';
import { ErrorNotice, Loading, Notice } from '../../components/feedback.js';
import { useApp } from '../../state/app-context.js';
import { createManifestDraft } from '../../state/manifest-draft.js';
import { denied } from '../../state/permissions.js';
import { VersionsPanel } from './versions-panel.js';

/** One agent: edit its latest version, save new versions, publish, roll back, compare. */
export default function AgentDetail() {
  const app = useApp();
  const params = useParams<{ agent: string }>();
  // One resource per screen, keyed by organization and agent: switching either loads afresh.
  // The editor opens on the newest version (possibly unpublished).
  const [page, { refetch }] = createResource(
    () => `${app.organizationId()}/${params.agent}`,
    async () => {
      const name = params.agent;
      const [agent, versions] = await Promise.all([app.api.agents.get(name), app.api.agents.versions(name)]);
      const yaml =
        agent.latestVersion === agent.liveVersion
          ? agent.live.yaml
          : (await app.api.agents.version(name, agent.latestVersion)).yaml;
      return { agent, versions, yaml };
    },
  );

  return (
    <Show
      when={!page.error || page()}
      fallback={
        <div class="page">
          <ErrorNotice error={page.error} onRetry={refetch} />
        </div>
      }
    >
      <Show when={page()} fallback={<Loading label="Loading agent…" />}>
        {(loaded) => (
          <Workspace
            name={params.agent}
            initial={loaded().yaml}
            liveVersion={loaded().agent.liveVersion}
            latestVersion={loaded().agent.latestVersion}
            description={loaded().agent.description}
            versions={
              <VersionsPanelHost
                name={params.agent}
                versions={loaded().versions}
                liveVersion={loaded().agent.liveVersion}
                onChanged={refetch}
              />
            }
            onSaved={refetch}
          />
        )}
      </Show>
    </Show>
  );
}

function VersionsPanelHost(props: {
  name: string;
  versions: VersionSummary[];
  liveVersion: number;
  onChanged(): unknown;
}) {
  const app = useApp();
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const act = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await action();
      props.onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <Show when={error()}>
        <ErrorNotice error={error()} compact />
      </Show>
      <VersionsPanel
        agent={props.name}
        versions={props.versions}
        liveVersion={props.liveVersion}
        publishDenied={denied(app.session.role(), 'agents:publish', 'Publishing')}
        busy={busy()}
        onPublish={(v) => void act(() => app.api.agents.publish(props.name, v))}
        onRollback={(v) => void act(() => app.api.agents.rollback(props.name, v))}
      />
    </>
  );
}

function Workspace(props: {
  name: string;
  initial: string;
  liveVersion: number;
  latestVersion: number;
  description: string | null;
  versions: JSX.Element;
  onSaved(): unknown;
}) {
  const app = useApp();
  const draft = createManifestDraft(app.api, props.initial);
  const [saving, setSaving] = createSignal(false);
  const [publishing, setPublishing] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const [message, setMessage] = createSignal<string>();
  const writeDenied = () => denied(app.session.role(), 'agents:write', 'Saving a version');
  const publishDenied = () => denied(app.session.role(), 'agents:publish', 'Publishing');

  useBeforeLeave((event) => {
    if (draft.dirty() && !window.confirm('You have unsaved changes. Leave anyway?')) event.preventDefault();
  });

  const save = async () => {
    if (saving() || writeDenied()) return;
    setSaving(true);
    setError(undefined);
    setMessage(undefined);
    const text = draft.text();
    try {
      const saved = await app.api.agents.saveVersion(props.name, text);
      draft.markSaved(text);
      setMessage(
        saved.version.version > props.latestVersion
          ? `Saved v${saved.version.version}. It is not live yet: publish it to answer calls with it.`
          : `No changes since v${saved.version.version}.`,
      );
      props.onSaved();
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  const publishLatest = async () => {
    setPublishing(true);
    setError(undefined);
    try {
      await app.api.agents.publish(props.name, props.latestVersion);
      setMessage(`v${props.latestVersion} is live.`);
      props.onSaved();
    } catch (e) {
      setError(e);
    } finally {
      setPublishing(false);
    }
  };

  return (
    <div class="page page-editor">
      <header class="page-head">
        <div>
          <h1>
            {props.name} <span class="badge badge-live">live v{props.liveVersion}</span>
            <Show when={props.latestVersion > props.liveVersion}>
              <span class="badge badge-draft">v{props.latestVersion} unpublished</span>
            </Show>
            <Show when={draft.dirty()}>
              <span class="badge badge-warn">unsaved</span>
            </Show>
          </h1>
          <Show when={props.description}>
            <p class="muted">{props.description}</p>
          </Show>
        </div>
        <div class="actions">
          <A class="btn" href={`/agents/${encodeURIComponent(props.name)}/test`}>
            Test
          </A>
          <Show when={props.latestVersion > props.liveVersion}>
            <button
              type="button"
              class="btn"
              onClick={publishLatest}
              disabled={publishing() || !!publishDenied() || draft.dirty()}
              title={publishDenied() ?? (draft.dirty() ? 'Save your changes first' : undefined)}
            >
              {publishing() ? 'Publishing…' : `Publish v${props.latestVersion}`}
            </button>
          </Show>
          <button
            type="button"
            class="btn btn-primary"
            onClick={save}
            disabled={saving() || !!writeDenied() || !draft.dirty()}
            title={writeDenied() ?? 'Save as a new version (Ctrl/⌘+S)'}
          >
            {saving() ? 'Saving…' : 'Save version'}
          </button>
        </div>
      </header>
      <Show when={error()}>
        <ErrorNotice error={error()} />
      </Show>
      <Show when={message()}>
        <Notice kind="success">{message()}</Notice>
      </Show>
      <div class="editor-layout">
        <EditorPane draft={draft} onSave={save} readOnly={!!writeDenied()} />
        <aside class="side">{props.versions}</aside>
      </div>
    </div>
  );
}
