import { EditorView } from '@codemirror/view';

/** The studio's calm editor look: the app's fonts and colours, a visible focus ring. */
export const studioEditorTheme = EditorView.theme({
  '&': { fontSize: '13px', backgroundColor: 'var(--surface)', height: '100%' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '-2px' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
  '.cm-gutters': {
    backgroundColor: 'var(--surface-2)',
    borderRight: '1px solid var(--border)',
    color: 'var(--muted)',
  },
  '.cm-activeLine': { backgroundColor: 'rgba(37, 99, 235, 0.05)' },
  '.cm-activeLineGutter': { backgroundColor: 'rgba(37, 99, 235, 0.08)' },
  '.cm-tooltip': { fontFamily: 'var(--sans)', fontSize: '12px', maxWidth: '480px' },
  '.cm-tooltip-autocomplete ul li[aria-selected]': { backgroundColor: 'var(--accent)', color: '#fff' },
  '.cm-completionInfo': { maxWidth: '360px', whiteSpace: 'normal' },
  '.cm-diagnostic': { fontFamily: 'var(--sans)' },
});
