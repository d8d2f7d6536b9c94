import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { mcpServers, mcpToolPins, secrets } from '../../db/schema.js';
import { conflict, notFound, VrmError } from '../../errors.js';
import { audit } from '../../kernel/audit.js';
import type { Services } from '../../kernel/container.js';
import { credentialSecretName, toolView } from '../../kernel/mcp-registry.js';
import { assertTransportAllowed, McpTransportConfigSchema, policyFromConfig } from '../../mcp/index.js';
import { actor, tenant } from '../request-meta.js';
import { type ApiRouter, principalOf } from '../route.js';
import { parseBody, parseParams } from '../validate.js';

const ServerName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be 1-32 lowercase letters, digits, _ or -, starting with a letter');
const CreateBody = z.strictObject({
  name: ServerName,
  transport: McpTransportConfigSchema,
  trusted: z.boolean().default(false),
  enabled: z.boolean().default(true),
});
const UpdateBody = z.strictObject({
  transport: McpTransportConfigSchema.optional(),
  trusted: z.boolean().optional(),
  enabled: z.boolean().optional(),
});
const IdParam = z.object({ id: z.uuid() });
const ToolParams = IdParam.extend({ tool: z.string().min(1).max(128) });
const ToolStateBody = z.strictObject({ enabled: z.boolean() });
const CallBody = z.strictObject({
  arguments: z.record(z.string(), z.unknown()).default({}),
  /** A person trying a tool confirms destructive calls by sending true. */
  confirm: z.boolean().default(false),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
});

type ServerRow = typeof mcpServers.$inferSelect;

