import { For, Show } from 'solid-js';
import type { Span, TurnTrace } from '../../trace/model.js';
import { formatMs } from '../format.js';

const KIND_LABEL: Record<Span['kind'], string> = { speech: 'STT', llm: 'LLM', tool: 'Tool', tts: 'TTS' };

/** The turn's `turn.metrics` figures, for the voice-to-voice badge's tooltip. */
function metricsTitle(turn: TurnTrace): string {
  const m = turn.metrics ?? {};
  const parts: [string, number | undefined][] = [
    ['endpointing', m.endpointingMs],
    ['STT', m.sttMs],
    ['LLM first token', m.llmTtftMs],
    ['TTS first audio', m.ttsTtfbMs],
  ];
  const known = parts.filter(([, v]) => v !== undefined).map(([k, v]) => `${k} ${formatMs(v)}`);
  return ['Voice to voice', ...known].join(' · ');
}

/**
 * One row per span of a turn, drawn to scale against the turn's duration, so the slow part of a
 * slow turn is the long bar. Markers (interruptions, fallbacks, errors) sit on a row of their own.
 */
export function TurnWaterfall(props: { turn: TurnTrace }) {
  const duration = () => Math.max(1, props.turn.end - props.turn.start);
  const left = (at: number) => `${((at - props.turn.start) / duration()) * 100}%`;
  const width = (span: Span) => `${Math.max(0.6, ((span.end - span.start) / duration()) * 100)}%`;
  return (
    <section class="turn" aria-label={`Turn ${props.turn.turnId}`} data-turn={props.turn.turnId}>
      <header class="turn-head">
        <span class="strong">{props.turn.turnId === 0 ? 'Greeting' : `Turn ${props.turn.turnId}`}</span>
        <Show when={props.turn.callerText}>
          <span class="turn-text truncate">“{props.turn.callerText}”</span>
        </Show>
        <span class="spacer" />
        <Show when={props.turn.latencyMs !== undefined}>
          <span
            class="badge"
            classList={{ 'badge-warn': (props.turn.latencyMs ?? 0) > 1500 }}
            title={metricsTitle(props.turn)}
          >
            {formatMs(props.turn.latencyMs)}
          </span>
        </Show>
        <span class="muted small">{formatMs(duration())}</span>
      </header>
      <ul class="waterfall" aria-label="Spans">
        <For each={props.turn.spans}>
          {(span) => (
            <li class="wf-row" data-kind={span.kind}>
              <span class="wf-label">
                <span class={`wf-kind wf-${span.kind}`}>{KIND_LABEL[span.kind]}</span>
                <span class="truncate" title={span.label}>
                  {span.label}
                </span>
              </span>
              <span class="wf-track">
                <span
                  class={`wf-bar wf-${span.kind}`}
                  classList={{ failed: span.failed, open: span.open }}
                  style={{ left: left(span.start), width: width(span) }}
                  title={`${span.label}: ${formatMs(span.end - span.start)}${span.detail ? ` · ${span.detail}` : ''}`}
                />
              </span>
              <span class="wf-ms">{span.open ? '…' : formatMs(span.end - span.start)}</span>
            </li>
          )}
        </For>
        <Show when={props.turn.markers.length > 0}>
          <li class="wf-row wf-markers">
            <span class="wf-label">Events</span>
            <span class="wf-track">
              <For each={props.turn.markers}>
                {(marker) => (
                  <span
                    class={`wf-marker wf-marker-${marker.kind}`}
                    style={{ left: left(marker.at) }}
                    title={marker.label}
                  />
                )}
              </For>
            </span>
            <span class="wf-ms" />
          </li>
        </Show>
      </ul>
      <Show when={props.turn.markers.length > 0}>
        <ul class="marker-list">
          <For each={props.turn.markers}>
            {(marker) => (
              <li class={`marker-${marker.kind}`}>
                <span class="muted">+{formatMs(marker.at - props.turn.start)}</span> {marker.label}
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}
