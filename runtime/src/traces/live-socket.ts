import type { WebSocket } from 'ws';
import { z } from 'zod';
import { can } from '../auth/rbac.js';
import type { WebSocketRoute } from '../http/websockets.js';
import type { Services } from '../kernel/container.js';
import type { LiveEvent, LiveSubscriber } from './live-hub.js';

const ClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), token: z.string().min(1).max(4096) }),
  z.strictObject({ type: z.literal('subscribe'), callId: z.uuid().optional() }),
  z.strictObject({ type: z.literal('unsubscribe'), callId: z.uuid().optional() }),
  z.strictObject({ type: z.literal('ping') }),
]);

const AUTH_TIMEOUT_MS = 10_000;

/**
 * `/v1/live`: live call events for one organization. Browsers cannot set headers on a WebSocket,
 * so the first message authenticates (`{type:"auth", token}`) — which keeps tokens out of URLs and
 * access logs. Then `subscribe` to one call (`callId`) or to all (`{}`); events arrive as
 * `{type:"events", callId, events:[…]}`.
 */
export function liveRoute(services: Services): WebSocketRoute {
  return {
    open(ws: WebSocket) {
      let subscriber: LiveSubscriber | undefined;
      let unsubscribe: (() => void) | undefined;
      const send = (message: unknown) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      };
      const fail = (code: number, message: string) => {
        send({ type: 'error', message });
        ws.close(code, message.slice(0, 120));
      };
      const authTimer = setTimeout(
        () => fail(4401, 'authenticate first: {"type":"auth","token":"…"}'),
        AUTH_TIMEOUT_MS,
      );

      ws.on('message', async (raw, isBinary) => {
        if (isBinary) return fail(4400, 'binary messages are not part of this protocol');
        let parsed: z.infer<typeof ClientMessageSchema>;
        try {
          const result = ClientMessageSchema.safeParse(JSON.parse(String(raw)));
          if (!result.success) {
            const issue = result.error.issues[0];
            return send({
              type: 'error',
              message: `invalid message: ${issue?.path.join('.') || 'type'}: ${issue?.message}`,
            });
          }
          parsed = result.data;
        } catch {
          return send({ type: 'error', message: 'messages must be JSON' });
        }
        if (parsed.type === 'ping') return send({ type: 'pong' });
        if (parsed.type === 'auth') {
          if (subscriber) return send({ type: 'error', message: 'already authenticated' });
          try {
            const principal = await services.authenticator.authenticate(parsed.token);
            if (!can(principal.role, 'calls:read')) return fail(4403, 'your role cannot read calls');
            clearTimeout(authTimer);
            subscriber = {
              organizationId: principal.organizationId,
              callIds: new Set(),
              send: (events: LiveEvent[]) => {
                if (events.length > 0) send({ type: 'events', callId: events[0]!.callId, events });
              },
            };
            unsubscribe = services.liveHub.subscribe(subscriber);
            return send({ type: 'ready', organizationId: principal.organizationId });
          } catch {
            return fail(4401, 'invalid token');
          }
        }
        if (!subscriber) return fail(4401, 'authenticate first');
        if (parsed.type === 'subscribe') {
          if (parsed.callId) subscriber.callIds?.add(parsed.callId);
          else subscriber.callIds = null;
          return send({ type: 'subscribed', callId: parsed.callId ?? null });
        }
        if (parsed.callId) subscriber.callIds?.delete(parsed.callId);
        else subscriber.callIds = new Set();
        return send({ type: 'unsubscribed', callId: parsed.callId ?? null });
      });
      ws.on('close', () => {
        clearTimeout(authTimer);
        unsubscribe?.();
      });
      ws.on('error', () => ws.terminate());
    },
  };
}
