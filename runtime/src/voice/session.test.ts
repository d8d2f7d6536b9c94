import { describe, expect, it } from 'vitest';
import { createLogger } from '../kernel/logger.js';
import { waitUntil } from '../testing/wait.js';
import { MemoryGreetingCache } from './greeting-cache.js';
import {
  FakeTelephony,
  ScriptedLanguageModel,
  type ScriptedReply,
  ScriptedSpeechToText,
  ScriptedTextToSpeech,
  textReply,
  toolCallReply,
} from './scripted-providers.js';
import { createVoiceSession, type VoiceSessionOptions } from './session.js';
import { MemoryTraceSink } from './trace.js';

const log = createLogger('silent');
const baseConfig = {
  agentId: 'front-desk',
  agentVersion: 1,
  voice: 'voice-1',
  instructions: 'You are the front desk.',
  greeting: 'Thanks for calling Acme. How can I help?',
};

function start(
  replies: ScriptedReply[],
  options: Partial<VoiceSessionOptions> & {
    echoMarks?: boolean;
    audioFastPath?: boolean;
    sttConnecting?: Promise<void>;
  } = {},
) {
  const stt = new ScriptedSpeechToText('scripted-stt', options.sttConnecting);
  const llm = new ScriptedLanguageModel(replies);
  const tts = new ScriptedTextToSpeech();
  const telephony = new FakeTelephony({
    echoMarks: options.echoMarks ?? true,
    audioFastPath: options.audioFastPath ?? true,
  });
  const trace = new MemoryTraceSink();
  const session = createVoiceSession({
    config: baseConfig,
    providers: { stt, llm, tts },
    telephony,
    trace,
    log,
    ...options,
  });
  return { session, stt, llm, tts, telephony, trace };
}