export function mcpServerRoutes(r: ApiRouter, services: Services) {
  const { mcp } = services;
  const policy = policyFromConfig(services.config);

  /** The stored row with the live status from this process's manager, when it has one. */
  const view = (row: ServerRow) => {
    const live = mcp.manager.status(row.id);
    const status = live?.state ?? row.status;
    const lastError = live ? (live.state === 'failing' ? live.lastError : null) : row.lastError;
    const { tools: _tools, ...rest } = row;
    return { ...rest, status, lastError };
  };

  const toolsOf = async (row: ServerRow) => {
    const disabled = await mcp.disabledTools(row.organizationId, row.id);
    const states = mcp.manager.cachedTools(row.id);
    if (states) return states.map((s) => toolView(s, row.name, disabled));
    return [];
  };

  const loadRow = (c: Parameters<Parameters<ApiRouter['get']>[2]>[0], id: string) =>
    tenant(c, services, async (tx) => {
      const [row] = await tx.select().from(mcpServers).where(eq(mcpServers.id, id));
      if (!row) throw notFound('MCP server');
      return row;
    });

  /** Connects and lists tools; a failure is kept as the server's status rather than thrown. */
  const discover = async (row: ServerRow) => {
    if (!row.enabled) return;
    try {
      await mcp.manager.tools(row.id);
    } catch (error) {
      services.log.info({ err: error, serverId: row.id }, 'MCP server not reachable at registration');
    }
  };

  r.post('/v1/mcp-servers', 'mcp:write', async (c) => {
    const body = await parseBody(c, CreateBody);
    await assertTransportAllowed(body.transport, policy);
    const principal = principalOf(c);
    const row = await tenant(c, services, async (tx) => {
      const [existing] = await tx
        .select({ id: mcpServers.id })
        .from(mcpServers)
        .where(eq(mcpServers.name, body.name));
      if (existing) throw conflict(`An MCP server named "${body.name}" already exists`, { id: existing.id });
      const id = crypto.randomUUID();
      const visible = await mcp.storeCredentials(tx, principal.organizationId, id, body.transport);
      const [row] = await tx
        .insert(mcpServers)
        .values({
          id,
          organizationId: principal.organizationId,
          name: body.name,
          transport: visible,
          trusted: body.trusted,
          enabled: body.enabled,
        })
        .returning();
      await audit(tx, {
        ...actor(c, services),
        action: 'mcp_server.created',
        targetType: 'mcp_server',
        targetId: id,
        data: { name: body.name, type: body.transport.type },
      });
      return row!;
    });
    await mcp.register(row);
    await discover(row);
    return c.json({ ...view(row), tools: await toolsOf(row) }, 201);
  });

  r.get('/v1/mcp-servers', 'mcp:read', async (c) => {
    const rows = await tenant(c, services, (tx) => tx.select().from(mcpServers).orderBy(mcpServers.name));
    return c.json({
      servers: rows.map((row) => ({
        ...view(row),
        toolCount: (mcp.manager.cachedTools(row.id) ?? (row.tools as unknown[])).length,
      })),
    });
  });

  r.get('/v1/mcp-servers/:id', 'mcp:read', async (c) => {
    const row = await loadRow(c, parseParams(c, IdParam).id);
    return c.json({ ...view(row), tools: await toolsOf(row) });
  });

  r.patch('/v1/mcp-servers/:id', 'mcp:write', async (c) => {
    const { id } = parseParams(c, IdParam);
    const body = await parseBody(c, UpdateBody);
    if (body.transport) await assertTransportAllowed(body.transport, policy);
    const principal = principalOf(c);
    const row = await tenant(c, services, async (tx) => {
      const [current] = await tx.select().from(mcpServers).where(eq(mcpServers.id, id));
      if (!current) throw notFound('MCP server');
      const transport = body.transport
        ? await mcp.storeCredentials(tx, principal.organizationId, id, body.transport)
        : undefined;
      const [row] = await tx
        .update(mcpServers)
        .set({
          ...(transport ? { transport } : {}),
          ...(body.trusted !== undefined ? { trusted: body.trusted } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
          updatedAt: new Date(),
        })
        .where(eq(mcpServers.id, id))
        .returning();
      await audit(tx, {
        ...actor(c, services),
        action: 'mcp_server.updated',
        targetType: 'mcp_server',
        targetId: id,
        data: { trusted: body.trusted, enabled: body.enabled, transportChanged: Boolean(body.transport) },
      });
      return row!;
    });
    await mcp.register(row);
    if (body.transport || body.enabled) await discover(row);
    return c.json({ ...view(row), tools: await toolsOf(row) });
  });

  r.delete('/v1/mcp-servers/:id', 'mcp:write', async (c) => {
    const { id } = parseParams(c, IdParam);
    const principal = principalOf(c);
    await tenant(c, services, async (tx) => {
      const [row] = await tx.delete(mcpServers).where(eq(mcpServers.id, id)).returning();
      if (!row) throw notFound('MCP server');
      await tx
        .delete(secrets)
        .where(
          and(
            eq(secrets.organizationId, principal.organizationId),
            eq(secrets.name, credentialSecretName(id)),
          ),
        );
      await audit(tx, {
        ...actor(c, services),
        action: 'mcp_server.deleted',
        targetType: 'mcp_server',
        targetId: id,
        data: { name: row.name },
      });
    });
    await mcp.manager.unregister(id);
    return c.body(null, 204);
  });

  r.get('/v1/mcp-servers/:id/tools', 'mcp:read', async (c) => {
    const row = await loadRow(c, parseParams(c, IdParam).id);
    if (!mcp.manager.cachedTools(row.id)) await discover(row);
    return c.json({ tools: await toolsOf(row), status: view(row).status, lastError: view(row).lastError });
  });

  r.post('/v1/mcp-servers/:id/refresh', 'mcp:write', async (c) => {
    const row = await loadRow(c, parseParams(c, IdParam).id);
    await discover(row);
    return c.json({ ...view(row), tools: await toolsOf(row) });
  });

  /** Pins the tool's current definition; a tool disabled by a changed definition works again. */
  r.post('/v1/mcp-servers/:id/tools/:tool/approve', 'mcp:approve', async (c) => {
    const { id, tool } = parseParams(c, ToolParams);
    const row = await loadRow(c, id);
    const state = await mcp.manager.approve(row.id, tool);
    await tenant(c, services, (tx) =>
      audit(tx, {
        ...actor(c, services),
        action: 'mcp_tool.approved',
        targetType: 'mcp_tool',
        targetId: `${id}/${tool}`,
        data: { hash: state.hash, by: 'person' },
      }),
    );
    return c.json(toolView(state, row.name, await mcp.disabledTools(row.organizationId, row.id)));
  });

  r.patch('/v1/mcp-servers/:id/tools/:tool', 'mcp:approve', async (c) => {
    const { id, tool } = parseParams(c, ToolParams);
    const { enabled } = await parseBody(c, ToolStateBody);
    const row = await loadRow(c, id);
    const state = (mcp.manager.cachedTools(row.id) ?? []).find((t) => t.tool.name === tool);
    if (!state) throw notFound(`Tool ${tool}`);
    await tenant(c, services, async (tx) => {
      await tx
        .insert(mcpToolPins)
        .values({
          organizationId: row.organizationId,
          serverId: id,
          toolName: tool,
          hash: state.approvedHash ?? '',
          enabled,
        })
        .onConflictDoUpdate({ target: [mcpToolPins.serverId, mcpToolPins.toolName], set: { enabled } });
      await audit(tx, {
        ...actor(c, services),
        action: enabled ? 'mcp_tool.enabled' : 'mcp_tool.disabled',
        targetType: 'mcp_tool',
        targetId: `${id}/${tool}`,
      });
    });
    return c.json(toolView(state, row.name, await mcp.disabledTools(row.organizationId, row.id)));
  });

  /** Runs one tool for a person trying it out (the studio's form). Destructive tools need `confirm`. */
  r.post('/v1/mcp-servers/:id/tools/:tool/call', 'mcp:call', async (c) => {
    const { id, tool } = parseParams(c, ToolParams);
    const body = await parseBody(c, CallBody);
    const row = await loadRow(c, id);
    if (!row.enabled)
      throw new VrmError('mcp_server_disabled', 'This MCP server is disabled', { status: 409 });
    const states = mcp.manager.cachedTools(row.id) ?? (await mcp.manager.tools(row.id));
    const state = states.find((t) => t.tool.name === tool);
    if (!state) throw notFound(`Tool ${tool}`);
    if ((await mcp.disabledTools(row.organizationId, row.id)).has(tool)) {
      throw new VrmError('mcp_tool_disabled', `The tool ${tool} is disabled in this organization`, {
        status: 409,
      });
    }
    const annotations = state.tool.annotations ?? {};
    const safe = row.trusted && (annotations.readOnlyHint === true || annotations.destructiveHint === false);
    if (!safe && !body.confirm) {
      throw new VrmError('confirmation_required', `${tool} may change data; send "confirm": true to run it`, {
        status: 409,
      });
    }
    const result = await mcp.manager.callTool(row.id, tool, body.arguments, {
      timeoutMs: body.timeoutMs ?? 15_000,
      signal: c.req.raw.signal,
    });
    return c.json(result);
  });
}
