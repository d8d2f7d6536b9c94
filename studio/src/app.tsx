import { Navigate, Route, Router, type RouteSectionProps, useLocation } from '@solidjs/router';
import { lazy, type ParentProps, Show, Suspense } from 'solid-js';
import { Loading } from './components/feedback.js';
import { Shell } from './components/shell.js';
import { type AppContextValue, AppProvider, useApp } from './state/app-context.js';

// Each screen is its own chunk: signing in does not download the editor.
const SignIn = lazy(() => import('./routes/sign-in.js'));
const SignUp = lazy(() => import('./routes/sign-up.js'));
const AgentList = lazy(() => import('./routes/agents/agent-list.js'));
const AgentNew = lazy(() => import('./routes/agents/agent-new.js'));
const AgentDetail = lazy(() => import('./routes/agents/agent-detail.js'));
const AgentDiff = lazy(() => import('./routes/agents/agent-diff.js'));
const AgentTest = lazy(() => import('./routes/agents/agent-test.js'));
const ServerList = lazy(() => import('./routes/tools/server-list.js'));
const ServerDetail = lazy(() => import('./routes/tools/server-detail.js'));
const CallList = lazy(() => import('./routes/calls/call-list.js'));
const CallDetail = lazy(() => import('./routes/calls/call-detail.js'));
const Dashboard = lazy(() => import('./routes/dashboard.js'));
const Members = lazy(() => import('./routes/members.js'));
const ApiKeys = lazy(() => import('./routes/api-keys.js'));
const NotFound = lazy(() => import('./routes/not-found.js'));

/** Screens behind sign-in; a signed-out visitor goes to /sign-in and comes back afterwards. */
function SignedIn(props: RouteSectionProps) {
  const app = useApp();
  const location = useLocation();
  return (
    <Show
      when={app.session.signedIn()}
      fallback={
        <Navigate href={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} />
      }
    >
      <Shell>
        <Suspense fallback={<Loading />}>{props.children}</Suspense>
      </Shell>
    </Show>
  );
}

function Root(props: ParentProps) {
  return <Suspense fallback={<Loading />}>{props.children}</Suspense>;
}

/** The studio: routes, each loaded on demand. */
export function App(props: { state: AppContextValue }) {
  return (
    <AppProvider value={props.state}>
      <Router root={Root}>
        <Route path="/sign-in" component={SignIn} />
        <Route path="/sign-up" component={SignUp} />
        <Route path="/" component={SignedIn}>
          <Route path="/" component={() => <Navigate href="/agents" />} />
          <Route path="/agents" component={AgentList} />
          <Route path="/agents/new" component={AgentNew} />
          <Route path="/agents/:agent" component={AgentDetail} />
          <Route path="/agents/:agent/diff" component={AgentDiff} />
          <Route path="/agents/:agent/test" component={AgentTest} />
          <Route path="/tools" component={ServerList} />
          <Route path="/tools/:id" component={ServerDetail} />
          <Route path="/calls" component={CallList} />
          <Route path="/calls/:id" component={CallDetail} />
          <Route path="/dashboard" component={Dashboard} />
          <Route path="/members" component={Members} />
          <Route path="/api-keys" component={ApiKeys} />
          <Route path="*" component={NotFound} />
        </Route>
      </Router>
    </AppProvider>
  );
}
