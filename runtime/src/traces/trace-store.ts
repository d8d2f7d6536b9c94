import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/client.js';
import { calls } from '../db/schema.js';
import type { Logger } from '../kernel/logger.js';

/** The NOTIFY channel announcing newly stored events: payload `{"org","calls":[[callId, fromSeq, toSeq], …]}`. */
export const CALL_EVENTS_CHANNEL = 'vrm_call_events';

export interface NewCall {
  organizationId: string;
  agentId: string | null;
  agentVersion: number | null;
  channel: 'twilio' | 'browser' | 'text';
  direction?: 'inbound' | 'outbound';
  fromNumber?: string | null;
  toNumber?: string | null;
  providerCallId?: string | null;
  variables?: Record<string, unknown>;
}

export interface StoredEvent {
  type: string;
  turnId: number | null;
  at: number;
  data: Record<string, unknown>;
}

/**
 * A queued `call_events` row in the shape `insertEvents` unpacks from JSON: plain values (no Date
 * per event), the time as epoch milliseconds, the organization implied by the batch.
 */
interface QueuedEvent {
  callId: string;
  seq: number;
  type: string;
  turnId: number | null;
  at: number;
  offsetMs: number;
  data: Record<string, unknown>;
}

interface PendingCall {
  id: string;
  organizationId: string;
  startedAtMono: number;
  startedAt: Date;
  nextSeq: number;
  insert?: NewCall;
  events: QueuedEvent[];
  end?: { reason: string; status: 'completed' | 'failed'; endedAt: Date; durationMs: number };
  patch?: Partial<typeof calls.$inferInsert>;
  failures: number;
}

const MAX_ATTEMPTS = 50;
/** Bounds one statement's JSON (a backlog after an outage is written in several). */
const EVENTS_PER_STATEMENT = 1000;
/** ~60 bytes per call keeps a payload well under PostgreSQL's 8000-byte NOTIFY limit. */
const NOTIFY_CALLS_PER_PAYLOAD = 100;

export interface TraceStoreOptions {
  db: Database;
  log: Logger;
  /**
   * How long a queued event waits at most before it is written (default 200 ms: the live view).
   * 500 ms measured under 10 % less CPU at 300 calls, not worth a slower live view.
   */
  flushIntervalMs?: number;
  /** Events held while the database is unreachable; beyond it the oldest are dropped (and counted). */
  maxQueuedEvents?: number;
}

/**
 * Writes call records and their events in batches, so the audio path never waits on the
 * database: `recordEvent` only queues. A timer flushes every few hundred milliseconds (one
 * transaction per organization), the end of a call flushes at once, and `close()` flushes the rest
 * on shutdown. After each write a NOTIFY tells every process sharing the database (the live view).
 */
export class TraceStore {
  readonly #o: Required<TraceStoreOptions>;
  readonly #calls = new Map<string, PendingCall>();
  #queued = 0;
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> | undefined;
  #again = false;

  constructor(options: TraceStoreOptions) {
    this.#o = { flushIntervalMs: 200, maxQueuedEvents: 200_000, ...options };
    this.#timer = setInterval(() => void this.flush(), this.#o.flushIntervalMs);
    this.#timer.unref();
  }

  /** Events dropped because the queue was full (the database was down for long). */
  get droppedEvents(): number {
    return this.#dropped;
  }

