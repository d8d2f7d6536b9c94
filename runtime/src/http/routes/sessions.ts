import { z } from 'zod';
import type { Services } from '../../kernel/container.js';
import type { ApiRouter } from '../route.js';
import { principalOf } from '../route.js';
import { parseBody, parseParams } from '../validate.js';

const AgentParam = z.object({ agent: z.string().min(1).max(100) });
const CallParam = z.object({ id: z.uuid() });
const StartBody = z.strictObject({
  variables: z.record(z.string().max(64), z.string().max(2000)).optional(),
  /** Talk to this version instead of the live one (to test before publishing). */
  version: z.number().int().positive().optional(),
});
const MessageBody = z.strictObject({
  text: z.string().trim().min(1, 'is required').max(4000),
  /** The text is keypad digits (DTMF), as a phone caller would press them. */
  keypad: z.boolean().optional(),
});

/**
 * Text sessions: a conversation with an agent through the voice loop's logic (model, tools,
 * confirmations, end call), without audio. Each is a call with channel `text` and a full trace.
 * A session lives in the process that started it.
 */
export function sessionRoutes(r: ApiRouter, services: Services) {
  r.post('/v1/agents/:agent/sessions', 'calls:write', async (c) => {
    const { agent } = parseParams(c, AgentParam);
    const body = await parseBody(c, StartBody);
    const started = await services.calls.startText(principalOf(c).organizationId, agent, body);
    return c.json(started, 201);
  });

  r.post('/v1/calls/:id/messages', 'calls:write', async (c) => {
    const { id } = parseParams(c, CallParam);
    const body = await parseBody(c, MessageBody);
    const reply = await services.calls.sendText(principalOf(c).organizationId, id, body.text, {
      keypad: body.keypad ?? false,
      signal: c.req.raw.signal,
    });
    return c.json(reply);
  });

  r.post('/v1/calls/:id/end', 'calls:write', async (c) => {
    const { id } = parseParams(c, CallParam);
    await services.calls.endText(principalOf(c).organizationId, id, 'ended_by_user');
    return c.body(null, 204);
  });
}
