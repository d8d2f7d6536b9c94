import { A } from '@solidjs/router';
import { EmptyState } from '../components/feedback.js';

export default function NotFound() {
  return (
    <EmptyState
      title="Nothing here"
      action={
        <A class="btn" href="/agents">
          Go to agents
        </A>
      }
    >
      This page does not exist, or it moved.
    </EmptyState>
  );
}
