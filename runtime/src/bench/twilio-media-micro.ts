/**
 * Micro-benchmark of reading one inbound Twilio media message (the message every call receives 50
 * times a second): VRM's byte reader (`readTwilioMedia`) against the general path every other
 * message takes (text, `JSON.parse`, the zod schema, then the base64 decode). Both hand back the
 * same 160 bytes of μ-law; the figure is nanoseconds of one core per message.
 *
 *   npx tsx runtime/src/bench/twilio-media-micro.ts [--messages 1000] [--rounds 500]
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { readTwilioMedia, TwilioInboundSchema } from '../telephony/twilio-protocol.js';
import { twilioMediaMessage, twilioSid } from '../testing/twilio-media-protocol.js';

const { values: args } = parseArgs({
  options: { messages: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '500' } },
});
const streamSid = twilioSid('MZ');
const messages = Array.from({ length: Number(args.messages) }, (_, i) =>
  Buffer.from(
    twilioMediaMessage({
      sequenceNumber: i + 2,
      chunk: i + 1,
      payload: randomBytes(160).toString('base64'),
      streamSid,
    }),
  ),
);

const readers: Record<string, (bytes: Buffer) => Buffer | undefined> = {
  'byte reader (readTwilioMedia)': (bytes) => readTwilioMedia(bytes)?.audio,
  'JSON.parse + zod + base64': (bytes) => {
    const message = TwilioInboundSchema.parse(JSON.parse(bytes.toString()));
    return message.event === 'media' ? Buffer.from(message.media.payload, 'base64') : undefined;
  },
};

let decoded = 0;
for (const [name, read] of Object.entries(readers)) {
  // Three passes; the last is reported, the first two warm the JIT up.
  let nsPerMessage = 0;
  for (let pass = 0; pass < 3; pass++) {
    const start = process.hrtime.bigint();
    for (let round = 0; round < Number(args.rounds); round++)
      for (const bytes of messages) decoded += read(bytes)?.length ?? 0;
    nsPerMessage = Number(process.hrtime.bigint() - start) / (Number(args.rounds) * messages.length);
  }
  process.stdout.write(`${name.padEnd(32)} ${nsPerMessage.toFixed(0).padStart(6)} ns/message\n`);
}
if (decoded === 0) throw new Error('nothing decoded');
