/**
 * End-to-end voice call fixtures: the real VRM server (in-process, port 0, PGlite in a temp dir)
 * with its provider settings pointed at the protocol-faithful test servers, so the real Deepgram,
 * OpenAI and Cartesia SDKs talk to them; and a Twilio caller that dials it as Twilio does
 * (signed voice webhook → TwiML → signed Media Streams upgrade).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeMulaw } from '../runtime/src/audio/g711.js';
import { loadConfig } from '../runtime/src/kernel/config.js';
import { createLogger } from '../runtime/src/kernel/logger.js';
import { type RunningServer, startServer } from '../runtime/src/server.js';
import { type CartesiaServer, startCartesiaServer } from '../runtime/src/testing/cartesia-server.js';
import {
  type DeepgramServer,
  type ScriptedUtterance,
  startDeepgramServer,
} from '../runtime/src/testing/deepgram-server.js';
import {
  type OpenAIServer,
  type Responder,
  startOpenAIServer,
} from '../runtime/src/testing/openai-server.js';
import {
  connectTwilioCaller,
  type TwilioCaller,
  twilioSignature,
} from '../runtime/src/testing/twilio-media-client.js';
import { twilioSid } from '../runtime/src/testing/twilio-media-protocol.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API under test, which the tests assert on.
type Json = any;

export const TWILIO_AUTH_TOKEN = 'twilio-test-auth-token';
export const CALLER_NUMBER = '+14155550123';
export const AGENT_NUMBER = '+15005550006';
const ROOT = path.resolve(import.meta.dirname, '..');
export const CRM_BIN = path.join(ROOT, 'plugins/crm/bin/vrm-crm.mjs');

/** `ms` of a loud 1 kHz tone in μ-law: "speech" for the Deepgram test server's energy detector. */
export function speech(ms: number): Uint8Array {
  const samples = new Int16Array((8000 * ms) / 1000);
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(6000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
  return encodeMulaw(samples);
}

export interface VoiceStack {
  readonly vrm: RunningServer;
  readonly deepgram: DeepgramServer;
  readonly openai: OpenAIServer;
  /** A second OpenAI-compatible server, for `llm.fallbacks`. */
  readonly openaiFallback: OpenAIServer;
  readonly cartesia: CartesiaServer;
  /** A second Cartesia server, for `tts.fallbacks`. */
  readonly cartesiaFallback: CartesiaServer;
  /** The organization owner's bearer token. */
  readonly token: string;
  /** What the next STT connection hears (energy-placed utterances, in order). */
  script: ScriptedUtterance[];
  api(
    method: string,
    url: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: Json }>;
  /** Registers an MCP server through the API; returns its stored record with the discovered tools. */
  registerMcp(body: Record<string, unknown>): Promise<Json>;
  /** Creates an agent through the API (YAML); returns its id. */
  createAgent(yaml: string): Promise<string>;
  /** Places a call to `agent` as Twilio would; resolves once the stream is connected. */
  dial(agent: string): Promise<TwilioCaller>;
  /** Waits for the call's record to be closed and returns it with its events (through the API). */
  finishedCall(providerCallId: string): Promise<{ call: Json; events: Json[] }>;
  close(): Promise<void>;
}

/** Starts the provider test servers and VRM wired to them, and signs up an organization. */
export async function startVoiceStack(
  options: { reply?: Responder; fallbackReply?: Responder; dataDirs?: string[] } = {},
): Promise<VoiceStack> {
  let script: ScriptedUtterance[] = [];
  const deepgram = await startDeepgramServer({
    // Each connection hears the script set when it opened (a reconnect gets the rest of it).
    script: () => script,
    interimIntervalMs: 200,
  });
  const openai = await startOpenAIServer({ reply: options.reply });
  const openaiFallback = await startOpenAIServer({ reply: options.fallbackReply ?? options.reply });
  const cartesia = await startCartesiaServer();
  const cartesiaFallback = await startCartesiaServer();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vrm-voice-'));
  const vrm = await startServer({
    config: loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      VRM_DATA_DIR: dataDir,
      VRM_SECRET_KEY: randomBytes(32).toString('base64'),
      VRM_PASSWORD_COST: '10',
      VRM_LOG_LEVEL: 'silent',
      VRM_ALLOW_STDIO_SERVERS: '1',
      TWILIO_AUTH_TOKEN,
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: openai.url,
      DEEPGRAM_API_KEY: 'dg-test',
      DEEPGRAM_BASE_URL: deepgram.url,
      CARTESIA_API_KEY: 'sk_car_test',
      CARTESIA_BASE_URL: cartesia.url,
    }),
    log: createLogger('silent'),
  });

  let token = '';
  const api: VoiceStack['api'] = async (method, url, body, contentType = 'application/json') => {
    const res = await fetch(`${vrm.url}${url}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': contentType }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  const signup = await api('POST', '/v1/auth/signup', {
    email: `owner-${randomBytes(3).toString('hex')}@example.com`,
    password: 'correct horse battery',
    organization: 'Acme Plumbing',
  });
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status}`);
  token = signup.body.token;

  const stack: VoiceStack = {
    vrm,
    deepgram,
    openai,
    openaiFallback,
    cartesia,
    cartesiaFallback,
    token,
    get script() {
      return script;
    },
    set script(value) {
      script = value;
    },
    api,
    async registerMcp(body) {
      const res = await api('POST', '/v1/mcp-servers', body);
      if (res.status !== 201)
        throw new Error(`registering ${body.name} answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body;
    },
    async createAgent(yaml) {
      const res = await api('POST', '/v1/agents', yaml, 'application/yaml');
      if (res.status !== 201)
        throw new Error(`creating the agent answered ${res.status}: ${JSON.stringify(res.body)}`);
      return (res.body.agent ?? res.body).id;
    },
    async dial(agent) {
      const webhook = `${vrm.url}/telephony/twilio/voice?agent=${encodeURIComponent(agent)}`;
      const form = {
        CallSid: twilioSid('CA'),
        AccountSid: twilioSid('AC'),
        From: CALLER_NUMBER,
        To: AGENT_NUMBER,
      };
      const res = await fetch(webhook, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-twilio-signature': twilioSignature(TWILIO_AUTH_TOKEN, webhook, form),
        },
        body: new URLSearchParams(form),
      });
      const twiml = await res.text();
      if (res.status !== 200) throw new Error(`voice webhook answered ${res.status}: ${twiml}`);
      const stream = parseStreamTwiml(twiml);
      return connectTwilioCaller({
        url: stream.url,
        customParameters: stream.parameters,
        callSid: form.CallSid,
        accountSid: form.AccountSid,
        authToken: TWILIO_AUTH_TOKEN,
        // Twilio signs the URL it dials: the one in the TwiML.
        signatureUrl: stream.url,
      });
    },
    async finishedCall(providerCallId) {
      let call: Json;
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline) {
        const list = await api('GET', '/v1/calls?channel=twilio&limit=50');
        const row = list.body.calls.find((c: Json) => c.providerCallId === providerCallId);
        if (row?.endedAt) {
          call = (await api('GET', `/v1/calls/${row.id}`)).body;
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (!call) throw new Error(`call ${providerCallId} did not end`);
      const events: Json[] = [];
      let after = 0;
      for (;;) {
        const page = await api('GET', `/v1/calls/${call.id}/events?after=${after}&limit=1000`);
        events.push(...page.body.events);
        if (page.body.nextAfter === null) break;
        after = page.body.nextAfter;
      }
      return { call, events };
    },
    async close() {
      await vrm.stop(2000);
      await Promise.all([
        deepgram.close(),
        openai.close(),
        openaiFallback.close(),
        cartesia.close(),
        cartesiaFallback.close(),
      ]);
      for (const dir of [dataDir, ...(options.dataDirs ?? [])]) rmSync(dir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** The `<Stream url>` and its `<Parameter>`s from a TwiML answer. */
export function parseStreamTwiml(xml: string): { url: string; parameters: Record<string, string> } {
  const decode = (s: string) =>
    s.replace(
      /&(amp|lt|gt|quot|apos);/g,
      (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e]!,
    );
  const url = /<Connect><Stream\b[^>]*\burl="([^"]*)"/.exec(xml)?.[1];
  if (!url) throw new Error(`no <Connect><Stream url> in ${xml}`);
  const parameters: Record<string, string> = {};
  for (const m of xml.matchAll(/<Parameter\b[^>]*?\bname="([^"]*)"[^>]*?\bvalue="([^"]*)"/g)) {
    parameters[decode(m[1]!)] = decode(m[2]!);
  }
  return { url: decode(url), parameters };
}
