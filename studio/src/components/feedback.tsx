import { type JSX, Show } from 'solid-js';
import { ApiError } from '../api/index.js';
import { CallProblem } from '../voice/call-problems.js';

/** What a person can do about an error: the API's message, the wait on a 429, the request id. */
export function describeError(error: unknown): { title: string; message: string; hint?: string } {
  if (error instanceof CallProblem) return { title: error.title, message: error.message, hint: error.hint };
  if (error instanceof ApiError) {
    const hint =
      error.status === 429 && error.retryAfterSeconds !== undefined
        ? `Try again in ${error.retryAfterSeconds} s.`
        : error.status === 403
          ? 'Ask an admin of this organization for a higher role.'
          : error.status >= 500 && error.requestId
            ? `Request id ${error.requestId} — include it when you report this.`
            : undefined;
    const title =
      error.status === 0
        ? 'Offline'
        : error.status === 429
          ? 'Too many requests'
          : error.status === 403
            ? 'Not allowed'
            : error.status === 404
              ? 'Not found'
              : error.status >= 500
                ? 'Server error'
                : 'Request failed';
    return { title, message: error.message, hint };
  }
  return { title: 'Something went wrong', message: error instanceof Error ? error.message : String(error) };
}

/** An error notice with an optional retry; announced to screen readers. */
export function ErrorNotice(props: { error: unknown; onRetry?: () => void; compact?: boolean }) {
  const info = () => describeError(props.error);
  return (
    <div class="notice notice-error" classList={{ compact: props.compact }} role="alert">
      <strong>{info().title}</strong>
      <span class="notice-message">{info().message}</span>
      <Show when={info().hint}>
        <span class="notice-hint">{info().hint}</span>
      </Show>
      <Show when={props.onRetry}>
        <button type="button" class="btn btn-small" onClick={() => props.onRetry?.()}>
          Retry
        </button>
      </Show>
    </div>
  );
}

export function Loading(props: { label?: string }) {
  return (
    <div class="loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true" />
      {props.label ?? 'Loading…'}
    </div>
  );
}

/** A calm empty state that says what belongs here and how to add it. */
export function EmptyState(props: { title: string; children?: JSX.Element; action?: JSX.Element }) {
  return (
    <div class="empty">
      <h3>{props.title}</h3>
      <Show when={props.children}>
        <p>{props.children}</p>
      </Show>
      {props.action}
    </div>
  );
}

export function Notice(props: { kind?: 'info' | 'success' | 'warning'; children: JSX.Element }) {
  return (
    <div class={`notice notice-${props.kind ?? 'info'}`} role="status">
      {props.children}
    </div>
  );
}
