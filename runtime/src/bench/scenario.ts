import { z } from 'zod';
import { TELEPHONY_FRAME_MS } from '../audio/frames.js';
import { twilioSid, twilioSignature } from '../testing/twilio-media-protocol.js';
import { BenchCaller } from './caller.js';
import { AGENT_GREETING, AGENT_REPLY, type ProviderFakes, type SttTap } from './fakes.js';
import { configuredTurnLatency } from './latency.js';

/** μ-law bytes the TTS test server makes of `text`: 50 ms per character at 8000 bytes/s. */
const ttsBytes = (text: string) => text.length * 400;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** How one benchmark call behaves. */
export interface CallPlan {
  /** Stop starting turns after this (monotonic ms); shared by a phase's calls, set once all are dialled. */
  until: number;
  /** Awaited after the last turn, before the call stops and hangs up (all calls stay up until then). */
  hold?: Promise<void>;
  /** Told when this call finished its turns and is waiting on `hold`. */
  onIdle?: () => void;
  /** At most this many turns. */
  readonly maxTurns: number;
  /** Every n-th turn the caller interrupts the reply (0: never). */
  readonly bargeInEvery: number;
  /** Pause after the agent finished before the caller speaks. */
  readonly thinkMs: number;
  /** Length of each caller utterance. */
  readonly speechMs: number;
  /** How long after the reply's first audio the caller barges in. */
  readonly bargeInAfterMs: number;
}

/** One answered caller turn. */
export interface TurnSample {
  readonly startedAt: number;
  /** 1 for the call's first turn (it also pays for connections opened on first use). */
  readonly turn: number;
  /** Caller's last speech frame sent → first agent audio at the caller. */
  readonly voiceToVoiceMs: number;
  /**
   * Runtime overhead: from the caller frame that completes the endpointing silence to the first
   * agent audio, minus the test servers' configured STT, LLM and TTS latency. Equal to
   * voice-to-voice minus all configured latency when the caller's clock is on time; unlike it, not
   * shortened when a late caller tick is followed by a catch-up burst.
   */
  readonly overheadMs: number;
  /** The frame completing the endpointing silence sent → the STT server decides the final (inbound audio path). */
  readonly inboundMs: number | undefined;
  /** Per media message after a reply's first: arrival minus when playback needed it (> 0 is a gap). */
  readonly lateness: readonly number[];
}

export interface BargeInSample {
  readonly startedAt: number;
  /** STT server reports the interruption's words (decision + its fixed latency) → `clear` at the caller. */
  readonly toClearMs: number;
}

export interface CallResult {
  readonly turns: TurnSample[];
  readonly bargeIns: BargeInSample[];
  readonly failures: string[];
  readonly violations: string[];
  /** Caller frames the STT server never received. */
  inboundFramesLost: number;
  framesSent: number;
  /** Agent audio bytes that never arrived, in replies that should have been complete. */
  outboundBytesLost: number;
}

const TwimlSchema = z.object({
  url: z.string().regex(/^wss?:\/\//),
  parameters: z.record(z.string(), z.string()),
});

/** The `<Stream url>` and its `<Parameter>`s from VRM's TwiML answer. */
export function parseStreamTwiml(xml: string): z.infer<typeof TwimlSchema> {
  const decode = (s: string) =>
    s.replace(
      /&(amp|lt|gt|quot|apos);/g,
      (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[e]!,
    );
  const url = /<Stream\b[^>]*\burl="([^"]*)"/.exec(xml)?.[1];
  const parameters: Record<string, string> = {};
  for (const m of xml.matchAll(/<Parameter\b[^>]*?\bname="([^"]*)"[^>]*?\bvalue="([^"]*)"/g))
    parameters[decode(m[1]!)] = decode(m[2]!);
  return TwimlSchema.parse({ url: url && decode(url), parameters });
}

export interface DialedCall {
  readonly caller: BenchCaller;
  readonly stt: SttTap;
  readonly greeting: Promise<unknown>;
}

/**
 * Places a call as Twilio would: the voice webhook (signed), the TwiML's stream URL and
 * parameters, then the Media Streams socket. Resolves once the runtime opened the call's STT session.
 */
export async function dialCall(options: {
  baseUrl: string;
  agentId: string;
  authToken: string;
  fakes: ProviderFakes;
  validate?: boolean;
}): Promise<DialedCall> {
  const callSid = twilioSid('CA');
  const accountSid = twilioSid('AC');
  const webhook = `${options.baseUrl}/telephony/twilio/voice?agent=${encodeURIComponent(options.agentId)}`;
  const form = { CallSid: callSid, AccountSid: accountSid, From: '+15005550006', To: '+15005550001' };
  const res = await fetch(webhook, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-twilio-signature': twilioSignature(options.authToken, webhook, form),
    },
    body: new URLSearchParams(form),
  });
  const xml = await res.text();
  if (res.status !== 200) throw new Error(`voice webhook answered ${res.status}: ${xml.slice(0, 200)}`);
  const stream = parseStreamTwiml(xml);
  const next = options.fakes.nextSttSession();
  next.session.catch(() => undefined);
  let caller: BenchCaller;
  try {
    caller = await BenchCaller.dial({
      url: stream.url,
      customParameters: stream.parameters,
      callSid,
      accountSid,
      authToken: options.authToken,
      validate: options.validate,
    });
  } catch (error) {
    // Free the slot: the next call's STT session must not be taken for this one's.
    next.cancel();
    throw error;
  }
  const greeting = caller.expectReply(ttsBytes(AGENT_GREETING), 15_000);
  greeting.catch(() => undefined);
  const stt = await next.session.catch(async (error: unknown) => {
    await caller.hangUp();
    throw error;
  });
  return { caller, stt, greeting };
}

