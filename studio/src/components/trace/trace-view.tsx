import { createMemo, For, Show } from 'solid-js';
import type { CallEvent } from '../../api/types.js';
import { buildTrace } from '../../trace/model.js';
import { EventLog } from './event-log.js';
import { Transcript } from './transcript.js';
import { TurnWaterfall } from './waterfall.js';

/** A call's trace: the conversation beside the per-turn waterfall, raw events below. */
export function TraceView(props: { events: CallEvent[]; compact?: boolean }) {
  const trace = createMemo(() => buildTrace(props.events));
  return (
    <div class="trace" classList={{ compact: props.compact }}>
      <div class="trace-grid">
        <section class="panel" aria-labelledby="transcript-title">
          <h2 id="transcript-title" class="panel-title">
            Transcript
          </h2>
          <Transcript entries={trace().transcript} />
        </section>
        <section class="panel" aria-labelledby="turns-title">
          <h2 id="turns-title" class="panel-title">
            Turns
          </h2>
          <Show when={trace().turns.length > 0} fallback={<p class="muted small">No turns yet.</p>}>
            <div class="turns" data-testid="turns">
              <For each={trace().turns}>{(turn) => <TurnWaterfall turn={turn} />}</For>
            </div>
          </Show>
        </section>
      </div>
      <EventLog events={props.events} />
    </div>
  );
}
