import { createSignal, onCleanup } from 'solid-js';
import type { Api } from '../api/index.js';
import type { EditorProblem, ServerVerdict } from '../components/editor/manifest-editor.js';

/** How long typing must pause before the server validates the text. */
const VALIDATE_AFTER_MS = 500;

/**
 * A manifest being edited: its text, whether it differs from what was saved, the problems the
 * editor shows, and the server's validation, debounced while the builder types (a newer text
 * cancels the request for an older one).
 */
export function createManifestDraft(api: Api, initial: string) {
  const [text, setTextSignal] = createSignal(initial);
  const [saved, setSaved] = createSignal(initial);
  const [verdict, setVerdict] = createSignal<ServerVerdict>();
  const [problems, setProblems] = createSignal<EditorProblem[]>([]);
  const [validating, setValidating] = createSignal(false);
  const [validationError, setValidationError] = createSignal<unknown>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inflight: AbortController | undefined;

  const validateNow = async (value: string) => {
    inflight?.abort();
    if (!value.trim()) {
      setVerdict(undefined);
      return;
    }
    const controller = new AbortController();
    inflight = controller;
    setValidating(true);
    try {
      const result = await api.agents.validate(value, controller.signal);
      setValidationError(undefined);
      setVerdict({ text: value, problems: result.problems });
    } catch (error) {
      if ((error as Error).name !== 'AbortError') setValidationError(error);
    } finally {
      if (inflight === controller) setValidating(false);
    }
  };

  const setText = (value: string) => {
    setTextSignal(value);
    clearTimeout(timer);
    timer = setTimeout(() => void validateNow(value), VALIDATE_AFTER_MS);
  };

  onCleanup(() => {
    clearTimeout(timer);
    inflight?.abort();
  });
  if (initial.trim()) void validateNow(initial);

  return {
    text,
    setText,
    dirty: () => text() !== saved(),
    markSaved: (value: string) => setSaved(value),
    verdict,
    problems,
    setProblems,
    validating,
    validationError,
    /** True once the server has seen exactly this text and found nothing wrong. */
    valid: () => verdict()?.text === text() && verdict()?.problems.length === 0,
  };
}

export type ManifestDraft = ReturnType<typeof createManifestDraft>;
