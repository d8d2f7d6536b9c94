import { createSignal, For, Show } from 'solid-js';
import type { CallEvent } from '../../api/types.js';
import { formatMs } from '../format.js';

/** Every raw event, filterable by type, each expandable to its JSON. */
export function EventLog(props: { events: CallEvent[] }) {
  const [filter, setFilter] = createSignal('');
  const shown = () => {
    const f = filter().trim().toLowerCase();
    return f ? props.events.filter((e) => e.type.includes(f)) : props.events;
  };
  return (
    <section class="panel" aria-labelledby="events-title">
      <div class="row">
        <h2 id="events-title" class="panel-title">
          Raw events ({props.events.length})
        </h2>
        <span class="spacer" />
        <input
          type="search"
          placeholder="Filter by type, e.g. tool"
          aria-label="Filter events by type"
          value={filter()}
          onInput={(e) => setFilter(e.currentTarget.value)}
        />
      </div>
      <ol class="event-log" data-testid="event-log">
        <For each={shown()}>
          {(event) => (
            <li>
              <details>
                <summary>
                  <span class="ev-at">{formatMs(event.offsetMs)}</span>
                  <span class="ev-turn">t{event.turnId ?? '–'}</span>
                  <code class="ev-type">{event.type}</code>
                  <Show when={Object.keys(event.data ?? {}).length > 0}>
                    <span class="ev-preview truncate">{JSON.stringify(event.data)}</span>
                  </Show>
                </summary>
                <pre class="ev-json">{JSON.stringify(event, null, 2)}</pre>
              </details>
            </li>
          )}
        </For>
      </ol>
    </section>
  );
}
