import { describe, expect, it } from 'vitest';
import { readTwilioMedia } from '../telephony/twilio-protocol.js';
import { TwilioInboundMessageSchema, twilioMediaMessage, twilioSid } from './twilio-media-protocol.js';

describe('twilioMediaMessage', () => {
  const payload = Buffer.alloc(160, 0x7f).toString('base64');
  const streamSid = twilioSid('MZ');

  it("writes Twilio's media message: valid by the protocol schema, timestamps counting 20 ms chunks", () => {
    const text = twilioMediaMessage({ sequenceNumber: 4, chunk: 3, payload, streamSid });
    expect(TwilioInboundMessageSchema.parse(JSON.parse(text))).toEqual({
      event: 'media',
      sequenceNumber: '4',
      media: { track: 'inbound', chunk: '3', timestamp: '40', payload },
      streamSid,
    });
    // Key for key what JSON.stringify makes of the same message in Twilio's order.
    expect(text).toBe(JSON.stringify(JSON.parse(text)));
  });

  it("is read by the runtime's fast path for Twilio's own layout", () => {
    const text = twilioMediaMessage({ sequenceNumber: 2, chunk: 1, payload, streamSid });
    expect(readTwilioMedia(Buffer.from(text))).toEqual({ inbound: true, audio: Buffer.alloc(160, 0x7f) });
  });
});
