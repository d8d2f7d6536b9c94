import { createMemo, createSignal, For, onCleanup, Show } from 'solid-js';
import type { CallEvent } from '../../api/types.js';
import { ErrorNotice } from '../../components/feedback.js';
import type { BrowserCall, CallPhase } from '../../state/browser-call.js';
import { buildTrace } from '../../trace/model.js';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

const PHASE_LABEL: Record<CallPhase, string> = {
  idle: 'Not connected',
  starting: 'Opening the microphone…',
  connecting: 'Connecting to the agent…',
  live: 'On call',
  ending: 'Hanging up…',
  ended: 'Call ended',
  failed: 'Call failed',
};

const clock = (ms: number) => {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/**
 * A voice call with the agent from this browser: its state, what was said (from the live trace),
 * and the phone's controls — mute, keypad, hang up.
 */
export function VoiceCallPanel(props: { call: BrowserCall; events: CallEvent[] }) {
  const [keypad, setKeypad] = createSignal(false);
  const [elapsed, setElapsed] = createSignal(0);
  let liveSince = 0;
  const timer = setInterval(() => {
    if (props.call.phase() !== 'live') {
      liveSince = 0;
      return;
    }
    liveSince ||= Date.now();
    setElapsed(Date.now() - liveSince);
  }, 500);
  onCleanup(() => clearInterval(timer));

  const said = createMemo(() =>
    buildTrace(props.events).transcript.filter(
      (e) => e.role === 'caller' || e.role === 'agent' || e.role === 'system',
    ),
  );
  const live = () => props.call.phase() === 'live';

  return (
    <section class="panel chat voice-call" aria-label="Voice call" data-phase={props.call.phase()}>
      <div class="call-status" role="status" data-testid="call-status">
        <span
          class="call-dot"
          classList={{ on: live(), speaking: props.call.agentSpeaking() }}
          aria-hidden="true"
        />
        <span class="strong">{PHASE_LABEL[props.call.phase()]}</span>
        <Show when={live()}>
          <span class="muted">{clock(elapsed())}</span>
          <span class="badge" classList={{ 'badge-live': props.call.agentSpeaking() }}>
            {props.call.agentSpeaking() ? 'Agent speaking' : 'Listening'}
          </span>
          <Show when={props.call.muted()}>
            <span class="badge badge-warn">Muted</span>
          </Show>
        </Show>
        <Show when={props.call.phase() === 'ended' && props.call.endNote()}>
          <span class="muted">{props.call.endNote()}</span>
        </Show>
      </div>
      <Show when={props.call.problem()}>
        <ErrorNotice error={props.call.problem()} />
      </Show>
      <ol class="chat-log" data-testid="call-conversation" aria-live="polite">
        <For each={said()}>{(entry) => <li class={`bubble bubble-${entry.role}`}>{entry.text}</li>}</For>
      </ol>
      <Show when={keypad() && live()}>
        <fieldset class="keypad" aria-label="Keypad">
          <For each={KEYS}>
            {(key) => (
              <button
                type="button"
                class="btn key"
                aria-label={`Key ${key}`}
                onClick={() => props.call.sendDigit(key)}
              >
                {key}
              </button>
            )}
          </For>
        </fieldset>
      </Show>
      <div class="call-controls">
        <button
          type="button"
          class="btn"
          aria-pressed={props.call.muted()}
          disabled={!live()}
          onClick={() => props.call.setMuted(!props.call.muted())}
        >
          {props.call.muted() ? 'Unmute' : 'Mute'}
        </button>
        <button
          type="button"
          class="btn"
          aria-expanded={keypad()}
          disabled={!live()}
          onClick={() => setKeypad(!keypad())}
        >
          Keypad
        </button>
        <span class="spacer" />
        <button
          type="button"
          class="btn btn-danger"
          disabled={!props.call.busy() || props.call.phase() === 'ending'}
          onClick={() => props.call.hangUp()}
        >
          Hang up
        </button>
      </div>
    </section>
  );
}
