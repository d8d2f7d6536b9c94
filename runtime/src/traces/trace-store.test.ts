import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../db/client.js';
import { callEvents, calls, organizations } from '../db/schema.js';
import { createLogger } from '../kernel/logger.js';
import { openTestDatabase, testDrivers } from '../testing/harness.js';
import { type NewCall, TraceStore } from './trace-store.js';

describe.each(testDrivers())('trace store on %s', (driver) => {
  let db: Database;
  let org: string;

  beforeAll(async () => {
    db = await openTestDatabase(driver);
    const [row] = await db.system((tx) =>
      tx.insert(organizations).values({ name: 'T', slug: 't' }).returning(),
    );
    org = row!.id;
  });
  afterAll(async () => {
    await db?.close();
  });

  const startTextCall = (store: TraceStore, extra: Partial<NewCall> = {}) =>
    store.startCall({ organizationId: org, agentId: null, agentVersion: null, channel: 'text', ...extra });

  it('writes a call and its events in order, and the end of the call with its reason', async () => {
    const store = new TraceStore({ db, log: createLogger('silent'), flushIntervalMs: 60_000 });
    const callId = startTextCall(store, { fromNumber: '+15551230000' });
    const t0 = Date.now();
    for (let i = 0; i < 2500; i++) {
      store.recordEvent(callId, {
        type: i % 2 ? 'transcript.final' : 'llm.request',
        turnId: Math.floor(i / 10),
        at: t0 + i,
        data: { i },
      });
    }
    // Nothing is written until a flush: recording never waits on the database.
    expect(await db.withTenant(org, (tx) => tx.select().from(calls))).toEqual([]);
    await store.endCall(callId, 'caller_hung_up');
    const [call] = await db.withTenant(org, (tx) => tx.select().from(calls).where(eq(calls.id, callId)));
    expect(call).toMatchObject({
      status: 'completed',
      endedReason: 'caller_hung_up',
      fromNumber: '+15551230000',
    });
    expect(call!.durationMs).toBeGreaterThanOrEqual(0);
    const events = await db.withTenant(org, (tx) =>
      tx.select().from(callEvents).where(eq(callEvents.callId, callId)).orderBy(asc(callEvents.seq)),
    );
    expect(events).toHaveLength(2500);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 2500 }, (_, i) => i + 1));
    expect(events[7]).toMatchObject({ type: 'transcript.final', turnId: 0, data: { i: 7 } });
    expect(events[2499]!.offsetMs).toBeGreaterThanOrEqual(2499);
    await store.close();
  });

  it('stores times to the millisecond and data exactly as given', async () => {
    const store = new TraceStore({ db, log: createLogger('silent'), flushIntervalMs: 60_000 });
    const callId = startTextCall(store);
    const data: Array<Record<string, unknown>> = [
      { text: 'He said "no" \\ then \'yes\'\n\ttab', emoji: 'ok 😀 é ß 中文 עברית', empty: '' },
      { nested: { list: [1, 'two', null, { three: [true, false] }], deep: { a: { b: { c: {} } } } } },
      { numbers: [0, -1, 0.1 + 0.2, 1e-7, 2 ** 53 - 1, -123.456, 1e21], nothing: null },
      {},
    ];
    const t0 = Date.UTC(2026, 0, 31, 23, 59, 59, 999);
    const ats = [t0, t0 + 1, t0 + 0.9, Date.UTC(1999, 11, 31, 23, 59, 59, 1), 1, Date.now() + 0.5];
    ats.forEach((at, i) => {
      store.recordEvent(callId, {
        type: i === 0 ? 'custom "type" é' : 'x',
        turnId: i % 2 ? null : i,
        at,
        data: data[i % data.length]!,
      });
    });
    await store.endCall(callId, 'done');
    const events = await db.withTenant(org, (tx) =>
      tx.select().from(callEvents).where(eq(callEvents.callId, callId)).orderBy(asc(callEvents.seq)),
    );
    // What a Date per event stored before: the time truncated to whole milliseconds.
    expect(events.map((e) => e.at.getTime())).toEqual(ats.map((at) => new Date(at).getTime()));
    expect(events.map((e) => e.data)).toEqual(ats.map((_, i) => data[i % data.length]));
    expect(events.map((e) => e.turnId)).toEqual([0, null, 2, null, 4, null]);
    expect(events[0]!.type).toBe('custom "type" é');
    expect(events.map((e) => e.organizationId)).toEqual(ats.map(() => org));
    await store.close();
  });

  it('keeps events queued while the database refuses them, and writes them once it accepts', async () => {
    const store = new TraceStore({ db, log: createLogger('silent'), flushIntervalMs: 60_000 });
    const callId = store.startCall({
      organizationId: crypto.randomUUID(),
      agentId: null,
      agentVersion: null,
      channel: 'text',
    });
    store.recordEvent(callId, { type: 'call.started', turnId: 0, at: Date.now(), data: {} });
    // An organization that does not exist: the insert fails (foreign key), the work stays queued.
    await store.flush();
    const ok = startTextCall(store);
    store.recordEvent(ok, { type: 'call.started', turnId: 0, at: Date.now(), data: {} });
    await store.endCall(ok, 'completed');
    const stored = await db.withTenant(org, (tx) =>
      tx.select().from(callEvents).where(eq(callEvents.callId, ok)),
    );
    expect(stored).toHaveLength(1);
    await store.close();
  });

  it('flushes what is queued on close, for shutdown', async () => {
    const store = new TraceStore({ db, log: createLogger('silent'), flushIntervalMs: 60_000 });
    const callId = store.startCall({
      organizationId: org,
      agentId: null,
      agentVersion: null,
      channel: 'twilio',
    });
    store.recordEvent(callId, { type: 'call.started', turnId: 0, at: Date.now(), data: {} });
    await store.close();
    const stored = await db.withTenant(org, (tx) =>
      tx.select().from(callEvents).where(eq(callEvents.callId, callId)),
    );
    expect(stored).toHaveLength(1);
  });
});

describe('the end of a call', () => {
  it('writes call.ended together with the final status, never before it', async () => {
    const db = await openTestDatabase('pglite');
    const [row] = await db.system((tx) =>
      tx.insert(organizations).values({ name: 'E', slug: 'e' }).returning(),
    );
    const store = new TraceStore({ db, log: createLogger('silent'), flushIntervalMs: 60_000 });
    const callId = store.startCall({
      organizationId: row!.id,
      agentId: null,
      agentVersion: null,
      channel: 'twilio',
    });
    store.recordEvent(callId, { type: 'turn.ended', turnId: 1, at: Date.now(), data: {} });
    store.recordEvent(callId, {
      type: 'call.ended',
      turnId: 1,
      at: Date.now(),
      data: { reason: 'caller-hangup' },
    });
    await store.flush();
    const early = await db.withTenant(row!.id, (tx) =>
      tx.select().from(callEvents).where(eq(callEvents.callId, callId)),
    );
    expect(early.map((e) => e.type)).toEqual(['turn.ended']);
    await store.endCall(callId, 'caller-hangup');
    const [call] = await db.withTenant(row!.id, (tx) => tx.select().from(calls).where(eq(calls.id, callId)));
    expect(call!.status).toBe('completed');
    const all = await db.withTenant(row!.id, (tx) =>
      tx.select().from(callEvents).where(eq(callEvents.callId, callId)),
    );
    expect(all.map((e) => e.type).sort()).toEqual(['call.ended', 'turn.ended']);
    await store.close();
    await db.close();
  });
});
