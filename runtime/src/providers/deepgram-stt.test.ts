import { afterEach, describe, expect, it } from 'vitest';
import { MULAW_SILENCE } from '../audio/g711.js';
import {
  type DeepgramServer,
  type DeepgramServerOptions,
  startDeepgramServer,
} from '../testing/deepgram-server.js';
import { waitUntil } from '../testing/wait.js';
import { DeepgramSpeechToText } from './deepgram-stt.js';
import { type SpeechToTextEvent, type SpeechToTextSession, TELEPHONY_FORMAT } from './types.js';

let server: DeepgramServer | undefined;
let session: SpeechToTextSession | undefined;
const controller = new AbortController();

afterEach(async () => {
  await session?.close();
  await server?.close();
  session = undefined;
  server = undefined;
});

async function open(options: DeepgramServerOptions) {
  server = await startDeepgramServer({ apiKey: 'dg-key', ...options });
  const stt = new DeepgramSpeechToText({ apiKey: 'dg-key', baseUrl: server.url, model: 'nova-3' });
  session = await stt.open({
    format: TELEPHONY_FORMAT,
    language: 'en-US',
    endpointingMs: 300,
    utteranceEndMs: 1000,
    signal: controller.signal,
  });
  const events: SpeechToTextEvent[] = [];
  const reading = (async () => {
    for await (const e of session.events) events.push(e);
  })();
  return { server, session, events, reading };
}

/** Twilio-sized μ-law frames: 20 ms, 160 bytes. */
function pushSilence(target: SpeechToTextSession, ms: number): void {
  for (let i = 0; i < ms / 20; i++) target.push(new Uint8Array(160).fill(MULAW_SILENCE));
}

const finals = (events: SpeechToTextEvent[]) =>
  events.filter(
    (e): e is Extract<SpeechToTextEvent, { type: 'transcript' }> => e.type === 'transcript' && e.final,
  );

describe('DeepgramSpeechToText against the Deepgram protocol server', () => {
  it('turns streamed μ-law into speech-started, interim, final and utterance-end events', async () => {
    const { server, session, events } = await open({
      script: [{ transcript: "What's the weather in Paris?", startMs: 400, endMs: 1600 }],
    });
    pushSilence(session, 3200);
    await waitUntil(() => events.some((e) => e.type === 'utterance-end'), 5000, 'utterance end');

    expect(events.find((e) => e.type === 'speech-started')).toBeDefined();
    expect(events.some((e) => e.type === 'transcript' && !e.final && e.text !== '')).toBe(true);
    const final = finals(events).find((e) => e.text !== '');
    expect(final).toMatchObject({ text: "What's the weather in Paris?", speechFinal: true });
    expect(final!.endSec).toBeGreaterThan(final!.startSec);

    const query = server.connections[0]!.query;
    expect(query).toMatchObject({
      encoding: 'mulaw',
      sample_rate: '8000',
      interim_results: 'true',
      endpointing: '300',
      vad_events: 'true',
    });
    expect(server.violations).toEqual([]);
  });

  it('sends CloseStream on close and ends the event stream', async () => {
    const { server, session, reading } = await open({ script: [] });
    pushSilence(session, 200);
    await session.close();
    await reading;
    expect(server.connections[0]!.controls.map((c) => c.type)).toContain('CloseStream');
    expect(server.violations).toEqual([]);
  });

  it('reconnects at once when the socket drops mid-call and resends the buffered audio', async () => {
    const { server, session, events } = await open({
      // The second connection hears the caller: the audio sent after the drop reaches Deepgram.
      script: (connection) =>
        connection.id === 2 ? [{ transcript: 'I am still here.', startMs: 100, endMs: 700 }] : [],
    });
    pushSilence(session, 400);
    await waitUntil(() => server.connections[0]!.audioBytes > 0, 5000, 'first audio');
    server.dropConnections('close-1011');
    pushSilence(session, 300); // buffered while the socket is down
    await waitUntil(() => events.some((e) => e.type === 'reconnected'), 5000, 'reconnect');
    pushSilence(session, 2000);
    await waitUntil(
      () => finals(events).some((e) => e.text === 'I am still here.'),
      5000,
      'transcript after reconnect',
    );

    const reconnected = events.find((e) => e.type === 'reconnected');
    expect(reconnected).toMatchObject({ attempt: 1 });
    expect(server.connections).toHaveLength(2);
    expect(server.violations).toEqual([]);
  });

  it('fails the open when Deepgram refuses the key', async () => {
    server = await startDeepgramServer({ apiKey: 'right-key' });
    const stt = new DeepgramSpeechToText({ apiKey: 'wrong-key', baseUrl: server.url, model: 'nova-3' });
    await expect(
      stt.open({ format: TELEPHONY_FORMAT, endpointingMs: 300, signal: controller.signal }),
    ).rejects.toMatchObject({ code: 'stt_failed', retryable: true });
  });
});
