/**
 * A voice call from the studio over the browser transport, end to end: Chromium's fake microphone
 * plays a WAV made here (silence, a burst of "speech", silence) into the studio's capture worklet;
 * the real server runs the call with the real Deepgram, OpenAI and Cartesia SDKs pointed at the
 * provider test servers; the studio plays the agent's audio, echoes its marks, and shows the
 * conversation and the live trace.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CartesiaServer, startCartesiaServer } from '../../runtime/src/testing/cartesia-server.js';
import { type DeepgramServer, startDeepgramServer } from '../../runtime/src/testing/deepgram-server.js';
import { type OpenAIServer, startOpenAIServer } from '../../runtime/src/testing/openai-server.js';
import { type StudioHarness, signUp, startStudio } from './harness.js';

const GREETING = 'Hello from Acme.';
const QUESTION = 'When are you open?';
const ANSWER = 'We are open from nine to five.';
const VOICE = 'a0e99841-438c-4a64-b679-ae501e7d6091';

const agentYaml = (name: string, llm = '{ provider: openai, model: gpt-4o-mini }') => `apiVersion: vrm/v1
kind: Agent
name: ${name}
greeting: ${GREETING}
instructions: You are the front desk of Acme Plumbing. Be brief.
llm: ${llm}
stt: { provider: deepgram, model: nova-3, language: en-US }
tts: { provider: cartesia, model: sonic-2, voice: ${VOICE} }
turnTaking:
  endpointingMs: 200
`;

/**
 * A 48 kHz mono 16-bit WAV: `leadMs` of silence, `speechMs` of a voice-like sound (a 150 Hz
 * buzz with its harmonics, its pitch gliding and its loudness pulsing like syllables, so the
 * browser's noise suppression does not take it for steady noise), then `tailMs` of silence.
 */
function callerWav(leadMs: number, speechMs: number, tailMs: number): Buffer {
  const rate = 48_000;
  const at = (ms: number) => Math.round((rate * ms) / 1000);
  const samples = new Int16Array(at(leadMs + speechMs + tailMs));
  let phase = 0;
  for (let i = 0; i < at(speechMs); i++) {
    const t = i / rate;
    const f0 = 150 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * f0) / rate;
    let x = 0;
    for (let h = 1; h <= 8; h++) x += Math.sin(h * phase) / h;
    const syllables = 0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t);
    samples[at(leadMs) + i] = Math.round(9000 * syllables * x);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples.byteLength, 4);
  header.write('WAVE', 8);
  header.write('fmt ', 12);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples.byteLength, 40);
  return Buffer.concat([header, Buffer.from(samples.buffer)]);
}

const wavDir = mkdtempSync(path.join(tmpdir(), 'vrm-studio-mic-'));
let studio: StudioHarness;
let deepgram: DeepgramServer;
let openai: OpenAIServer;
let cartesia: CartesiaServer;
let caller: BrowserContext;
let page: Page;

/** A JSON answer of the API under test, which the assertions read. */
type ApiBody = { turns?: unknown[] } & Record<string, unknown>;

async function token(of: Page): Promise<string> {
  return (await of.evaluate(`JSON.parse(localStorage.getItem('vrm.session')).token`)) as string;
}

async function api(
  of: Page,
  method: string,
  url: string,
  body?: string,
): Promise<{ status: number; body: ApiBody }> {
  const res = await fetch(`${studio.url}${url}`, {
    method,
    headers: { authorization: `Bearer ${await token(of)}`, 'content-type': 'application/yaml' },
    body,
  });
  return { status: res.status, body: (await res.json()) as ApiBody };
}

beforeAll(async () => {
  deepgram = await startDeepgramServer({ script: [{ transcript: QUESTION }], interimIntervalMs: 200 });
  openai = await startOpenAIServer({ reply: () => ANSWER });
  // TLS: the vitest globalSetup made this process trust the test certificate (NODE_EXTRA_CA_CERTS).
  cartesia = await startCartesiaServer();
  const wav = path.join(wavDir, 'caller.wav');
  // The lead leaves time to start the call and play the greeting before the caller speaks.
  writeFileSync(wav, callerWav(4000, 1200, 8000));
  studio = await startStudio(
    {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.url,
      DEEPGRAM_API_KEY: 'dg-test',
      DEEPGRAM_BASE_URL: deepgram.url,
      CARTESIA_API_KEY: 'sk_car_test',
      CARTESIA_BASE_URL: cartesia.url,
    },
    {},
    {
      // A fake microphone playing the WAV once; no fake permission prompt, so each browser
      // context decides (granted for the caller, denied for the first page).
      args: ['--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${wav}%noloop`],
    },
  );
  caller = await studio.browser.newContext({ viewport: { width: 1280, height: 860 }, baseURL: studio.url });
  caller.setDefaultTimeout(20_000);
  await caller.grantPermissions(['microphone'], { origin: studio.url });
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') {
    await studio?.debugSnapshot(context.task.name);
    if (page)
      console.error(
        await page
          .locator('body')
          .textContent()
          .catch(() => ''),
      );
  }
});

