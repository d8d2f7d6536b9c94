import { For, Show } from 'solid-js';
import type { TranscriptEntry } from '../../trace/model.js';
import { formatMs } from '../format.js';

/** What the caller and the agent said, tool calls in between, as a conversation. */
export function Transcript(props: { entries: TranscriptEntry[]; empty?: string }) {
  return (
    <Show
      when={props.entries.length > 0}
      fallback={<p class="muted small">{props.empty ?? 'Nothing said yet.'}</p>}
    >
      <ol class="transcript" data-testid="transcript">
        <For each={props.entries}>
          {(entry) => (
            <li class={`msg msg-${entry.role}`} classList={{ failed: entry.failed }}>
              <span class="msg-meta">
                {entry.role === 'caller'
                  ? 'Caller'
                  : entry.role === 'agent'
                    ? 'Agent'
                    : entry.role === 'tool'
                      ? 'Tool'
                      : ''}{' '}
                <span class="muted">{formatMs(entry.at)}</span>
              </span>
              <span class="msg-text">{entry.text}</span>
            </li>
          )}
        </For>
      </ol>
    </Show>
  );
}
