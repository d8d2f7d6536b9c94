import { A } from '@solidjs/router';
import { useApp } from '../state/app-context.js';
import { AuthForm, field } from './auth-form.js';

/** A new account and its first organization, which the new user owns. */
export default function SignUp() {
  const app = useApp();
  const submit = (form: FormData) => {
    const name = field(form, 'name');
    return app.api.auth.signup({
      email: field(form, 'email'),
      password: String(form.get('password') ?? ''),
      organization: field(form, 'organization'),
      ...(name ? { name } : {}),
    });
  };
  return (
    <AuthForm
      title="Create your account"
      submitLabel="Create account"
      submit={submit}
      footer={
        <>
          Already have an account? <A href="/sign-in">Sign in</A>
        </>
      }
    >
      <label class="field">
        <span class="field-label">Your name</span>
        <input name="name" autocomplete="name" maxLength={100} />
      </label>
      <label class="field">
        <span class="field-label">Email</span>
        <input name="email" type="email" autocomplete="username" required autofocus />
      </label>
      <label class="field">
        <span class="field-label">Password</span>
        <input name="password" type="password" autocomplete="new-password" minLength={10} required />
        <span class="field-hint">At least 10 characters.</span>
      </label>
      <label class="field">
        <span class="field-label">Organization</span>
        <input name="organization" required maxLength={100} placeholder="Acme Plumbing" />
      </label>
    </AuthForm>
  );
}
