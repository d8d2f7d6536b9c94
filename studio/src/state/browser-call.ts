import { createSignal, onCleanup } from 'solid-js';
import { z } from 'zod/mini';
import type { Api } from '../api/index.js';
import { type CallAudio, openCallAudio } from '../voice/audio-graph.js';
import { CallProblem, closeProblem } from '../voice/call-problems.js';
import { CALL_SAMPLE_RATE } from '../voice/worklet-messages.js';

export const BROWSER_CALL_PATH = '/v1/calls/browser';

/** What VRM sends on `/v1/calls/browser` as text frames (audio comes as binary frames). */
const ServerMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('started'), callId: z.string() }),
  z.object({ type: z.literal('mark'), name: z.string() }),
  z.object({ type: z.literal('clear') }),
  z.object({ type: z.literal('ended'), reason: z.string(), transferTo: z.optional(z.string()) }),
  z.object({ type: z.literal('error'), message: z.string() }),
]);

/**
 * `idle` → `starting` (microphone, audio) → `connecting` (socket, `start`) → `live` → `ending`
 * (hang-up sent) → `ended`; any step may go to `failed` with a {@link CallProblem}.
 */
export type CallPhase = 'idle' | 'starting' | 'connecting' | 'live' | 'ending' | 'ended' | 'failed';

/**
 * A voice call to an agent from this browser over `/v1/calls/browser`: the microphone as 16 kHz
 * PCM frames out, the agent's audio played with its marks echoed once heard, barge-in clears,
 * keypad digits, hang-up. Owns the socket and the audio; `onCleanup` of the owner ends both.
 */
export function createBrowserCall(api: Api) {
  const [phase, setPhase] = createSignal<CallPhase>('idle');
  const [callId, setCallId] = createSignal<string>();
  const [problem, setProblem] = createSignal<CallProblem>();
  const [muted, setMutedSignal] = createSignal(false);
  const [agentSpeaking, setAgentSpeaking] = createSignal(false);
  /** How the call ended, for the status line ("The agent ended the call."). */
  const [endNote, setEndNote] = createSignal<string>();
  let audio: CallAudio | undefined;
  let socket: WebSocket | undefined;
  let attempt = 0;

  const teardown = () => {
    const s = socket;
    socket = undefined;
    if (s && s.readyState <= WebSocket.OPEN) s.close(1000, 'page closed the call');
    void audio?.close();
    audio = undefined;
    setAgentSpeaking(false);
  };
  const fail = (reason: CallProblem) => {
    teardown();
    setProblem(reason);
    setPhase('failed');
  };
  const sendJson = (message: object) => {
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
  };

  function connect(agent: string, media: CallAudio) {
    const ws = new WebSocket(api.http.url(BROWSER_CALL_PATH).replace(/^http/, 'ws'));
    ws.binaryType = 'arraybuffer';
    socket = ws;
    let started = false;
    let serverMessage: string | undefined;
    ws.onopen = () =>
      ws.send(
        JSON.stringify({
          type: 'start',
          token: api.tokens.accessToken() ?? '',
          agent,
          sampleRate: CALL_SAMPLE_RATE,
        }),
      );
    ws.onmessage = (message) => {
      if (message.data instanceof ArrayBuffer) return media.play(message.data);
      const parsed = z.safeParse(ServerMessage, safeJson(String(message.data)));
      if (!parsed.success) return;
      const m = parsed.data;
      if (m.type === 'started') {
        started = true;
        attempt = 0;
        setCallId(m.callId);
        setPhase('live');
        media.startCapture((frame) => {
          if (ws.readyState === WebSocket.OPEN) ws.send(frame);
        });
      } else if (m.type === 'mark') media.mark(m.name);
      else if (m.type === 'clear') media.clear();
      else if (m.type === 'ended')
        setEndNote(
          m.reason === 'transfer'
            ? `The agent transferred the call${m.transferTo ? ` to ${m.transferTo}` : ''} (a test call has no line to hand over).`
            : 'The agent ended the call.',
        );
      else serverMessage = m.message;
    };
    ws.onclose = (event) => {
      if (socket !== ws) return;
      const facts = {
        code: event.code,
        reason: event.reason,
        serverMessage,
        started,
        hungUp: phase() === 'ending',
      };
      // An expired access token: any REST call refreshes it; then try once more.
      if (event.code === 4401 && !started && attempt++ === 0) {
        void api.auth
          .me()
          .then(() => socket === ws && connect(agent, media))
          .catch(() => fail(closeProblem(facts)!));
        return;
      }
      const reason = closeProblem(facts);
      if (reason) return fail(reason);
      teardown();
      if (!endNote()) setEndNote(facts.hungUp ? 'You hung up.' : 'The call ended.');
      setPhase('ended');
    };
  }

  /** Starts a call to `agent` (its live version). Call it from a click: the audio needs the gesture. */
  async function start(agent: string) {
    if (phase() === 'starting' || phase() === 'connecting' || phase() === 'live' || phase() === 'ending')
      return;
    teardown();
    setProblem(undefined);
    setCallId(undefined);
    setEndNote(undefined);
    setMutedSignal(false);
    setPhase('starting');
    attempt = 0;
    let overflowed = false;
    let media: CallAudio;
    try {
      media = await openCallAudio({
        onMark: (name) => sendJson({ type: 'mark', name }),
        onPlaying: setAgentSpeaking,
        // Only if VRM sent minutes of audio ahead of playback; once per call, never per frame.
        onOverflow: (ms) => {
          if (!overflowed)
            console.warn(`vrm call: playback queue full, dropped ${Math.round(ms)} ms of agent audio`);
          overflowed = true;
        },
      });
    } catch (error) {
      return fail(
        error instanceof CallProblem
          ? error
          : new CallProblem('Audio could not start', String(error), 'Reload the page and call again.'),
      );
    }
    if (phase() !== 'starting') return void media.close();
    audio = media;
    setPhase('connecting');
    connect(agent, media);
  }

  /** Hangs up: VRM ends the call, writes its trace and closes the socket. */
  function hangUp() {
    if (phase() === 'live') {
      setPhase('ending');
      sendJson({ type: 'stop' });
    } else if (phase() === 'starting' || phase() === 'connecting') {
      teardown();
      setEndNote('You hung up.');
      setPhase('ended');
    }
  }

  function setMuted(next: boolean) {
    audio?.setMuted(next);
    setMutedSignal(next);
  }

  /** A keypad key, as the caller pressing it on a phone. */
  function sendDigit(digit: string) {
    if (phase() === 'live' && /^[0-9*#]$/.test(digit)) sendJson({ type: 'dtmf', digit });
  }

  onCleanup(teardown);

  return {
    phase,
    callId,
    problem,
    muted,
    agentSpeaking,
    endNote,
    /** True while a call is being placed or running. */
    busy: () => ['starting', 'connecting', 'live', 'ending'].includes(phase()),
    start,
    hangUp,
    setMuted,
    sendDigit,
  };
}

export type BrowserCall = ReturnType<typeof createBrowserCall>;

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
