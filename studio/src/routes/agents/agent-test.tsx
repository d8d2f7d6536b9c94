import { A, useParams } from '@solidjs/router';
import { createEffect, createRoot, createSignal, For, on, onCleanup, Show } from 'solid-js';
import type { TextReply } from '../../api/types.js';
import { ErrorNotice } from '../../components/feedback.js';
import { TraceView } from '../../components/trace/trace-view.js';
import { useApp } from '../../state/app-context.js';
import { createBrowserCall } from '../../state/browser-call.js';
import { createLiveCall, type LiveCall } from '../../state/live-call.js';
import { denied } from '../../state/permissions.js';
import { VoiceCallPanel } from './voice-call-panel.js';

interface ChatMessage {
  role: 'caller' | 'agent' | 'system';
  text: string;
  toolCalls?: TextReply['toolCalls'];
}

/**
 * Talk to an agent — in text through the voice loop, or by voice from this browser's microphone —
 * with the call's trace updating beside the conversation.
 */
export default function AgentTest() {
  const app = useApp();
  const params = useParams<{ agent: string }>();
  const [callId, setCallId] = createSignal<string>();
  const [messages, setMessages] = createSignal<ChatMessage[]>([]);
  const [ended, setEnded] = createSignal(false);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<unknown>();
  const [live, setLive] = createSignal<LiveCall>();
  const [mode, setMode] = createSignal<'text' | 'voice'>('text');
  const voice = createBrowserCall(app.api);
  const cannot = () => denied(app.session.role(), 'calls:write', 'Testing an agent');
  let input!: HTMLInputElement;
  // Each conversation's live trace lives in its own root, disposed when the next one starts.
  let disposeLive: (() => void) | undefined;
  onCleanup(() => disposeLive?.());
  const watch = (id: string) => {
    disposeLive?.();
    setLive(() =>
      createRoot((dispose) => {
        disposeLive = dispose;
        return createLiveCall(app.api, id, { live: true });
      }),
    );
  };
  // A voice call's id arrives with VRM's `started`, once its record is stored.
  createEffect(
    on(voice.callId, (id) => {
      if (!id) return;
      setCallId(id);
      watch(id);
    }),
  );

  const call = () => {
    setError(undefined);
    setMode('voice');
    setCallId(undefined);
    disposeLive?.();
    setLive(undefined);
    void voice.start(params.agent);
  };

  const push = (message: ChatMessage) => setMessages([...messages(), message]);

  const start = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const session = await app.api.calls.startSession(params.agent);
      setMode('text');
      setMessages([]);
      setEnded(false);
      setCallId(session.callId);
      watch(session.callId);
      if (session.missingTools.length > 0) {
        push({ role: 'system', text: `Tools not available: ${session.missingTools.join(', ')}` });
      }
      if (session.greeting) push({ role: 'agent', text: session.greeting });
      queueMicrotask(() => input?.focus());
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const send = async (event: SubmitEvent) => {
    event.preventDefault();
    const id = callId();
    const text = input.value.trim();
    if (!id || !text || busy()) return;
    input.value = '';
    push({ role: 'caller', text });
    setBusy(true);
    setError(undefined);
    try {
      const reply = await app.api.calls.send(id, text);
      push({ role: 'agent', text: reply.text, toolCalls: reply.toolCalls });
      if (reply.ended) {
        setEnded(true);
        push({ role: 'system', text: 'The agent ended the conversation.' });
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      input?.focus();
    }
  };

  const hangUp = async () => {
    const id = callId();
    if (!id) return;
    setError(undefined);
    try {
      await app.api.calls.end(id);
      setEnded(true);
      push({ role: 'system', text: 'You ended the conversation.' });
    } catch (e) {
      setError(e);
    }
  };

  return (
    <div class="page">
      <header class="page-head">
        <div>
          <A href={`/agents/${encodeURIComponent(params.agent)}`} class="muted small">
            ← {params.agent}
          </A>
          <h1>Test {params.agent}</h1>
          <p class="muted">
            Type, or call with your microphone: the live version answers with the same model, tools and rules
            as a phone call.
          </p>
        </div>
        <div class="actions">
          <Show when={callId()}>
            {(id) => (
              <A class="btn" href={`/calls/${id()}`}>
                Open trace
              </A>
            )}
          </Show>
          <Show when={mode() === 'text' && callId() && !ended()}>
            <button type="button" class="btn" onClick={hangUp}>
              End conversation
            </button>
          </Show>
          <button
            type="button"
            class="btn"
            classList={{ 'btn-primary': mode() === 'text' }}
            onClick={start}
            disabled={busy() || voice.busy() || !!cannot()}
            title={cannot()}
          >
            {mode() === 'text' && callId() ? 'Start again' : 'Start conversation'}
          </button>
          <button
            type="button"
            class="btn"
            classList={{ 'btn-primary': mode() === 'voice' }}
            onClick={call}
            disabled={busy() || voice.busy() || !!cannot()}
            title={
              cannot() ?? 'A voice call from this browser: your microphone in, the agent on your speakers'
            }
          >
            {voice.phase() === 'ended' || voice.phase() === 'failed' ? 'Call again' : 'Call'}
          </button>
        </div>
      </header>
      <Show when={cannot()}>
        <p class="muted small">{cannot()}</p>
      </Show>
      <Show when={error()}>
        <ErrorNotice error={error()} />
      </Show>
      <div class="test-layout">
        <Show
          when={mode() === 'text'}
          fallback={<VoiceCallPanel call={voice} events={live()?.events() ?? []} />}
        >
          <section class="panel chat" aria-label="Conversation">
            <ol class="chat-log" data-testid="chat" aria-live="polite">
              <For each={messages()}>
                {(m) => (
                  <li class={`bubble bubble-${m.role}`}>
                    <Show when={m.toolCalls && m.toolCalls.length > 0}>
                      <ul class="tool-calls">
                        <For each={m.toolCalls}>
                          {(t) => (
                            <li classList={{ failed: !t.ok }}>
                              <code>{t.name}</code> {t.ok ? '✓' : '✗'}
                            </li>
                          )}
                        </For>
                      </ul>
                    </Show>
                    {m.text}
                  </li>
                )}
              </For>
              <Show when={busy() && callId()}>
                <li class="bubble bubble-agent typing" aria-label="The agent is replying">
                  …
                </li>
              </Show>
            </ol>
            <Show when={!callId()}>
              <p class="muted small">Start a conversation to talk to the agent.</p>
            </Show>
            <form class="chat-input" onSubmit={send}>
              <input
                ref={input}
                aria-label="Message"
                placeholder={ended() ? 'The conversation has ended' : 'Say something…'}
                disabled={!callId() || ended()}
                maxLength={4000}
                autocomplete="off"
              />
              <button class="btn btn-primary" type="submit" disabled={!callId() || ended() || busy()}>
                Send
              </button>
            </form>
          </section>
        </Show>
        <div class="test-trace">
          <Show
            when={live()}
            fallback={<p class="muted small">The trace appears here once a conversation or call starts.</p>}
          >
            {(l) => (
              <>
                <Show when={l().error()}>
                  <ErrorNotice error={l().error()} compact />
                </Show>
                <TraceView events={l().events()} compact />
              </>
            )}
          </Show>
        </div>
      </div>
    </div>
  );
}
