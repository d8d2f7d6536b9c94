import { and, asc, desc, eq, gt, gte, lt, lte, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import { isUuid } from '../../db/agents.js';
import { agents, CALL_STATUSES, callEvents, calls } from '../../db/schema.js';
import { notFound } from '../../errors.js';
import type { Services } from '../../kernel/container.js';
import { toLiveEvent } from '../../traces/live-hub.js';
import { tenant } from '../request-meta.js';
import type { ApiRouter } from '../route.js';
import { parseParams, parseQuery, validationError } from '../validate.js';

const ListQuery = z.strictObject({
  agent: z.string().min(1).max(100).optional(),
  status: z.enum(CALL_STATUSES).optional(),
  endedReason: z.string().max(64).optional(),
  channel: z.enum(['twilio', 'browser', 'text']).optional(),
  from: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  to: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});
const CallParam = z.object({ id: z.uuid() });
const EventsQuery = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(1000),
});

/** Cursor: the last row's start time and id, so pages stay stable while calls arrive. */
const encodeCursor = (startedAt: Date, id: string) =>
  Buffer.from(`${startedAt.toISOString()}|${id}`).toString('base64url');
function decodeCursor(cursor: string) {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const date = new Date(at ?? '');
  if (!id || Number.isNaN(date.getTime())) {
    throw validationError(
      'query',
      new z.ZodError([
        { code: 'custom', path: ['cursor'], message: 'is not a cursor from this API', input: cursor },
      ]),
    );
  }
  return { at: date, id };
}

export function callRoutes(r: ApiRouter, services: Services) {
  r.get('/v1/calls', 'calls:read', async (c) => {
    const q = parseQuery(c, ListQuery);
    const cursor = q.cursor ? decodeCursor(q.cursor) : undefined;
    const rows = await tenant(c, services, (tx) =>
      tx
        .select({ call: calls, agentName: agents.name })
        .from(calls)
        .leftJoin(agents, eq(agents.id, calls.agentId))
        .where(
          and(
            q.agent ? (isUuid(q.agent) ? eq(calls.agentId, q.agent) : eq(agents.name, q.agent)) : undefined,
            q.status ? eq(calls.status, q.status) : undefined,
            q.endedReason ? eq(calls.endedReason, q.endedReason) : undefined,
            q.channel ? eq(calls.channel, q.channel) : undefined,
            q.from ? gte(calls.startedAt, new Date(q.from)) : undefined,
            q.to ? lte(calls.startedAt, endOfDay(q.to)) : undefined,
            cursor
              ? or(
                  lt(calls.startedAt, cursor.at),
                  and(eq(calls.startedAt, cursor.at), lt(calls.id, cursor.id)),
                )
              : undefined,
          ),
        )
        .orderBy(desc(calls.startedAt), desc(calls.id))
        .limit(q.limit),
    );
    const last = rows.at(-1);
    return c.json({
      calls: rows.map(({ call, agentName }) => ({ ...call, agentName })),
      nextCursor: rows.length === q.limit && last ? encodeCursor(last.call.startedAt, last.call.id) : null,
    });
  });

  r.get('/v1/calls/:id', 'calls:read', async (c) => {
    const { id } = parseParams(c, CallParam);
    const result = await tenant(c, services, async (tx) => {
      const [row] = await tx
        .select({ call: calls, agentName: agents.name })
        .from(calls)
        .leftJoin(agents, eq(agents.id, calls.agentId))
        .where(eq(calls.id, id));
      if (!row) throw notFound('Call');
      const turns = await tx
        .select({ turnId: callEvents.turnId, at: callEvents.at, data: callEvents.data })
        .from(callEvents)
        .where(and(eq(callEvents.callId, id), eq(callEvents.type, 'turn.metrics')))
        .orderBy(asc(callEvents.seq));
      const [counts] = await tx
        .select({
          events: sql<number>`count(*)::int`,
          interruptions: sql<number>`count(*) filter (where ${callEvents.type} = 'interruption')::int`,
          toolCalls: sql<number>`count(*) filter (where ${callEvents.type} = 'tool.called')::int`,
          errors: sql<number>`count(*) filter (where ${callEvents.type} = 'error')::int`,
          fallbacks: sql<number>`count(*) filter (where ${callEvents.type} = 'fallback')::int`,
        })
        .from(callEvents)
        .where(eq(callEvents.callId, id));
      return {
        ...row.call,
        agentName: row.agentName,
        turns: turns.map((t) => ({ turnId: t.turnId, at: t.at, ...(t.data as object) })),
        counts,
      };
    });
    return c.json(result);
  });

  r.get('/v1/calls/:id/events', 'calls:read', async (c) => {
    const { id } = parseParams(c, CallParam);
    const q = parseQuery(c, EventsQuery);
    const rows = await tenant(c, services, async (tx) => {
      const [call] = await tx.select({ id: calls.id }).from(calls).where(eq(calls.id, id));
      if (!call) throw notFound('Call');
      return tx
        .select()
        .from(callEvents)
        .where(and(eq(callEvents.callId, id), gt(callEvents.seq, q.after)))
        .orderBy(asc(callEvents.seq))
        .limit(q.limit);
    });
    const events = rows.map(toLiveEvent);
    return c.json({ events, nextAfter: events.length === q.limit ? events.at(-1)!.seq : null });
  });
}

/** A bare date as `to` means the whole of that day. */
function endOfDay(value: string): Date {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T23:59:59.999Z`) : new Date(value);
}