/**
 * Runs a dialled call to plan: hears the greeting, then takes turns — speak, wait for the reply,
 * let it play — interrupting every `bargeInEvery`-th reply. Measures each turn; never throws
 * (problems land in `failures`).
 */
export async function runCall(call: DialedCall, plan: CallPlan, fakes: ProviderFakes): Promise<CallResult> {
  const { caller, stt } = call;
  const latencies = fakes.latencies;
  const afterStt = configuredTurnLatency(latencies, AGENT_REPLY) - latencies.endpointingMs;
  // The STT test server ends speech at the last loud 10 ms tick and finalizes `endpointingMs` of audio later.
  const tailFrames = Math.ceil(latencies.endpointingMs / TELEPHONY_FRAME_MS);
  const replyBytes = ttsBytes(AGENT_REPLY);
  const result: CallResult = {
    turns: [],
    bargeIns: [],
    failures: [],
    violations: caller.violations,
    inboundFramesLost: 0,
    framesSent: 0,
    outboundBytesLost: 0,
  };
  // Awaited later; handled now, so a reply that times out while the caller is still speaking is a
  // recorded failure, not an unhandled rejection.
  const expect = (label: string) => {
    const reply = expectReply(label);
    reply.catch(() => undefined);
    return reply;
  };
  const expectReply = async (label: string) => {
    try {
      return await caller.expectReply(replyBytes, 15_000);
    } catch (error) {
      const missing = /: (\d+) of (\d+) bytes/.exec(String(error));
      if (missing) result.outboundBytesLost += Number(missing[2]) - Number(missing[1]);
      throw new Error(`${label}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  try {
    await call.greeting;
    await caller.played();
    for (let turn = 1; turn <= plan.maxTurns && performance.now() < plan.until; turn++) {
      await sleep(plan.thinkMs);
      const startedAt = performance.now();
      let finalAt: number | undefined;
      stt.listener = (m, at) => {
        if (finalAt === undefined && m.type === 'Results' && m.speech_final === true) finalAt = at;
      };
      const reply = expect(`turn ${turn}`);
      const spoken = await caller.speak(plan.speechMs, tailFrames);
      const heard = await reply;
      result.turns.push({
        startedAt,
        turn,
        voiceToVoiceMs: heard.firstAudioAt - spoken.lastSpeechAt,
        overheadMs: heard.firstAudioAt - spoken.tailAt - afterStt,
        inboundMs: finalAt === undefined ? undefined : finalAt - spoken.tailAt,
        lateness: heard.lateness,
      });

      if (plan.bargeInEvery > 0 && turn % plan.bargeInEvery === 0) {
        // Speak over the reply while it plays; the STT server's first words trigger the barge-in.
        await sleep(heard.firstAudioAt + plan.bargeInAfterMs - performance.now());
        let wordsAt: number | undefined;
        stt.listener = (m, at) => {
          if (wordsAt === undefined && m.type === 'Results' && transcriptOf(m) !== '') wordsAt = at;
        };
        const cleared = caller.nextClear(10_000);
        // The next reply answers the interruption; it may start only after the clear.
        const speaking = caller.speak(plan.speechMs);
        const clearAt = await cleared;
        const next = expect(`reply after barge-in ${turn}`);
        if (wordsAt === undefined)
          result.failures.push(`barge-in ${turn}: clear before the STT reported words`);
        else result.bargeIns.push({ startedAt, toClearMs: clearAt - (wordsAt + latencies.sttMs) });
        await speaking;
        await next;
      }
      stt.listener = undefined;
      await caller.played();
    }
  } catch (error) {
    result.failures.push(error instanceof Error ? error.message : String(error));
  } finally {
    stt.listener = undefined;
  }
  plan.onIdle?.();
  await plan.hold;

  // Quiet the line, let in-flight frames land, hang up, then compare what the STT server
  // received. The runtime may hold up to 200 ms of quiet audio to send as one message; it sends
  // it before closing the STT session, so the count waits for that close.
  caller.pause(true);
  await sleep(300);
  result.framesSent = caller.framesSent;
  await caller.hangUp();
  const closeBy = performance.now() + 5000;
  while (stt.connection.closeCode === undefined && performance.now() < closeBy) await sleep(10);
  result.inboundFramesLost = Math.max(0, caller.framesSent - Math.floor(stt.connection.audioBytes / 160));
  return result;
}

function transcriptOf(m: Record<string, unknown>): string {
  const channel = m.channel as { alternatives?: Array<{ transcript?: string }> } | undefined;
  return channel?.alternatives?.[0]?.transcript ?? '';
}
