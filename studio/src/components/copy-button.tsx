import { createSignal, onCleanup } from 'solid-js';

/** Copies `text` to the clipboard and says so for a moment. */
export function CopyButton(props: { text: string; label?: string }) {
  const [state, setState] = createSignal<'idle' | 'copied' | 'failed'>('idle');
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(props.text);
      setState('copied');
    } catch {
      // Clipboard access needs a secure context and permission; the text stays selectable.
      setState('failed');
    }
    clearTimeout(timer);
    timer = setTimeout(() => setState('idle'), 2000);
  };
  return (
    <button type="button" class="btn btn-small" onClick={copy} aria-live="polite">
      {state() === 'copied' ? 'Copied' : state() === 'failed' ? 'Select and copy' : (props.label ?? 'Copy')}
    </button>
  );
}
