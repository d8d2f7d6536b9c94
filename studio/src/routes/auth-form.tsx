import { useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, type JSX, Show } from 'solid-js';
import type { Session } from '../api/types.js';
import { ErrorNotice } from '../components/feedback.js';
import { useApp } from '../state/app-context.js';

/** Where to go after signing in: the page that sent us here, if it is one of ours. */
export function useAfterSignIn() {
  const [search] = useSearchParams<{ next?: string }>();
  const navigate = useNavigate();
  return () => {
    const next = search.next;
    navigate(next?.startsWith('/') && !next.startsWith('//') ? next : '/agents', { replace: true });
  };
}

/** The shared frame of the sign-in and sign-up pages. */
export function AuthForm(props: {
  title: string;
  submitLabel: string;
  children: JSX.Element;
  footer: JSX.Element;
  submit(form: FormData): Promise<Session>;
}) {
  const app = useApp();
  const done = useAfterSignIn();
  const [error, setError] = createSignal<unknown>();
  const [busy, setBusy] = createSignal(false);

  const onSubmit = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      app.signIn(await props.submit(new FormData(event.currentTarget as HTMLFormElement)));
      done();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="auth-page">
      <form class="auth-card stack" onSubmit={onSubmit} aria-labelledby="auth-title">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>
          VRM Studio
        </div>
        <h1 id="auth-title">{props.title}</h1>
        {props.children}
        <Show when={error()}>
          <ErrorNotice error={error()} />
        </Show>
        <button class="btn btn-primary" type="submit" disabled={busy()}>
          {busy() ? 'Please wait…' : props.submitLabel}
        </button>
        <p class="muted small">{props.footer}</p>
      </form>
    </div>
  );
}

export const field = (form: FormData, name: string) => String(form.get(name) ?? '').trim();
