import { useBeforeLeave, useNavigate } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { EditorPane } from '../../components/editor/editor-pane.js';
import { ErrorNotice } from '../../components/feedback.js';
import { useApp } from '../../state/app-context.js';
import { createManifestDraft } from '../../state/manifest-draft.js';
import { denied } from '../../state/permissions.js';

const STARTER = `apiVersion: vrm/v1
kind: Agent
name: my-agent
description: What this agent is for.
greeting: Thanks for calling. How can I help?
instructions: |
  You are a friendly receptionist. Be brief.
llm: { provider: openai, model: gpt-4o-mini }
stt: { provider: deepgram, model: nova-3 }
tts: { provider: cartesia, model: sonic-2, voice: <voice id> }
`;

/** A new agent from a manifest; its first version goes live at once. */
export default function AgentNew() {
  const app = useApp();
  const navigate = useNavigate();
  const draft = createManifestDraft(app.api, STARTER);
  const [error, setError] = createSignal<unknown>();
  const [saving, setSaving] = createSignal(false);
  const cannot = () => denied(app.session.role(), 'agents:write', 'Creating an agent');
  let leaving = false;

  useBeforeLeave((event) => {
    if (!leaving && draft.dirty() && !window.confirm('Discard this new agent?')) event.preventDefault();
  });

  const save = async () => {
    if (saving() || cannot()) return;
    setSaving(true);
    setError(undefined);
    try {
      const created = await app.api.agents.create(draft.text());
      leaving = true;
      navigate(`/agents/${encodeURIComponent(created.name)}`, { state: { created: true } });
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <div class="page page-editor">
      <header class="page-head">
        <div>
          <h1>New agent</h1>
          <p class="muted">Its first version is live as soon as you create it.</p>
        </div>
        <button
          type="button"
          class="btn btn-primary"
          onClick={save}
          disabled={saving() || !!cannot()}
          title={cannot()}
        >
          {saving() ? 'Creating…' : 'Create agent'}
        </button>
      </header>
      <Show when={error()}>
        <ErrorNotice error={error()} />
      </Show>
      <EditorPane draft={draft} onSave={save} />
    </div>
  );
}
