import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { MULAW_8K_FRAME_BYTES, TELEPHONY_FRAME_MS } from '../audio/frames.js';
import { encodeMulaw, MULAW_SILENCE } from '../audio/g711.js';
import { SentenceSplitter } from '../voice/sentences.js';
import { AGENT_REPLY, type ProviderFakes } from './fakes.js';
import { summarize } from './stats.js';

/** What each test server takes when driven directly, with no runtime in between (medians, ms). */
export interface Calibration {
  /** The frame completing the endpointing silence sent → `speech_final` received (STT delay + its timers). */
  readonly sttMs: number;
  /** Request sent → the reply's first sentence complete (first token + tokens to the sentence end). */
  readonly llmMs: number;
  /** Generation request sent → first audio chunk received. */
  readonly ttsMs: number;
  /** Their sum: the time from end of endpointing to first audio of a runtime that added nothing. */
  readonly totalMs: number;
}

/**
 * Drives the three test servers directly from this process, a few times each, so the report can
 * tell the runtime's share of a turn from the test servers' own timer slack and loopback I/O.
 */
export async function calibrate(fakes: ProviderFakes, samples = 5): Promise<Calibration> {
  const stt = summarize(
    await Promise.all(Array.from({ length: samples }, (_, i) => sttOnce(fakes, i * 7))),
  ).p50;
  const llm: number[] = [];
  await llmOnce(fakes); // warm the connection pool
  for (let i = 0; i < samples; i++) llm.push(await llmOnce(fakes));
  const tts = await ttsSamples(fakes, samples);
  const result = { sttMs: stt, llmMs: summarize(llm).p50, ttsMs: summarize(tts).p50 };
  return { ...result, totalMs: result.sttMs + result.llmMs + result.ttsMs };
}

async function sttOnce(fakes: ProviderFakes, offsetMs: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, offsetMs));
  const query = new URLSearchParams({
    model: 'nova-3',
    encoding: 'mulaw',
    sample_rate: '8000',
    channels: '1',
    language: 'en-US',
    interim_results: 'true',
    endpointing: String(fakes.latencies.endpointingMs),
    utterance_end_ms: '1000',
    vad_events: 'true',
    smart_format: 'true',
    punctuate: 'true',
  });
  const ws = new WebSocket(`${fakes.deepgram.url}/v1/listen?${query}`, {
    headers: { Authorization: 'Token calibration' },
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const pcm = new Int16Array(MULAW_8K_FRAME_BYTES);
  for (let i = 0; i < pcm.length; i++) pcm[i] = Math.round(6000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
  const speech = encodeMulaw(pcm);
  const silence = new Uint8Array(MULAW_8K_FRAME_BYTES).fill(MULAW_SILENCE);
  const tailFrame = 40 + Math.ceil(fakes.latencies.endpointingMs / TELEPHONY_FRAME_MS);
  let tailAt = 0;
  const final = new Promise<number>((resolve) =>
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type?: string; speech_final?: boolean };
      if (m.type === 'Results' && m.speech_final) resolve(performance.now());
    }),
  );
  const started = performance.now();
  let frame = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    frame++;
    const isSpeech = frame > 10 && frame <= 40;
    ws.send(isSpeech ? speech : silence);
    if (frame === tailFrame) tailAt = performance.now();
    timer = setTimeout(tick, Math.max(0, started + (frame + 1) * TELEPHONY_FRAME_MS - performance.now()));
  };
  tick();
  const at = await final;
  clearTimeout(timer);
  ws.close();
  return at - tailAt;
}

async function llmOnce(fakes: ProviderFakes): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${fakes.openai.url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer calibration' },
    body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] }),
  });
  const splitter = new SentenceSplitter();
  const decoder = new TextDecoder();
  let buffer = '';
  let firstPieceAt: number | undefined;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      if (!line.startsWith('data: {') || firstPieceAt !== undefined) continue;
      const delta = (JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> })
        .choices?.[0]?.delta?.content;
      if (delta && splitter.push(delta).length > 0) firstPieceAt = performance.now();
    }
  }
  if (firstPieceAt === undefined)
    throw new Error(`the LLM test server never completed a sentence of "${AGENT_REPLY}"`);
  return firstPieceAt - started;
}

async function ttsSamples(fakes: ProviderFakes, samples: number): Promise<number[]> {
  const ws = new WebSocket(`${fakes.cartesia.wsUrl}?api_key=calibration&cartesia_version=2025-04-16`, {
    ca: fakes.cartesia.ca,
  });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const out: number[] = [];
  for (let i = 0; i < samples; i++) {
    const contextId = randomUUID();
    const started = performance.now();
    let firstAt = 0;
    // The server synthesizes one input at a time per connection: wait for `done` before the next.
    const done = new Promise<void>((resolve) => {
      const onMessage = (data: WebSocket.RawData) => {
        const m = JSON.parse(data.toString()) as { type?: string; context_id?: string };
        if (m.context_id !== contextId) return;
        if (m.type === 'chunk' && firstAt === 0) firstAt = performance.now();
        if (m.type === 'done') {
          ws.off('message', onMessage);
          resolve();
        }
      };
      ws.on('message', onMessage);
    });
    ws.send(
      JSON.stringify({
        context_id: contextId,
        model_id: 'sonic-2',
        transcript: 'Okay. ',
        voice: { mode: 'id', id: 'calibration' },
        output_format: { container: 'raw', encoding: 'pcm_mulaw', sample_rate: 8000 },
        language: 'en',
        continue: false,
      }),
    );
    await done;
    out.push(firstAt - started);
  }
  ws.close();
  return out;
}
