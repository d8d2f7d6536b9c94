import { A } from '@solidjs/router';
import { createSignal, Show } from 'solid-js';
import { ApiError } from '../api/index.js';
import { useApp } from '../state/app-context.js';
import { AuthForm, field } from './auth-form.js';

/** Email and password, and the authenticator code when the account has two-factor sign-in. */
export default function SignIn() {
  const app = useApp();
  const [needsCode, setNeedsCode] = createSignal(false);
  const submit = async (form: FormData) => {
    try {
      const totp = field(form, 'totp');
      return await app.api.auth.login({
        email: field(form, 'email'),
        password: String(form.get('password') ?? ''),
        ...(totp ? { totp } : {}),
      });
    } catch (error) {
      if (error instanceof ApiError && error.code === 'mfa_required') setNeedsCode(true);
      throw error;
    }
  };
  return (
    <AuthForm
      title="Sign in"
      submitLabel="Sign in"
      submit={submit}
      footer={
        <>
          New to VRM? <A href="/sign-up">Create an account</A>
        </>
      }
    >
      <label class="field">
        <span class="field-label">Email</span>
        <input name="email" type="email" autocomplete="username" required autofocus />
      </label>
      <label class="field">
        <span class="field-label">Password</span>
        <input name="password" type="password" autocomplete="current-password" required />
      </label>
      <Show when={needsCode()}>
        <label class="field">
          <span class="field-label">Authenticator code</span>
          <input
            name="totp"
            inputMode="numeric"
            autocomplete="one-time-code"
            pattern="\d{6}"
            required
            autofocus
          />
        </label>
      </Show>
    </AuthForm>
  );
}
