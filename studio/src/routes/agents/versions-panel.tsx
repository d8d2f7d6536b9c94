import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import type { VersionSummary } from '../../api/types.js';
import { formatDateTime, timeAgo } from '../../components/format.js';

export interface VersionsPanelProps {
  agent: string;
  versions: VersionSummary[];
  liveVersion: number;
  /** Why publishing is not allowed for this role, or undefined. */
  publishDenied: string | undefined;
  busy: boolean;
  onPublish(version: number): void;
  onRollback(version: number): void;
}

/** Version history: what is live, what was published, diffs against the previous version. */
export function VersionsPanel(props: VersionsPanelProps) {
  const href = (from: number, to: number) =>
    `/agents/${encodeURIComponent(props.agent)}/diff?from=${from}&to=${to}`;
  return (
    <section class="panel" aria-labelledby="versions-title">
      <h2 id="versions-title" class="panel-title">
        Versions
      </h2>
      <Show when={props.publishDenied}>
        <p class="muted small" id="publish-denied">
          {props.publishDenied}
        </p>
      </Show>
      <ol class="versions" data-testid="versions">
        <For each={props.versions}>
          {(v) => (
            <li class="version" classList={{ live: v.live }} data-version={v.version}>
              <div class="version-head">
                <span class="strong">v{v.version}</span>
                <Show when={v.live}>
                  <span class="badge badge-live">live</span>
                </Show>
                <Show when={!v.live && v.publishedAt}>
                  <span class="badge">published</span>
                </Show>
                <Show when={!v.publishedAt}>
                  <span class="badge badge-draft">draft</span>
                </Show>
                <span class="spacer" />
                <span class="muted small" title={formatDateTime(v.createdAt)}>
                  {timeAgo(v.createdAt)}
                </span>
              </div>
              <div class="version-actions">
                <Show when={v.version > 1}>
                  <A class="btn btn-small" href={href(v.version - 1, v.version)}>
                    Diff v{v.version - 1}
                  </A>
                </Show>
                <Show when={!v.live && v.version !== props.liveVersion}>
                  <Show
                    when={v.publishedAt}
                    fallback={
                      <button
                        type="button"
                        class="btn btn-small"
                        disabled={props.busy || !!props.publishDenied}
                        aria-describedby={props.publishDenied ? 'publish-denied' : undefined}
                        title={props.publishDenied}
                        onClick={() => props.onPublish(v.version)}
                      >
                        Publish
                      </button>
                    }
                  >
                    <button
                      type="button"
                      class="btn btn-small"
                      disabled={props.busy || !!props.publishDenied}
                      aria-describedby={props.publishDenied ? 'publish-denied' : undefined}
                      title={props.publishDenied}
                      onClick={() => props.onRollback(v.version)}
                    >
                      {v.version < props.liveVersion ? 'Roll back to' : 'Make live'}
                    </button>
                  </Show>
                </Show>
              </div>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