afterAll(async () => {
  await studio?.close();
  await Promise.all([deepgram?.close(), openai?.close(), cartesia?.close()]);
  rmSync(wavDir, { recursive: true, force: true });
});

describe('the studio: a voice call from the browser', () => {
  it('says what to do when the browser does not allow the microphone', async () => {
    const denied = studio.page;
    await signUp(denied, 'vera@example.com', 'Voice Org');
    expect((await api(denied, 'POST', '/v1/agents', agentYaml('front-desk'))).status).toBe(201);
    await denied.goto('/agents/front-desk/test');
    await denied.getByRole('button', { name: 'Call', exact: true }).click();
    const alert = denied.getByRole('alert');
    await alert.getByText('Microphone blocked').waitFor();
    expect(await alert.textContent()).toContain('Allow the microphone for this site');
    expect(await denied.getByTestId('call-status').textContent()).toContain('Call failed');
  });

  it('places a call: the greeting plays, the caller is heard, the agent answers, hanging up ends it', async () => {
    page = await caller.newPage();
    // Same account, signed in on the caller's browser context.
    await page.goto('/sign-in');
    await page.getByLabel('Email').fill('vera@example.com');
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Agents', exact: true }).waitFor();
    await page.goto('/agents/front-desk');
    await page.getByRole('link', { name: 'Test', exact: true }).click();
    await page.getByRole('button', { name: 'Call', exact: true }).click();

    const status = page.getByTestId('call-status');
    await status.getByText('On call').waitFor();
    const conversation = page.getByTestId('call-conversation');
    await conversation.locator('.bubble-agent', { hasText: GREETING }).waitFor();

    // The greeting was synthesized and played: TTS in the greeting's row of the live trace, and
    // its marks echoed by the playback worklet once heard (`audio.mark` only comes from the echo).
    const turns = page.getByTestId('turns');
    await turns.locator('[data-turn="0"] .wf-row[data-kind="tts"]').waitFor();
    const log = page.getByTestId('event-log');
    await log.locator('.ev-type', { hasText: 'audio.mark' }).first().waitFor();

    // The fake microphone's "speech" reaches the STT test server and comes back as the caller's turn.
    const transcript = page.getByTestId('transcript');
    await transcript.locator('.msg-caller', { hasText: QUESTION }).waitFor();
    await conversation.locator('.bubble-caller', { hasText: QUESTION }).waitFor();
    await conversation.locator('.bubble-agent', { hasText: ANSWER }).waitFor();
    await turns.locator('[data-turn="1"] .wf-row[data-kind="llm"]').waitFor();
    await turns.locator('[data-turn="1"] .wf-row[data-kind="tts"]').waitFor();
    await studio.screenshot('agent-voice-call', page);

    // Mute keeps the call open; a keypad digit becomes the caller's next turn.
    await page.getByRole('button', { name: 'Mute' }).click();
    await status.getByText('Muted').waitFor();
    await page.getByRole('button', { name: 'Unmute' }).click();
    await page.getByRole('button', { name: 'Keypad' }).click();
    await page.getByRole('button', { name: 'Key 5' }).click();
    await transcript.locator('.msg-caller', { hasText: 'Keypad: 5' }).waitFor();
    await log.locator('.ev-type', { hasText: /^dtmf$/ }).waitFor();

    const href = await page.getByRole('link', { name: 'Open trace' }).getAttribute('href');
    const callId = href!.split('/').pop()!;
    await page.getByRole('button', { name: 'Hang up' }).click();
    await status.getByText('Call ended').waitFor();
    expect(await status.textContent()).toContain('You hung up.');

    const call = await api(page, 'GET', `/v1/calls/${callId}`);
    expect(call.body).toMatchObject({
      channel: 'browser',
      status: 'completed',
      endedReason: 'caller-hangup',
    });
    expect(call.body.turns?.length).toBeGreaterThanOrEqual(1);
    // The microphone audio was 16 kHz linear PCM, as the studio announced.
    expect(deepgram.connections[0]!.query).toMatchObject({ encoding: 'linear16', sample_rate: '16000' });
    expect(deepgram.violations).toEqual([]);
    expect(openai.requests.length).toBeGreaterThanOrEqual(1);
    const spoken = [...cartesia.contexts.values()];
    expect(spoken.map((c) => c.transcript.trim())).toEqual(
      expect.arrayContaining([GREETING, expect.stringContaining('nine to five')]),
    );
    // 16 kHz PCM for the browser, as the studio asked.
    expect(spoken[0]!.request.output_format).toMatchObject({ encoding: 'pcm_s16le', sample_rate: 16_000 });
    expect(cartesia.violations).toEqual([]);
  });

  it('says so when the agent has no provider key', async () => {
    const secretless = agentYaml(
      'no-keys',
      '{ provider: openai, model: gpt-4o-mini, apiKey: { secret: ACME_OPENAI_KEY } }',
    );
    const created = await api(page, 'POST', '/v1/agents', secretless);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    await page.goto('/agents/no-keys/test');
    await page.getByRole('button', { name: 'Call', exact: true }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('The agent has no provider keys').waitFor();
    expect(await alert.textContent()).toContain('PUT /v1/secrets/ACME_OPENAI_KEY');
  });
});