  /** Starts a call record; returns its id at once (the row is written with the next batch). */
  startCall(call: NewCall): string {
    const id = randomUUID();
    this.#calls.set(id, {
      id,
      organizationId: call.organizationId,
      startedAtMono: performance.now(),
      startedAt: new Date(),
      nextSeq: 1,
      insert: call,
      events: [],
      failures: 0,
    });
    return id;
  }

  /** Queues one event of a call. Synchronous and allocation-light: safe on the audio path. */
  recordEvent(callId: string, event: StoredEvent): void {
    const call = this.#calls.get(callId);
    if (!call) return;
    if (this.#queued >= this.#o.maxQueuedEvents) {
      this.#dropOldest();
    }
    // Whole milliseconds, truncated as `new Date(at)` would: the column holds milliseconds.
    const at = Math.trunc(event.at);
    call.events.push({
      callId,
      seq: call.nextSeq++,
      type: event.type,
      turnId: event.turnId,
      at,
      offsetMs: Math.max(0, Math.round(event.at - call.startedAt.getTime())),
      data: event.data,
    });
    this.#queued += 1;
  }

  /** Updates fields of the call record (e.g. the provider's call id, post-call analysis). */
  updateCall(
    callId: string,
    patch: Partial<
      Pick<typeof calls.$inferInsert, 'providerCallId' | 'analysis' | 'variables' | 'fromNumber' | 'toNumber'>
    >,
  ) {
    const call = this.#calls.get(callId);
    if (call) call.patch = { ...call.patch, ...patch };
  }

  /** Ends a call and writes everything queued for it now. */
  async endCall(callId: string, reason: string, status: 'completed' | 'failed' = 'completed'): Promise<void> {
    const call = this.#calls.get(callId);
    if (!call || call.end) return;
    call.end = {
      reason,
      status,
      endedAt: new Date(),
      durationMs: Math.round(performance.now() - call.startedAtMono),
    };
    await this.flush();
  }

  /** Writes every queued record and event. Concurrent callers share one flush. */
  flush(): Promise<void> {
    if (this.#flushing) {
      this.#again = true;
      return this.#flushing;
    }
    // The next timed flush counts from this one: a flush for an ending call stands in for a
    // tick, and no event waits longer than the interval (plus a flush under way) either way.
    this.#timer?.refresh();
    this.#flushing = this.#flushOnce()
      .catch((error) => this.#o.log.error({ err: error }, 'trace flush failed; events stay queued'))
      .finally(() => {
        this.#flushing = undefined;
        if (this.#again) {
          this.#again = false;
          void this.flush();
        }
      });
    return this.#flushing;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.flush();
    if (this.#flushing) await this.#flushing;
  }

  async #flushOnce(): Promise<void> {
    const byOrg = new Map<string, PendingCall[]>();
    for (const call of this.#calls.values()) {
      if (!call.insert && call.events.length === 0 && !call.end && !call.patch) continue;
      const list = byOrg.get(call.organizationId) ?? [];
      list.push(call);
      byOrg.set(call.organizationId, list);
    }
    for (const [organizationId, pending] of byOrg) {
      // Take the work out before the await: events queued meanwhile go to the next batch.
      const work = pending.map((call) => {
        // `call.ended` is written with the call's final status, never before it: a reader that
        // sees the event can rely on the record being final.
        const held = call.end ? -1 : call.events.findIndex((e) => e.type === 'call.ended');
        const events = held === -1 ? call.events : call.events.slice(0, held);
        const taken = { call, insert: call.insert, events, end: call.end, patch: call.patch };
        call.insert = undefined;
        call.events = held === -1 ? [] : call.events.slice(held);
        call.patch = undefined;
        return taken;
      });
      try {
        await this.#o.db.withTenant(organizationId, async (tx) => {
          const newCalls = work.flatMap(({ call, insert }) =>
            insert
              ? [
                  {
                    id: call.id,
                    organizationId,
                    agentId: insert.agentId,
                    agentVersion: insert.agentVersion,
                    channel: insert.channel,
                    direction: insert.direction ?? 'inbound',
                    fromNumber: insert.fromNumber ?? null,
                    toNumber: insert.toNumber ?? null,
                    providerCallId: insert.providerCallId ?? null,
                    variables: insert.variables ?? {},
                    startedAt: call.startedAt,
                  },
                ]
              : [],
          );
          if (newCalls.length > 0) await tx.insert(calls).values(newCalls);
          const events = work.flatMap((w) => w.events);
          for (let i = 0; i < events.length; i += EVENTS_PER_STATEMENT) {
            await insertEvents(tx, organizationId, events.slice(i, i + EVENTS_PER_STATEMENT));
          }
          for (const { call, end, patch } of work) {
            if (!end && !patch) continue;
            await tx
              .update(calls)
              .set({
                ...patch,
                ...(end
                  ? {
                      endedAt: end.endedAt,
                      durationMs: end.durationMs,
                      endedReason: end.reason,
                      status: end.status,
                    }
                  : {}),
              })
              .where(eq(calls.id, call.id));
          }
        });
      } catch (error) {
        // Put the work back in front of anything queued since, to be retried by the next flush;
        // other organizations' batches go ahead. A batch that keeps failing (its organization was
        // deleted, say) is given up after MAX_ATTEMPTS rather than retried forever.
        for (const w of work) {
          w.call.failures += 1;
          if (w.call.failures >= MAX_ATTEMPTS) {
            this.#queued -= w.events.length + w.call.events.length;
            this.#dropped += w.events.length + w.call.events.length;
            this.#calls.delete(w.call.id);
            this.#o.log.error(
              { err: error, callId: w.call.id },
              'giving up on a call trace the database keeps refusing',
            );
            continue;
          }
          w.call.insert ??= w.insert;
          w.call.events = [...w.events, ...w.call.events];
          w.call.patch = w.patch ? { ...w.patch, ...w.call.patch } : w.call.patch;
          w.call.end ??= w.end;
        }
        this.#o.log.warn({ err: error, organizationId }, 'trace batch failed; will retry');
        continue;
      }
      const ranges: Array<[string, number, number]> = [];
      for (const w of work) {
        this.#queued -= w.events.length;
        if (w.end) this.#calls.delete(w.call.id);
        if (w.events.length > 0) ranges.push([w.call.id, w.events[0]!.seq, w.events.at(-1)!.seq]);
      }
      await this.#announce(organizationId, ranges);
    }
  }

  /**
   * One NOTIFY per organization and flush (not per call): at hundreds of calls a per-call notify
   * costs more than the writes. Split only to stay under PostgreSQL's 8000-byte payload limit.
   */
  async #announce(organizationId: string, ranges: Array<[string, number, number]>) {
    for (let i = 0; i < ranges.length; i += NOTIFY_CALLS_PER_PAYLOAD) {
      const payload = JSON.stringify({
        org: organizationId,
        calls: ranges.slice(i, i + NOTIFY_CALLS_PER_PAYLOAD),
      });
      await this.#o.db.notify(CALL_EVENTS_CHANNEL, payload).catch((error) => {
        this.#o.log.warn({ err: error }, 'live notification failed');
      });
    }
  }

  #dropOldest() {
    for (const call of this.#calls.values()) {
      if (call.events.length > 0) {
        call.events.shift();
        this.#queued -= 1;
        this.#dropped += 1;
        if (this.#dropped % 1000 === 1)
          this.#o.log.error({ dropped: this.#dropped }, 'trace queue full: dropping events');
        return;
      }
    }
  }
}

/**
 * Inserts a batch of events as one JSON parameter unpacked by `json_to_recordset`. Eight bound
 * parameters per row (the query builder's `values(rows)`) cost over twice the CPU for the same
 * rows: building, binding and parsing thousands of parameters in drizzle, the driver and the
 * server (PGlite runs in this process). `at / 1000.0` through `to_timestamp` is exact to the
 * millisecond, the column's precision. Runs inside `withTenant`, so row-level security applies.
 */
async function insertEvents(tx: Tx, organizationId: string, events: QueuedEvent[]): Promise<void> {
  await tx.execute(sql`
    insert into call_events (organization_id, call_id, seq, type, turn_id, at, offset_ms, data)
    select ${organizationId}::uuid, e."callId", e.seq, e.type, e."turnId", to_timestamp(e.at / 1000.0), e."offsetMs", e.data
    from json_to_recordset(${JSON.stringify(events)}::json)
      as e("callId" uuid, seq integer, type text, "turnId" integer, at bigint, "offsetMs" integer, data jsonb)`);
}
