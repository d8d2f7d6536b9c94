import { createSignal } from 'solid-js';
import { z } from 'zod/mini';
import type { TokenStore } from '../api/http.js';
import type { Session } from '../api/types.js';

const STORAGE_KEY = 'vrm.session';

const RoleSchema = z.enum(['owner', 'admin', 'builder', 'viewer']);
/** What is kept in localStorage; anything else there (an old format, a hand edit) is discarded. */
const SessionSchema = z.object({
  token: z.string().check(z.minLength(1)),
  refreshToken: z.string().check(z.minLength(1)),
  expiresIn: z.number(),
  user: z.object({
    id: z.string(),
    email: z.string(),
    name: z.nullable(z.string()),
    mfaEnabled: z.boolean(),
  }),
  organization: z.object({ id: z.string(), name: z.string(), slug: z.string() }),
  role: RoleSchema,
});

function read(storage: Storage): Session | undefined {
  try {
    const raw = storage.getItem(STORAGE_KEY);
    if (!raw) return undefined;
    const parsed = z.safeParse(SessionSchema, JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The signed-in session (access and refresh tokens, user, organization, role), persisted in
 * localStorage and kept in step across tabs: signing out in one tab signs out every tab.
 */
export function createSessionStore(storage: Storage = localStorage) {
  const [session, setSession] = createSignal<Session | undefined>(read(storage));

  const save = (next: Session) => {
    storage.setItem(STORAGE_KEY, JSON.stringify(next));
    setSession(next);
  };
  const clear = () => {
    storage.removeItem(STORAGE_KEY);
    setSession(undefined);
  };

  if (typeof window !== 'undefined') {
    window.addEventListener('storage', (event) => {
      if (event.key === STORAGE_KEY) setSession(read(storage));
    });
  }

  const tokens: TokenStore = {
    accessToken: () => session()?.token,
    refreshToken: () => session()?.refreshToken,
    refreshed: (body) => {
      const parsed = z.safeParse(SessionSchema, body);
      if (parsed.success) save(parsed.data);
      else clear();
    },
    expired: clear,
  };

  return {
    session,
    signedIn: () => session() !== undefined,
    role: () => session()?.role,
    save,
    clear,
    tokens,
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
