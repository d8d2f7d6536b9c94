/**
 * The floor under the capacity figure: what receiving Twilio's media messages costs before a call
 * does anything with them, and what sending them costs a caller. N simulated callers each send a
 * μ-law media message every 20 ms (the bench caller's exact text) over their own WebSocket to a
 * server in a second process that runs VRM's own Twilio endpoint reader (`TwilioMediaStream`: the
 * `ws` frame, `readTwilioMedia`'s layout check and base64 decode, the hand-off to `onAudio`) and
 * nothing after it. Both processes report their CPU (user and system) per message.
 *
 *   npx tsx runtime/src/bench/ws-floor.ts [--calls 300] [--seconds 15]
 *
 * No call, no recogniser, no database: every figure here is paid again by the real runtime and
 * the real load generator, so `vrm bench` can never do better than what this prints.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';
import { TELEPHONY_FRAME_MS } from '../audio/frames.js';
import { createLogger } from '../kernel/logger.js';
import { TwilioMediaStream } from '../telephony/twilio-media-stream.js';
import { twilioMediaMessage, twilioSid } from '../testing/twilio-media-protocol.js';

const { values: args } = parseArgs({
  options: {
    calls: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '15' },
    serve: { type: 'boolean', default: false },
  },
});

interface Usage {
  messages: number;
  wallMs: number;
  userMs: number;
  systemMs: number;
}

/** Starts measuring now; `stop` returns CPU and wall time since, with `messages` counted meanwhile. */
function meter() {
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  return (messages: number): Usage => {
    const used = process.cpuUsage(cpu);
    return {
      messages,
      wallMs: performance.now() - t0,
      userMs: used.user / 1000,
      systemMs: used.system / 1000,
    };
  };
}

/** The receiving side: one process, one WebSocket server, the per-message work of VRM's Twilio endpoint. */
function serve(): void {
  let messages = 0;
  let bytes = 0;
  const server = http.createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const log = createLogger('silent');
  wss.on('connection', (ws) => {
    // The endpoint's reader, not a copy of it: its fast path is the floor being measured.
    new TwilioMediaStream(ws, { log }).onAudio((data) => {
      bytes += data.byteLength;
      messages++;
    });
  });
  let stop: ((messages: number) => Usage) | undefined;
  process.on('message', (m) => {
    if (m === 'start') {
      messages = 0;
      stop = meter();
    } else if (m === 'stop' && stop) {
      process.send?.({ usage: stop(messages), bytes });
      process.exit(0);
    }
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

async function main(): Promise<void> {
  const calls = Number(args.calls);
  const seconds = Number(args.seconds);
  const child = fork(fileURLToPath(import.meta.url), ['--serve'], { execArgv: ['--import', 'tsx'] });
  const replies: unknown[] = [];
  let wake: (() => void) | undefined;
  child.on('message', (m) => {
    replies.push(m);
    wake?.();
  });
  const reply = async () => {
    while (replies.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return replies.shift() as { port?: number; usage?: Usage };
  };
  const { port } = await reply();

  const payload = Buffer.alloc(160, 0xff).toString('base64');
  let sent = 0;
  const timers: NodeJS.Timeout[] = [];
  const sockets: WebSocket[] = [];
  for (let i = 0; i < calls; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: false });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    sockets.push(ws);
    const streamSid = twilioSid('MZ');
    const start = performance.now() + Math.random() * TELEPHONY_FRAME_MS;
    let chunk = 0;
    // Scheduled against the start time, as the bench caller does: one timer per caller.
    const tick = () => {
      chunk++;
      sent++;
      // As the bench caller sends it: a Buffer goes out as one write (a string as a corked writev).
      const text = twilioMediaMessage({ sequenceNumber: chunk + 1, chunk, payload, streamSid });
      ws.send(Buffer.from(text), { binary: false });
      timers[i] = setTimeout(tick, start + chunk * TELEPHONY_FRAME_MS - performance.now());
    };
    timers[i] = setTimeout(tick, start - performance.now());
  }
  // Let every caller settle into its rhythm, then measure both sides over the same window.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  child.send('start');
  const stop = meter();
  const sentBefore = sent;
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  const callers = stop(sent - sentBefore);
  child.send('stop');
  const { usage: server } = await reply();
  for (const t of timers) clearTimeout(t);
  for (const ws of sockets) ws.terminate();

  const line = (who: string, u: Usage) => {
    const cpuMs = u.userMs + u.systemMs;
    const perMessageUs = (cpuMs * 1000) / u.messages;
    const core = (cpuMs / u.wallMs) * 100;
    return `${who.padEnd(31)} ${String(Math.round((u.messages / u.wallMs) * 1000)).padStart(7)} msg/s  ${core.toFixed(1).padStart(5)} % of a core (user ${((u.userMs / u.wallMs) * 100).toFixed(1)}, system ${((u.systemMs / u.wallMs) * 100).toFixed(1)})  ${perMessageUs.toFixed(1).padStart(5)} µs/message  → ${((perMessageUs * 50 * 500) / 1e4).toFixed(0)} % of a core at 500 calls`;
  };
  console.log(`${calls} callers, one Twilio media message each every ${TELEPHONY_FRAME_MS} ms, ${seconds} s`);
  console.log(line('receiving (VRM endpoint floor)', server!));
  console.log(line('sending (caller floor)', callers));
}

if (args.serve) serve();
else await main();
