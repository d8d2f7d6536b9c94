import { describe, expect, it } from 'vitest';
import { matchTwilioMedia, TwilioMediaSchema } from './twilio-protocol.js';

const valid = {
  event: 'media',
  sequenceNumber: '3',
  media: { track: 'inbound', chunk: '1', timestamp: '5', payload: 'no+JhoaJjpzSHxAKBgYJDhs=' },
  streamSid: 'MZ18ad3ab5a668481ce02b83e7395059f0',
};

describe('matchTwilioMedia', () => {
  const canonical = `{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"${valid.media.payload}"},"streamSid":"${valid.streamSid}"}`;

  it("reads Twilio's own layout, agreeing with JSON.parse and the schema", () => {
    expect(matchTwilioMedia(canonical)).toEqual({ track: 'inbound', payload: valid.media.payload });
    expect(TwilioMediaSchema.parse(JSON.parse(canonical))).toEqual(valid);
  });

  it('leaves every other text to the full parser', () => {
    const others = [
      JSON.stringify(valid, null, 1), // spaced
      JSON.stringify({ streamSid: valid.streamSid, event: 'media', media: valid.media, sequenceNumber: '3' }), // reordered
      canonical.replace('"3"', '3'), // a number where Twilio sends a string
      canonical.replace('"5"', '"5.0"'),
      canonical.replace(valid.media.payload, 'no\\/JhoaJ'), // an escaped slash
      canonical.replace('"inbound"', '"in\\"bound"'),
      canonical.replace('"},"streamSid"', '","extra":"1"},"streamSid"'),
      `${canonical} `,
      canonical.replace('"event":"media"', '"event":"mark"'),
    ];
    for (const text of others) {
      expect(text).not.toBe(canonical);
      expect(matchTwilioMedia(text), text).toBeUndefined();
    }
  });
});
