import { A, useNavigate } from '@solidjs/router';
import { type ParentProps, Show } from 'solid-js';
import { useApp } from '../state/app-context.js';
import { OrgSwitcher } from './org-switcher.js';

const NAV = [
  { href: '/dashboard', label: 'Dashboard' },
  { href: '/agents', label: 'Agents' },
  { href: '/tools', label: 'Tools' },
  { href: '/calls', label: 'Calls' },
  { href: '/members', label: 'Members' },
  { href: '/api-keys', label: 'API keys' },
] as const;

/** The signed-in frame: navigation, organization switcher, who is signed in, sign out. */
export function Shell(props: ParentProps) {
  const app = useApp();
  const navigate = useNavigate();
  const signOut = async () => {
    await app.signOut();
    navigate('/sign-in', { replace: true });
  };
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <aside class="sidebar">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">
            ◆
          </span>
          VRM Studio
        </div>
        <OrgSwitcher />
        <nav aria-label="Main">
          <ul>
            {NAV.map((item) => (
              <li>
                <A href={item.href} activeClass="active">
                  {item.label}
                </A>
              </li>
            ))}
          </ul>
        </nav>
        <div class="sidebar-foot">
          <Show when={app.session.session()}>
            {(s) => (
              <div class="who" title={s().user.email}>
                <span class="who-email">{s().user.email}</span>
                <span class="badge">{s().role}</span>
              </div>
            )}
          </Show>
          <button type="button" class="btn btn-ghost btn-small" onClick={signOut}>
            Sign out
          </button>
        </div>
      </aside>
      <main id="main" class="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}
