import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { z } from 'zod';
import type { CallLauncher } from '../calls/launcher.js';
import { VrmError } from '../errors.js';
import type { AppEnv } from '../http/context.js';
import type { ApiRouter } from '../http/route.js';
import type { WebSocketRoute } from '../http/websockets.js';
import type { Services } from '../kernel/container.js';
import { resolveAgentForTelephony } from './agent-lookup.js';
import { TwilioMediaStream } from './twilio-media-stream.js';
import { connectStreamTwiml, createTwilioCallControl, validateTwilioSignature } from './twilio-rest.js';

export const TWILIO_VOICE_PATH = '/telephony/twilio/voice';
export const TWILIO_STREAM_PATH = '/telephony/twilio/stream';
const START_TIMEOUT_MS = 10_000;
/** Query parameters of the webhook URL that select the agent; every other one becomes a call variable. */
const RESERVED = new Set(['agent', 'org']);

const VoiceWebhookSchema = z.object({
  CallSid: z.string().min(1),
  AccountSid: z.string().min(1),
  From: z.string().default(''),
  To: z.string().default(''),
});

const StreamParametersSchema = z.object({
  organizationId: z.uuid(),
  agentId: z.uuid(),
  callSid: z.string().min(1),
  from: z.string().default(''),
  to: z.string().default(''),
  signature: z.string().min(1),
});

/** The public origin Twilio sees: VRM_PUBLIC_URL, else the request's own host (and proxy scheme when trusted). */
function publicOrigin(
  services: Services,
  host: string | undefined,
  forwardedProto: string | undefined,
): string {
  if (services.config.VRM_PUBLIC_URL) return services.config.VRM_PUBLIC_URL.replace(/\/$/, '');
  const proto =
    services.config.VRM_TRUST_PROXY && forwardedProto ? forwardedProto.split(',')[0]!.trim() : 'http';
  return `${proto}://${host ?? 'localhost'}`;
}

const wsOrigin = (origin: string) => origin.replace(/^http/, 'ws');
const streamSigningInput = (p: {
  organizationId: string;
  agentId: string;
  callSid: string;
  from: string;
  to: string;
}) => [p.organizationId, p.agentId, p.callSid, p.from, p.to].join('\n');

/**
 * `POST /telephony/twilio/voice?agent=<id or name>[&org=<slug>]`: Twilio's voice webhook. Checks
 * `X-Twilio-Signature` when TWILIO_AUTH_TOKEN is set, finds the agent, and answers TwiML that
 * connects the call to the media stream. The stream's parameters carry our own signature, so a
 * socket cannot claim another organization's agent even where Twilio signatures are off.
 */
export function twilioRoutes(r: ApiRouter, services: Services) {
  r.post(TWILIO_VOICE_PATH, 'public', async (c: Context<AppEnv>) => {
    const form = await c.req.parseBody();
    const params = Object.fromEntries(
      Object.entries(form).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    const origin = publicOrigin(services, c.req.header('host'), c.req.header('x-forwarded-proto'));
    const token = services.config.TWILIO_AUTH_TOKEN;
    if (token) {
      const url = `${origin}${c.req.path}${new URL(c.req.url).search}`;
      if (!validateTwilioSignature(token, c.req.header('x-twilio-signature') ?? '', url, params)) {
        throw new VrmError('invalid_signature', 'X-Twilio-Signature does not match this request', {
          status: 403,
        });
      }
    }
    const webhook = VoiceWebhookSchema.safeParse(params);
    if (!webhook.success)
      throw new VrmError(
        'validation_failed',
        'Not a Twilio voice webhook: CallSid and AccountSid are required',
        { status: 400 },
      );
    const query = c.req.query();
    const agent = await resolveAgentForTelephony(services, query.agent, query.org);
    const stream = {
      organizationId: agent.organizationId,
      agentId: agent.id,
      callSid: webhook.data.CallSid,
      from: webhook.data.From,
      to: webhook.data.To,
    };
    const variables = Object.fromEntries(
      Object.entries(query)
        .filter(([k]) => !RESERVED.has(k))
        .map(([k, v]) => [`var_${k}`, v]),
    );
    const twiml = connectStreamTwiml(`${wsOrigin(origin)}${TWILIO_STREAM_PATH}`, {
      ...stream,
      ...variables,
      signature: services.signer.sign(streamSigningInput(stream) + JSON.stringify(variables)),
    });
    return c.body(twiml, 200, { 'Content-Type': 'text/xml; charset=utf-8' });
  });
}

/** The Media Streams WebSocket: one call per socket, handed to the voice loop once `start` arrives. */
export function twilioStreamRoute(services: Services, launcher: CallLauncher): WebSocketRoute {
  const { config, log } = services;
  const control =
    config.TWILIO_ACCOUNT_SID && config.TWILIO_AUTH_TOKEN
      ? createTwilioCallControl({
          accountSid: config.TWILIO_ACCOUNT_SID,
          authToken: config.TWILIO_AUTH_TOKEN,
          baseUrl: config.TWILIO_BASE_URL,
        })
      : undefined;
  return {
    async verify(req: IncomingMessage, url: URL) {
      const token = config.TWILIO_AUTH_TOKEN;
      if (!token) return null;
      const forwarded = req.headers['x-forwarded-proto'];
      const origin = publicOrigin(
        services,
        req.headers.host,
        Array.isArray(forwarded) ? forwarded[0] : forwarded,
      );
      const signature = req.headers['x-twilio-signature'];
      const signed = `${wsOrigin(origin)}${url.pathname}${url.search}`;
      if (typeof signature !== 'string' || !validateTwilioSignature(token, signature, signed, {})) {
        return { status: 403, message: 'X-Twilio-Signature does not match this stream URL' };
      }
      return null;
    },
    open(ws) {
      const callLog = log.child({ component: 'twilio' });
      const telephony = new TwilioMediaStream(ws, { log: callLog, control });
      const timer = setTimeout(() => ws.close(1008, 'no start message'), START_TIMEOUT_MS);
      telephony.started.then(
        async (start) => {
          clearTimeout(timer);
          const parsed = StreamParametersSchema.safeParse(start.customParameters);
          const variables = Object.fromEntries(
            Object.entries(start.customParameters).filter(([k]) => k.startsWith('var_')),
          );
          if (
            !parsed.success ||
            parsed.data.callSid !== start.callSid ||
            !services.signer.verify(
              streamSigningInput(parsed.data) + JSON.stringify(variables),
              parsed.data.signature,
            )
          ) {
            callLog.warn({ callSid: start.callSid }, 'refusing a media stream without valid VRM parameters');
            ws.close(1008, 'invalid stream parameters');
            return;
          }
          const p = parsed.data;
          try {
            await launcher.launch({
              organizationId: p.organizationId,
              agentId: p.agentId,
              channel: 'twilio',
              telephony,
              fromNumber: p.from || null,
              toNumber: p.to || null,
              providerCallId: start.callSid,
              variables: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k.slice(4), v])),
            });
          } catch (error) {
            callLog.error({ err: error, callSid: start.callSid }, 'could not start the call');
            ws.close(1011, 'call could not start');
          }
        },
        () => clearTimeout(timer),
      );
    },
  };
}
