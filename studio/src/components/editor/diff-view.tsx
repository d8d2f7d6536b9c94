import { yaml } from '@codemirror/lang-yaml';
import { MergeView } from '@codemirror/merge';
import { EditorState } from '@codemirror/state';
import { EditorView, lineNumbers } from '@codemirror/view';
import { createEffect, onCleanup } from 'solid-js';
import { studioEditorTheme } from './codemirror-theme.js';

export interface DiffViewProps {
  before: string;
  after: string;
}

/** Two YAML texts side by side, changes highlighted and long unchanged stretches folded. */
export function DiffView(props: DiffViewProps) {
  let host!: HTMLDivElement;
  let view: MergeView | undefined;
  const side = (doc: string) => ({
    doc,
    extensions: [
      lineNumbers(),
      yaml(),
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
      studioEditorTheme,
    ],
  });

  createEffect(() => {
    const a = props.before;
    const b = props.after;
    view?.destroy();
    view = new MergeView({
      a: side(a),
      b: side(b),
      parent: host,
      collapseUnchanged: { margin: 3, minSize: 6 },
      gutter: true,
    });
  });
  onCleanup(() => view?.destroy());

  return <div class="diff-host" ref={host} data-testid="diff-view" />;
}
