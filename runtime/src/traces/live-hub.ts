import { and, asc, between, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../db/client.js';
import { callEvents } from '../db/schema.js';
import type { Logger } from '../kernel/logger.js';
import { CALL_EVENTS_CHANNEL } from './trace-store.js';

const NotificationSchema = z.object({
  org: z.uuid(),
  calls: z.array(z.tuple([z.uuid(), z.number().int(), z.number().int()])),
});

export interface LiveEvent {
  callId: string;
  seq: number;
  type: string;
  turnId: number | null;
  at: string;
  offsetMs: number;
  data: unknown;
}

export interface LiveSubscriber {
  organizationId: string;
  /** `null`: every call of the organization. */
  callIds: Set<string> | null;
  send(events: LiveEvent[]): void;
}

/**
 * Fans stored call events out to live viewers. Each process LISTENs once on the database; a
 * notification (from this process or any other sharing the database) names a call and a range of
 * sequence numbers, which is read once — within the organization, under row-level security — and
 * sent to every subscriber of that organization watching that call.
 */
export class LiveHub {
  readonly #subscribers = new Set<LiveSubscriber>();
  #unlisten: (() => Promise<void>) | undefined;

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.#unlisten = await this.db.listen(
      CALL_EVENTS_CHANNEL,
      (payload) => void this.#onNotification(payload),
    );
  }

  async stop(): Promise<void> {
    await this.#unlisten?.();
    this.#unlisten = undefined;
    this.#subscribers.clear();
  }

  subscribe(subscriber: LiveSubscriber): () => void {
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  async #onNotification(payload: string) {
    const parsed = NotificationSchema.safeParse(safeJson(payload));
    if (!parsed.success) {
      this.log.warn({ payload }, 'ignoring malformed live notification');
      return;
    }
    const { org, calls } = parsed.data;
    const subscribers = [...this.#subscribers].filter((s) => s.organizationId === org);
    if (subscribers.length === 0) return;
    for (const [call, from, to] of calls) {
      const watchers = subscribers.filter((s) => s.callIds === null || s.callIds.has(call));
      if (watchers.length === 0) continue;
      try {
        const rows = await this.db.withTenant(org, (tx) =>
          tx
            .select()
            .from(callEvents)
            .where(and(eq(callEvents.callId, call), between(callEvents.seq, from, to)))
            .orderBy(asc(callEvents.seq)),
        );
        const events = rows.map(toLiveEvent);
        for (const watcher of watchers) watcher.send(events);
      } catch (error) {
        this.log.error({ err: error }, 'live fan-out failed');
      }
    }
  }
}

export function toLiveEvent(row: typeof callEvents.$inferSelect): LiveEvent {
  return {
    callId: row.callId,
    seq: row.seq,
    type: row.type,
    turnId: row.turnId,
    at: row.at.toISOString(),
    offsetMs: row.offsetMs,
    data: row.data,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
