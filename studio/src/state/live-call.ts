import { createSignal, onCleanup } from 'solid-js';
import { z } from 'zod/mini';
import type { Api } from '../api/index.js';
import type { CallEvent } from '../api/types.js';
import { mergeEvents } from '../trace/model.js';

const EventSchema = z.object({
  callId: z.string(),
  seq: z.number(),
  type: z.string(),
  turnId: z.nullable(z.number()),
  at: z.string(),
  offsetMs: z.number(),
  data: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
});

/** What `/v1/live` sends; anything else is ignored. */
const ServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), organizationId: z.string() }),
  z.object({ type: z.literal('subscribed'), callId: z.nullable(z.string()) }),
  z.object({ type: z.literal('events'), callId: z.string(), events: z.array(EventSchema) }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);

export type LiveStatus = 'loading' | 'connecting' | 'live' | 'offline' | 'closed';

const MAX_BACKOFF_MS = 10_000;

export interface LiveCallOptions {
  /** Follow the call over `/v1/live` until its `call.ended` event; otherwise read it once. */
  live: boolean;
}

/**
 * A call's trace that keeps itself current: the stored events first (`GET /v1/calls/:id/events`),
 * then new ones over the `/v1/live` WebSocket as they happen. After a dropped connection it
 * reconnects with backoff and fetches what it missed, so no event is lost or shown twice.
 */
export function createLiveCall(api: Api, callId: string, options: LiveCallOptions) {
  const [events, setEvents] = createSignal<CallEvent[]>([]);
  const [status, setStatus] = createSignal<LiveStatus>('loading');
  const [error, setError] = createSignal<unknown>();
  let socket: WebSocket | undefined;
  let closed = false;
  let attempt = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const lastSeq = () => events().at(-1)?.seq ?? 0;
  const add = (incoming: CallEvent[]) => setEvents((current) => mergeEvents(current, incoming));

  /**
   * Fetches the stored events after the newest one we have. A call's record is stored before VRM
   * answers with its id (text sessions and voice calls alike), so a 404 means what it says.
   */
  async function catchUp(): Promise<void> {
    for (;;) {
      const page = await api.calls.events(callId, lastSeq());
      add(page.events);
      if (page.nextAfter === null || page.events.length === 0) break;
    }
    if (events().some((e) => e.type === 'call.ended')) stop('closed');
  }

  function connect() {
    if (closed) return;
    setStatus('connecting');
    const url = api.http.url('/v1/live').replace(/^http/, 'ws');
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ type: 'auth', token: api.tokens.accessToken() ?? '' }));
    ws.onmessage = (message) => {
      let parsed: z.infer<typeof ServerMessage>;
      try {
        const result = z.safeParse(ServerMessage, JSON.parse(String(message.data)));
        if (!result.success) return;
        parsed = result.data;
      } catch {
        return;
      }
      if (parsed.type === 'ready') ws.send(JSON.stringify({ type: 'subscribe', callId }));
      else if (parsed.type === 'subscribed') {
        attempt = 0;
        setStatus('live');
        // Whatever happened between the page load and the subscription.
        void catchUp().catch(setError);
      } else if (parsed.type === 'events' && parsed.callId === callId) {
        add(parsed.events.map((e) => ({ ...e, data: e.data ?? {} })));
        if (parsed.events.some((e) => e.type === 'call.ended')) stop('closed');
      } else if (parsed.type === 'error') setError(new Error(parsed.message));
    };
    ws.onclose = (event) => {
      if (closed || socket !== ws) return;
      setStatus('offline');
      // 4401: the access token expired; any REST call refreshes it before we retry.
      const ready = event.code === 4401 ? api.auth.me().then(() => undefined) : Promise.resolve();
      const delay = Math.min(MAX_BACKOFF_MS, 500 * 2 ** attempt++);
      void ready
        .catch(() => undefined)
        .then(() => {
          timer = setTimeout(connect, delay);
        });
    };
  }

  function stop(final: LiveStatus) {
    closed = true;
    clearTimeout(timer);
    const ws = socket;
    socket = undefined;
    if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
    setStatus(final);
  }

  if (options.live) {
    // Subscribe at once, so nothing is missed while the stored events load.
    connect();
    void catchUp().catch(setError);
  } else {
    void catchUp()
      .then(() => stop('closed'))
      .catch((e) => {
        setError(e);
        setStatus('offline');
      });
  }

  onCleanup(() => stop('closed'));

  return {
    events,
    status,
    error,
    add,
  };
}

export type LiveCall = ReturnType<typeof createLiveCall>;
