import twilio from 'twilio';
import type { TwilioCallControl } from './twilio-media-stream.js';

/** `validateRequest` from the official SDK: HMAC-SHA1 over the URL and sorted form parameters. */
export const validateTwilioSignature = twilio.validateRequest;

/**
 * Ends and transfers live calls through Twilio's REST API (the official SDK). `baseUrl` points it
 * at another host (a test double) — the SDK otherwise talks to api.twilio.com.
 */
export function createTwilioCallControl(options: {
  accountSid: string;
  authToken: string;
  baseUrl?: string | undefined;
}): TwilioCallControl {
  const client = twilio(options.accountSid, options.authToken);
  if (options.baseUrl) client.api.baseUrl = options.baseUrl.replace(/\/$/, '');
  return {
    async hangUp(callSid) {
      await client.calls(callSid).update({ status: 'completed' });
    },
    async transfer(callSid, target) {
      const response = new twilio.twiml.VoiceResponse();
      const dial = response.dial();
      if (target.startsWith('sip:')) dial.sip(target);
      else dial.number(target);
      await client.calls(callSid).update({ twiml: response.toString() });
    },
  };
}

/** The TwiML that connects a call to VRM's media stream, passing values as `<Parameter>`s. */
export function connectStreamTwiml(streamUrl: string, parameters: Record<string, string>): string {
  const response = new twilio.twiml.VoiceResponse();
  const stream = response.connect().stream({ url: streamUrl });
  for (const [name, value] of Object.entries(parameters)) stream.parameter({ name, value });
  return response.toString();
}
