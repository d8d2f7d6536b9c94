import { createSignal, For, Show } from 'solid-js';
import { useApp } from '../../state/app-context.js';
import type { ManifestDraft } from '../../state/manifest-draft.js';
import { describeError } from '../feedback.js';
import { type EditorControls, ManifestEditor } from './manifest-editor.js';

/** The editor with its problems list and validation status; Cmd/Ctrl+S calls `onSave`. */
export function EditorPane(props: { draft: ManifestDraft; onSave(): void; readOnly?: boolean }) {
  const app = useApp();
  const [controls, setControls] = createSignal<EditorControls>();
  const status = () => {
    const draft = props.draft;
    if (!draft.text().trim()) return 'Empty manifest';
    if (draft.validating() || draft.verdict()?.text !== draft.text()) return 'Checking…';
    const count = draft.problems().length;
    return count === 0 ? 'Valid manifest' : `${count} problem${count === 1 ? '' : 's'}`;
  };
  return (
    <section class="editor-pane" aria-label="Manifest editor">
      <div class="editor-frame">
        <ManifestEditor
          initial={props.draft.text()}
          schema={() => app.manifestSchema()}
          server={props.draft.verdict}
          onChange={props.draft.setText}
          onSave={() => props.onSave()}
          onProblems={props.draft.setProblems}
          onReady={setControls}
          readOnly={props.readOnly}
        />
      </div>
      <div class="problems" aria-live="polite">
        <div class="problems-head">
          <span
            class="status-dot"
            classList={{ ok: status() === 'Valid manifest', bad: props.draft.problems().length > 0 }}
            aria-hidden="true"
          />
          <span data-testid="validation-status">{status()}</span>
          <Show when={props.draft.validationError()}>
            {(error) => (
              <span class="muted small">· server check unavailable: {describeError(error()).message}</span>
            )}
          </Show>
          <span class="spacer" />
          <span class="muted small kbd-hint">
            <kbd>Ctrl</kbd>/<kbd>⌘</kbd>+<kbd>S</kbd> saves · <kbd>Ctrl</kbd>+<kbd>Space</kbd> completes
          </span>
        </div>
        <Show when={props.draft.problems().length > 0}>
          <ul class="problem-list" data-testid="problems">
            <For each={props.draft.problems()}>
              {(problem) => (
                <li>
                  <button
                    type="button"
                    class="problem"
                    data-line={problem.line}
                    onClick={() => controls()?.goTo(problem.line, problem.col)}
                  >
                    <span class="problem-at">
                      {problem.line}:{problem.col}
                    </span>
                    <span class="problem-message">{problem.message}</span>
                  </button>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </div>
    </section>
  );
}
