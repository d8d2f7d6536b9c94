import {
  type Accessor,
  createContext,
  createResource,
  type ParentProps,
  type Resource,
  useContext,
} from 'solid-js';
import { type Api, createApi } from '../api/index.js';
import type { JsonSchema, Session } from '../api/types.js';
import { createSessionStore, type SessionStore } from './session.js';

/** Everything a screen needs from the app: the session, the typed API client, the manifest schema. */
export interface AppContextValue {
  session: SessionStore;
  api: Api;
  /** The manifest's JSON Schema, fetched once and shared by every editor. */
  manifestSchema: Resource<JsonSchema>;
  /** Stores a new session (sign-in, switch) so every screen refetches for it. */
  signIn(session: Session): void;
  signOut(): Promise<void>;
  /** Changes whenever the session's organization changes; resources key on it. */
  organizationId: Accessor<string | undefined>;
}

const AppContext = createContext<AppContextValue>();

/** Creates the app's state; the API lives on the same origin unless VITE_API_BASE says otherwise. */
export function createAppState(): AppContextValue {
  const session = createSessionStore();
  const api = createApi({ baseUrl: import.meta.env.VITE_API_BASE ?? '', tokens: session.tokens });
  let schema: Promise<JsonSchema> | undefined;
  const [manifestSchema] = createResource(() => (schema ??= api.agents.schema()));
  return {
    session,
    api,
    manifestSchema,
    signIn: (next) => session.save(next),
    signOut: async () => {
      const refreshToken = session.session()?.refreshToken;
      session.clear();
      // Revoking server-side is best effort: the local session is gone either way.
      if (refreshToken) await api.auth.logout(refreshToken).catch(() => undefined);
    },
    organizationId: () => session.session()?.organization.id,
  };
}

export function AppProvider(props: ParentProps<{ value: AppContextValue }>) {
  return <AppContext.Provider value={props.value}>{props.children}</AppContext.Provider>;
}

/** The app's state; throws when used outside {@link AppProvider}, which is a programming error. */
export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp() must be used inside <AppProvider>');
  return value;
}
