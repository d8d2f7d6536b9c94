/**
 * Micro-benchmark of the trace store's writes: simulated calls emit events in real time through
 * the real TraceStore (its own flush timer, calls ending and being replaced), and the process's
 * CPU time is reported per 1000 events. PGlite runs in this process, so its cost is included;
 * on PostgreSQL (`--url`, the server's admin URL: a scratch database is created and dropped) only
 * the client side is.
 *
 *   npx tsx runtime/src/bench/trace-store-micro.ts [--disk] [--url postgres://…] [--calls 300]
 *     [--rate 5] [--seconds 8] [--warmup 2] [--interval 200] [--call-seconds 60] [--profile out.cpuprofile]
 *
 * Short by design (about `warmup + seconds` of wall time): the machine is shared.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { count } from 'drizzle-orm';
import { openDatabase } from '../db/client.js';
import { callEvents, organizations } from '../db/schema.js';
import { createLogger } from '../kernel/logger.js';
import { openTestDatabase } from '../testing/harness.js';
import { TraceStore } from '../traces/trace-store.js';

const { values: args } = parseArgs({
  options: {
    disk: { type: 'boolean', default: false },
    url: { type: 'string' },
    calls: { type: 'string', default: '300' },
    rate: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '2' },
    interval: { type: 'string', default: '200' },
    'call-seconds': { type: 'string', default: '60' },
    /** Writes a .cpuprofile of the measured window (not start-up) to this path. */
    profile: { type: 'string' },
  },
});
const CALLS = Number(args.calls);
const RATE = Number(args.rate);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const INTERVAL = Number(args.interval);
const CALL_SECONDS = Number(args['call-seconds']);
const TICK_MS = 20;

/** A mix shaped like a voice call's trace: transcripts, model and TTS timings, metrics. */
const SAMPLES: Array<{ type: string; data: Record<string, unknown> }> = [
  {
    type: 'transcript.interim',
    data: { text: 'I would like to check the status of my order', endSec: 12.34 },
  },
  { type: 'speech.started', data: {} },
  {
    type: 'turn.ended',
    data: { text: 'I would like to check the status of my order please', source: 'stt' },
  },
  { type: 'llm.request', data: { provider: 'openai', model: 'gpt-4o-mini', round: 0 } },
  { type: 'llm.first_token', data: { ms: 312, round: 0 } },
  { type: 'tts.started', data: { provider: 'cartesia', cached: false } },
  { type: 'tts.first_audio', data: { ms: 148, generationId: 7 } },
  {
    type: 'turn.metrics',
    data: { endpointingMs: 402, sttMs: 188, llmTtftMs: 312, ttsTtfbMs: 148, voiceToVoiceMs: 1043 },
  },
  { type: 'tool.called', data: { tool: 'lookup_order', callId: 'call_1', arguments: { orderId: 'A-1042' } } },
  { type: 'llm.completed', data: { text: 'Your order "A-1042" ships tomorrow — anything else?', round: 1 } },
];

/** A seeded generator (mulberry32), so every run ends the same calls at the same times. */
function seededRandom(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SimCall {
  id: string;
  endsAt: number;
  turn: number;
  owed: number;
  n: number;
}

async function main() {
  const dataDir = args.disk ? mkdtempSync(path.join(tmpdir(), 'vrm-trace-micro-')) : undefined;
  if (args.url) process.env.TEST_DATABASE_URL = args.url;
  const db = args.url ? await openTestDatabase('postgres') : await openDatabase({ dataDir });
  const slug = `bench-${Date.now()}`;
  const [org] = await db.system((tx) => tx.insert(organizations).values({ name: slug, slug }).returning());
  const organizationId = org!.id;
  // Counts the store's transactions (one per organization and flush).
  let transactions = 0;
  const withTenant = db.withTenant.bind(db);
  const counted: typeof db = {
    ...db,
    withTenant: (id, fn) => {
      transactions += 1;
      return withTenant(id, fn);
    },
  };
  const store = new TraceStore({ db: counted, log: createLogger('silent'), flushIntervalMs: INTERVAL });

  const start = (now: number, age = 0): SimCall => {
    const id = store.startCall({ organizationId, agentId: null, agentVersion: null, channel: 'twilio' });
    store.recordEvent(id, {
      type: 'call.started',
      turnId: 0,
      at: Date.now(),
      data: { from: '+15551230000' },
    });
    return { id, endsAt: now + CALL_SECONDS * 1000 - age, turn: 0, owed: 0, n: 0 };
  };
  // Calls already under way at random ages, so some end (and are replaced) during the run.
  const t0 = performance.now();
  const random = seededRandom(1);
  const active = Array.from({ length: CALLS }, () => start(t0, random() * CALL_SECONDS * 1000));

  let events = 0;
  let ended = 0;
  let generatorMs = 0;
  let last = performance.now();
  const tick = () => {
    const began = performance.now();
    const now = Date.now();
    // By elapsed time, not the nominal tick: timers run late on a busy machine.
    const owed = (RATE * (began - last)) / 1000;
    last = began;
    for (let i = 0; i < active.length; i++) {
      const call = active[i]!;
      if (began >= call.endsAt) {
        store.recordEvent(call.id, {
          type: 'call.ended',
          turnId: call.turn,
          at: now,
          data: { reason: 'hangup' },
        });
        void store.endCall(call.id, 'hangup');
        ended += 1;
        events += 1;
        active[i] = start(began);
        continue;
      }
      call.owed += owed;
      while (call.owed >= 1) {
        call.owed -= 1;
        const sample = SAMPLES[call.n++ % SAMPLES.length]!;
        if (sample.type === 'turn.ended') call.turn += 1;
        store.recordEvent(call.id, { type: sample.type, turnId: call.turn, at: now, data: sample.data });
        events += 1;
      }
    }
    generatorMs += performance.now() - began;
  };
  const run = async (seconds: number) => {
    last = performance.now();
    const timer = setInterval(tick, TICK_MS);
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    clearInterval(timer);
  };

  await run(WARMUP);
  events = 0;
  ended = 0;
  generatorMs = 0;
  transactions = 0;
  const session = args.profile ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await run(SECONDS);
  await store.flush();
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const flushes = transactions;
  if (session && args.profile) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(args.profile, JSON.stringify(profile));
    session.disconnect();
  }

  await store.close();
  const [stored] = await db.withTenant(organizationId, (tx) => tx.select({ n: count() }).from(callEvents));
  await db.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });

  const cpuMs = (cpu.user + cpu.system) / 1000;
  const storeMs = cpuMs - generatorMs;
  const label = `${db.kind}${args.disk ? ' (disk)' : args.url ? '' : ' (memory)'}, flush every ${INTERVAL} ms`;
  console.log(
    [
      label,
      `  ${events} events, ${ended} calls ended in ${(wallMs / 1000).toFixed(1)} s; ${flushes} flushes (transactions); ${stored?.n} rows stored`,
      `  process CPU ${cpuMs.toFixed(0)} ms (user ${(cpu.user / 1000).toFixed(0)}, system ${(cpu.system / 1000).toFixed(0)}) = ${((cpuMs / wallMs) * 100).toFixed(1)} % of a core`,
      `  per 1000 events: ${((cpuMs / events) * 1000).toFixed(1)} ms; without the generator (${generatorMs.toFixed(0)} ms): ${((storeMs / events) * 1000).toFixed(1)} ms`,
    ].join('\n'),
  );
}

await main();
