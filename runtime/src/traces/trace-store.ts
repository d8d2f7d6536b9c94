import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { callEvents, calls } from '../db/schema.js';
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

interface PendingCall {
  id: string;
  organizationId: string;
  startedAtMono: number;
  startedAt: Date;
  nextSeq: number;
  insert?: NewCall;
  events: Array<typeof callEvents.$inferInsert>;
  end?: { reason: string; status: 'completed' | 'failed'; endedAt: Date; durationMs: number };
  patch?: Partial<typeof calls.$inferInsert>;
  failures: number;
}

const MAX_ATTEMPTS = 50;
/** ~60 bytes per call keeps a payload well under PostgreSQL's 8000-byte NOTIFY limit. */
const NOTIFY_CALLS_PER_PAYLOAD = 100;

export interface TraceStoreOptions {
  db: Database;
  log: Logger;
  /** How often queued events are written. */
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
    call.events.push({
      organizationId: call.organizationId,
      callId,
      seq: call.nextSeq++,
      type: event.type,
      turnId: event.turnId,
      at: new Date(event.at),
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
          for (const { call, insert } of work) {
            if (!insert) continue;
            await tx.insert(calls).values({
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
            });
          }
          const events = work.flatMap((w) => w.events);
          for (let i = 0; i < events.length; i += 1000) {
            await tx.insert(callEvents).values(events.slice(i, i + 1000));
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