describe('voice session', () => {
  it('greets first, answers the caller and ends when the caller hangs up', async () => {
    const { session, stt, llm, tts, telephony, trace } = start([textReply('We are open from nine to five.')]);
    await waitUntil(() => telephony.marks.includes('1:end'), 2000, 'greeting played');
    expect(tts.contexts[0]!.text).toBe(baseConfig.greeting);
    expect(telephony.audioBytes).toBeGreaterThan(0);

    await waitUntil(() => stt.sessions.length === 1, 2000, 'stt open');
    telephony.caller({ type: 'audio', data: new Uint8Array(160).fill(0xff) });
    stt.session.say('What are your hours?');
    await waitUntil(() => telephony.marks.includes('2:end'), 2000, 'reply played');
    expect(tts.contexts[1]!.text).toBe('We are open from nine to five.');

    telephony.stop();
    const summary = await session.done;
    expect(summary.reason).toBe('caller-hangup');
    expect(summary.turns).toBe(1);
    expect(summary.messages.slice(1)).toEqual([
      { role: 'assistant', content: baseConfig.greeting },
      { role: 'user', content: 'What are your hours?' },
      { role: 'assistant', content: 'We are open from nine to five.' },
    ]);
    expect(llm.requests).toHaveLength(1);
    expect(stt.session.audioBytes).toBe(160);
    expect(stt.session.closed).toBe(true);
    const types = trace.events.map((e) => e.type);
    for (const t of [
      'call.started',
      'greeting.started',
      'turn.ended',
      'llm.request',
      'turn.metrics',
      'call.ended',
    ]) {
      expect(types).toContain(t);
    }
  });

  it.each([
    ['straight from the carrier', true],
    ['as carrier events', false],
  ])(
    'hands caller audio to the recogniser %s, in order, including audio sent while it connects',
    async (_, fastPath) => {
      let connected!: () => void;
      const { session, stt, telephony, trace } = start([], {
        audioFastPath: fastPath,
        sttConnecting: new Promise<void>((resolve) => {
          connected = resolve;
        }),
      });
      const frame = (n: number) => ({ type: 'audio' as const, data: new Uint8Array(160).fill(n) });
      for (let n = 1; n <= 3; n++) telephony.caller(frame(n));
      await waitUntil(() => telephony.marks.includes('1:end'), 2000, 'greeting played');
      connected();
      await waitUntil(() => stt.sessions.length === 1, 2000, 'stt open');
      for (let n = 4; n <= 6; n++) telephony.caller(frame(n));
      await waitUntil(() => stt.session.frameMarkers.length === 6, 2000, 'audio delivered');
      expect(stt.session.frameMarkers).toEqual([1, 2, 3, 4, 5, 6]);
      telephony.stop();
      await session.done;
      expect(stt.session.closed).toBe(true);
      expect(trace.ofType('audio.mark').filter((e) => e.data.direction === 'in')[0]!.data).toMatchObject({
        sec: 0.02,
      });
    },
  );

  it('on barge-in clears the carrier and keeps only what the caller heard', async () => {
    const { session, stt, telephony, trace } = start([textReply('Sure, go ahead.')], { echoMarks: false });
    // 0.5 s of audio per word: the first progress mark sits after "Thanks for".
    await waitUntil(() => telephony.marks.includes('1:8000'), 2000, 'greeting audio sent');
    telephony.caller({ type: 'mark', name: '1:8000' });
    await waitUntil(() => stt.sessions.length === 1, 2000, 'stt open');
    stt.session.say('Wait, I have a question.');
    await waitUntil(() => telephony.sent.some((s) => s.type === 'clear'), 2000, 'clear');
    await waitUntil(() => telephony.marks.includes('2:end'), 2000, 'reply sent');
    telephony.stop();
    const summary = await session.done;
    expect(summary.messages.slice(1)).toEqual([
      { role: 'assistant', content: 'Thanks for' },
      { role: 'user', content: 'Wait, I have a question.' },
      { role: 'assistant', content: 'Sure, go ahead.' },
    ]);
    expect(trace.ofType('interruption')[0]!.data).toMatchObject({ cause: 'barge-in' });
  });

  it('does not let the caller interrupt when barge-in is off', async () => {
    const { session, stt, telephony, trace } = start([textReply('Okay.')], {
      echoMarks: false,
      config: { ...baseConfig, turnTaking: { bargeIn: false } },
    });
    await waitUntil(() => telephony.marks.includes('1:end'), 2000, 'greeting sent');
    await waitUntil(() => stt.sessions.length === 1, 2000, 'stt open');
    stt.session.say('Hello hello');
    await waitUntil(() => trace.ofType('speech.ignored').length === 1, 2000, 'speech ignored');
    telephony.caller({ type: 'mark', name: '1:end' });
    stt.session.say('Now I speak.');
    await waitUntil(() => telephony.marks.includes('2:end'), 2000, 'reply sent');
    telephony.stop();
    const summary = await session.done;
    expect(telephony.sent.some((s) => s.type === 'clear')).toBe(false);
    expect(summary.messages.filter((m) => m.role === 'user')).toEqual([
      { role: 'user', content: 'Now I speak.' },
    ]);
  });

  it('hangs up after the goodbye when the agent ends the call', async () => {
    const { session, stt, telephony } = start([
      [...textReply('Goodbye! '), ...toolCallReply('end_call', {})],
    ]);
    await waitUntil(() => stt.sessions.length === 1, 2000, 'stt open');
    stt.session.say("That's all.");
    const summary = await session.done;
    expect(summary.reason).toBe('agent-hangup');
    expect(telephony.hungUp).toBe(true);
    // The goodbye was sent (and its end mark echoed) before the hang-up.
    expect(telephony.marks).toContain('2:end');
  });

  it('presses keys as in-band tones after what the agent said, then waits for the other side', async () => {
    const { session, stt, llm, telephony, trace } = start(
      [[...textReply('Pressing one. '), ...toolCallReply('send_dtmf', { digits: '1w2' })]],
      { config: { ...baseConfig, builtins: { sendDtmf: true } } },
    );
    await waitUntil(() => telephony.marks.includes('1:end'), 2000, 'greeting played');
    await waitUntil(() => stt.sessions.length === 1, 2000, 'stt open');
    stt.session.say('Press one for sales.');
    await waitUntil(() => telephony.marks.filter((m) => m === '2:end').length === 2, 2000, 'keys sent');
    const reply = telephony.sent.slice(
      telephony.sent.findIndex((s) => s.type === 'mark' && s.name === '1:end') + 1,
    );
    const audio = reply.flatMap((s) => (s.type === 'audio' ? [s.bytes] : []));
    // "Pressing one." (two words of 0.5 s), then 1, a half-second pause and 2 (200 ms each) in 100 ms pieces.
    expect(audio.slice(0, 2)).toEqual([4000, 4000]);
    expect(audio.slice(2).reduce((a, b) => a + b, 0)).toBe(1600 + 4000 + 1600);
    expect(trace.ofType('dtmf.sent')[0]!.data).toMatchObject({ digits: '1w2' });
    telephony.stop();
    const summary = await session.done;
    // The model is not asked again: the menu's answer is the next turn.
    expect(llm.requests).toHaveLength(1);
    expect(summary.messages.at(-1)).toEqual({
      role: 'tool',
      toolCallId: 'call_send_dtmf',
      content: 'Pressed 1w2.',
    });
    expect(llm.requests[0]!.tools).toContain('send_dtmf');
  });

  it('transfers the call to the destination the model chose', async () => {
    const { session, stt, telephony } = start([toolCallReply('transfer_call', { destination: 'sales' })], {
      config: { ...baseConfig, builtins: { transferTargets: { sales: { number: '+15550123' } } } },
    });
    await waitUntil(() => stt.sessions.length === 1, 2000, 'stt open');
    stt.session.say('Sales please.');
    const summary = await session.done;
    expect(summary).toMatchObject({ reason: 'transfer', transferTo: '+15550123' });
    expect(telephony.transferredTo).toBe('+15550123');
  });

  it('turns keypad digits into a caller turn', async () => {
    const { session, llm, telephony } = start([textReply('Got it.')]);
    await waitUntil(() => telephony.marks.includes('1:end'), 2000, 'greeting played');
    for (const digit of ['4', '2', '#']) telephony.caller({ type: 'dtmf', digit });
    await waitUntil(() => llm.requests.length === 1, 2000, 'model asked');
    expect(llm.requests[0]!.messages.at(-1)).toEqual({ role: 'user', content: '[keypad] 42#' });
    telephony.stop();
    await session.done;
  });

  it('re-prompts a silent caller, then says goodbye and hangs up', async () => {
    const { session, telephony, tts, trace } = start([], {
      config: { ...baseConfig, turnTaking: { silenceTimeoutMs: 20, maxReprompts: 1 } },
    });
    const summary = await session.done;
    expect(summary.reason).toBe('silence');
    expect(tts.contexts.map((c) => c.text)).toEqual([
      baseConfig.greeting,
      'Are you still there?',
      "I haven't heard anything, so I'll end the call now. Goodbye.",
    ]);
    expect(telephony.hungUp).toBe(true);
    expect(trace.ofType('silence.reprompt')).toHaveLength(2);
  });

  it('plays a cached greeting without asking the TTS again', async () => {
    const cache = new MemoryGreetingCache();
    const first = start([], { greetingCache: cache });
    await waitUntil(() => first.telephony.marks.includes('1:end'), 2000, 'first greeting');
    first.telephony.stop();
    await first.session.done;

    const second = start([], { greetingCache: cache });
    await waitUntil(() => second.telephony.marks.includes('1:end'), 2000, 'second greeting');
    second.telephony.stop();
    await second.session.done;
    expect(first.tts.contexts).toHaveLength(1);
    expect(second.tts.contexts).toHaveLength(0);
    expect(second.telephony.audioBytes).toBe(first.telephony.audioBytes);
  });
});
