import type { WebSocket } from 'ws';
import { z } from 'zod';
import { can } from '../auth/rbac.js';
import type { CallLauncher } from '../calls/launcher.js';
import { VrmError } from '../errors.js';
import { messageBytes, type WebSocketRoute } from '../http/websockets.js';
import type { Services } from '../kernel/container.js';
import { EventQueue } from '../providers/event-queue.js';
import type { AudioFormat, Telephony, TelephonyEvent } from '../providers/types.js';

export const BROWSER_CALL_PATH = '/v1/calls/browser';

const StartSchema = z.strictObject({
  type: z.literal('start'),
  token: z.string().min(1).max(4096),
  agent: z.string().min(1).max(100),
  sampleRate: z.union([z.literal(8000), z.literal(16000), z.literal(24000)]).default(16000),
  variables: z.record(z.string().max(64), z.string().max(2000)).optional(),
});
const ControlSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('mark'), name: z.string().min(1).max(200) }),
  z.strictObject({ type: z.literal('dtmf'), digit: z.string().regex(/^[0-9*#]$/) }),
  z.strictObject({ type: z.literal('stop') }),
]);

/**
 * A test call from the browser: 16-bit little-endian PCM both ways in binary frames, control as
 * JSON text frames. The browser echoes each `mark` once the audio before it has played, exactly as
 * a carrier does, so barge-in keeps what the caller heard.
 */
class BrowserTelephony implements Telephony {
  readonly inputFormat: AudioFormat;
  readonly outputFormat: AudioFormat;
  readonly #events = new EventQueue<TelephonyEvent>(500, (e) => e.type === 'audio');
  #onAudio: ((data: Uint8Array) => void) | undefined;

  constructor(
    private readonly ws: WebSocket,
    sampleRate: number,
  ) {
    this.inputFormat = { encoding: 'pcm16', sampleRate };
    this.outputFormat = { encoding: 'pcm16', sampleRate };
  }

  pushAudio(data: Uint8Array) {
    // PCM16 needs whole samples; a stray odd byte is dropped rather than shifting every sample after it.
    const whole = data.byteLength % 2 ? data.subarray(0, data.byteLength - 1) : data;
    if (this.#onAudio) this.#onAudio(whole);
    else this.#events.push({ type: 'audio', data: whole });
  }
  onAudio(listener: ((data: Uint8Array) => void) | undefined): void {
    this.#onAudio = listener;
  }
  pushControl(event: TelephonyEvent) {
    this.#events.push(event);
    if (event.type === 'stop') this.#events.end();
  }
  end() {
    this.#events.push({ type: 'stop' });
    this.#events.end();
  }
  events(): AsyncIterable<TelephonyEvent> {
    return this.#events;
  }
  sendAudio(data: Uint8Array): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(data, { binary: true });
  }
  sendMark(name: string): void {
    this.#json({ type: 'mark', name });
  }
  clear(): void {
    this.#json({ type: 'clear' });
  }
  async hangUp(): Promise<void> {
    this.#json({ type: 'ended', reason: 'agent-hangup' });
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000, 'call ended');
  }
  async transfer(target: string): Promise<void> {
    // A browser test call has no phone line to hand over: tell the tester where it would go.
    this.#json({ type: 'ended', reason: 'transfer', transferTo: target });
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000, 'transferred');
  }
  #json(message: object) {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(message));
  }
}

/** `/v1/calls/browser`: the first message is `{type:"start", token, agent, sampleRate?, variables?}`. */
export function browserCallRoute(services: Services, launcher: CallLauncher): WebSocketRoute {
  return {
    open(ws) {
      let telephony: BrowserTelephony | undefined;
      let starting = false;
      const fail = (code: number, message: string) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'error', message }));
        ws.close(code, message.slice(0, 120));
      };
      const timer = setTimeout(() => fail(4401, 'send {"type":"start", "token", "agent"} first'), 10_000);
      ws.on('message', async (raw, isBinary) => {
        if (telephony) {
          if (isBinary) return telephony.pushAudio(messageBytes(raw));
          const parsed = ControlSchema.safeParse(safeJson(String(raw)));
          if (!parsed.success)
            return ws.send(JSON.stringify({ type: 'error', message: 'unknown control message' }));
          const m = parsed.data;
          return telephony.pushControl(
            m.type === 'mark'
              ? { type: 'mark', name: m.name }
              : m.type === 'dtmf'
                ? { type: 'dtmf', digit: m.digit }
                : { type: 'stop' },
          );
        }
        if (starting || isBinary) return;
        const start = StartSchema.safeParse(safeJson(String(raw)));
        if (!start.success) {
          const issue = start.error.issues[0];
          return fail(4400, `invalid start message: ${issue?.path.join('.') || 'type'}: ${issue?.message}`);
        }
        starting = true;
        try {
          const principal = await services.authenticator.authenticate(start.data.token);
          if (!can(principal.role, 'calls:write')) return fail(4403, 'your role cannot place test calls');
          clearTimeout(timer);
          telephony = new BrowserTelephony(ws, start.data.sampleRate);
          const launched = await launcher.launch({
            organizationId: principal.organizationId,
            agentId: start.data.agent,
            channel: 'browser',
            telephony,
            ...(start.data.variables ? { variables: start.data.variables } : {}),
          });
          ws.send(
            JSON.stringify({ type: 'started', callId: launched.callId, sampleRate: start.data.sampleRate }),
          );
          void launched.done.then(() => {
            if (ws.readyState === ws.OPEN) ws.close(1000, 'call ended');
          });
        } catch (error) {
          fail(
            error instanceof VrmError && error.status === 401 ? 4401 : 4500,
            error instanceof Error ? error.message : 'call could not start',
          );
        }
      });
      ws.on('close', () => {
        clearTimeout(timer);
        telephony?.end();
      });
      ws.on('error', () => ws.terminate());
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
