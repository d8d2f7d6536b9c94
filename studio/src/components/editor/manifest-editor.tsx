import { autocompletion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { yaml } from '@codemirror/lang-yaml';
import { type Diagnostic, forceLinting, linter, lintGutter } from '@codemirror/lint';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { createEffect, on, onCleanup, onMount } from 'solid-js';
import type { JsonSchema, ManifestProblem } from '../../api/types.js';
import { completeManifest } from '../../manifest/schema-complete.js';
import { lintManifest } from '../../manifest/schema-lint.js';
import { studioEditorTheme } from './codemirror-theme.js';

/** A problem as the editor shows it, with its 1-based line and column. */
export interface EditorProblem {
  line: number;
  col: number;
  message: string;
  source: 'schema' | 'server';
}

/** The server's verdict on one exact text; shown only while the editor still holds that text. */
export interface ServerVerdict {
  text: string;
  problems: ManifestProblem[];
}

export interface EditorControls {
  goTo(line: number, col: number): void;
  focus(): void;
}

export interface ManifestEditorProps {
  initial: string;
  schema: () => JsonSchema | undefined;
  server: () => ServerVerdict | undefined;
  onChange(text: string): void;
  onSave(): void;
  onProblems(problems: EditorProblem[]): void;
  onReady?(controls: EditorControls): void;
  readOnly?: boolean;
  label?: string;
}

/**
 * The manifest editor: CodeMirror 6 with YAML highlighting, completion from the manifest's JSON
 * Schema, instant schema diagnostics while typing, and the server's validation (which also knows
 * variables, tools and secrets) once it answers for the current text. Cmd/Ctrl+S saves.
 */
export function ManifestEditor(props: ManifestEditorProps) {
  let host!: HTMLDivElement;
  let view: EditorView | undefined;

  const diagnostics = (v: EditorView): Diagnostic[] => {
    const text = v.state.doc.toString();
    const doc = v.state.doc;
    const clamp = (pos: number) => Math.min(Math.max(pos, 0), doc.length);
    const verdict = props.server();
    let result: Diagnostic[];
    let problems: EditorProblem[];
    if (verdict && verdict.text === text) {
      result = verdict.problems.map((p) => {
        const line = doc.line(Math.min(Math.max(p.line, 1), doc.lines));
        const from = clamp(line.from + Math.max(p.col - 1, 0));
        const word = /^[^\s:,\]}]+/.exec(doc.sliceString(from, line.to))?.[0].length ?? 0;
        return {
          from,
          to: clamp(Math.max(from + word, from)),
          severity: 'error',
          message: p.message,
          source: 'server',
        };
      });
      problems = verdict.problems.map((p) => ({
        line: p.line,
        col: p.col,
        message: p.message,
        source: 'server',
      }));
    } else {
      const schema = props.schema();
      const found = schema && text.trim() ? lintManifest(text, schema) : [];
      result = found.map((d) => ({
        from: clamp(d.from),
        to: clamp(d.to),
        severity: 'error',
        message: d.message,
        source: 'schema',
      }));
      problems = result.map((d) => {
        const line = doc.lineAt(d.from);
        return { line: line.number, col: d.from - line.from + 1, message: d.message, source: 'schema' };
      });
    }
    props.onProblems(problems);
    return result;
  };

  const complete = (context: CompletionContext): CompletionResult | null => {
    const schema = props.schema();
    if (!schema) return null;
    const found = completeManifest(context.state.doc.toString(), context.pos, schema);
    if (!found) return null;
    const typed = context.pos - found.from;
    // Unasked, open only once a word is started, or right after `key: ` where the schema lists values.
    const lineBefore = context.state.doc.sliceString(context.state.doc.lineAt(context.pos).from, context.pos);
    if (typed === 0 && !context.explicit && !/:\s+$/.test(lineBefore)) return null;
    return {
      from: found.from,
      options: found.options.map((o) => ({
        label: o.label,
        apply: o.apply,
        type: o.kind === 'property' ? 'property' : 'enum',
        detail: o.detail,
        info: o.info,
      })),
      validFor: /^[\w./-]*$/,
    };
  };

  onMount(() => {
    view = new EditorView({
      parent: host,
      state: EditorState.create({
        doc: props.initial,
        extensions: [
          Prec.highest(
            keymap.of([
              {
                key: 'Mod-s',
                preventDefault: true,
                run: () => {
                  props.onSave();
                  return true;
                },
              },
            ]),
          ),
          basicSetup,
          yaml(),
          autocompletion({ override: [complete], activateOnTyping: true }),
          lintGutter(),
          linter(diagnostics, { delay: 200 }),
          EditorState.readOnly.of(props.readOnly === true),
          EditorView.contentAttributes.of({ 'aria-label': props.label ?? 'Manifest (YAML)' }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) props.onChange(update.state.doc.toString());
          }),
          studioEditorTheme,
        ],
      }),
    });
    props.onReady?.({
      goTo: (line, col) => {
        if (!view) return;
        const target = view.state.doc.line(Math.min(Math.max(line, 1), view.state.doc.lines));
        const pos = Math.min(target.from + Math.max(col - 1, 0), target.to);
        view.dispatch({ selection: { anchor: pos }, scrollIntoView: true });
        view.focus();
      },
      focus: () => view?.focus(),
    });
  });

  // A new server verdict or a schema that arrived late: re-lint now rather than on the next keystroke.
  createEffect(
    on([() => props.server(), () => props.schema()], () => {
      if (view) forceLinting(view);
    }),
  );

  onCleanup(() => view?.destroy());

  return <div class="editor-host" ref={host} data-testid="manifest-editor" />;
}
