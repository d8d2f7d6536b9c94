import { createTwoFilesPatch, structuredPatch } from 'diff';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Context } from 'hono';
import { z } from 'zod';
import { findAgent, findAgentVersion } from '../../db/agents.js';
import { agents, agentVersions, calls } from '../../db/schema.js';
import { badRequest, conflict, VrmError } from '../../errors.js';
import { audit } from '../../kernel/audit.js';
import type { Services } from '../../kernel/container.js';
import { formatProblem, manifestJsonSchema, parseManifest } from '../../manifest/index.js';
import type { AppEnv } from '../context.js';
import { actor, tenant } from '../request-meta.js';
import { type ApiRouter, principalOf } from '../route.js';
import { parseBody, parseParams, parseQuery } from '../validate.js';

const AgentParam = z.object({ agent: z.string().min(1).max(100) });
const VersionParams = AgentParam.extend({ version: z.coerce.number().int().positive() });
const DiffQuery = z.strictObject({
  from: z.coerce.number().int().positive(),
  to: z.coerce.number().int().positive(),
});
const PublishBody = z.strictObject({ version: z.number().int().positive() });
const RollbackBody = z.strictObject({ version: z.number().int().positive().optional() });
const JsonManifestBody = z.strictObject({ manifest: z.string().min(1, 'is required') });

const YAML_TYPES = /^(application|text)\/(x-)?yaml\b/;

/** A manifest from the body: YAML text (`application/yaml`) or JSON `{ "manifest": "<yaml>" }`. */
async function manifestText(c: Context<AppEnv>): Promise<string> {
  const type = c.req.header('content-type') ?? '';
  if (YAML_TYPES.test(type)) return c.req.text();
  if (type.startsWith('application/json')) return (await parseBody(c, JsonManifestBody)).manifest;
  throw new VrmError(
    'unsupported_media_type',
    'Send the manifest as application/yaml, or as JSON {"manifest": "<yaml>"}',
    {
      status: 400,
    },
  );
}

/** Parses or throws 400 with every problem, each `line:col message`. */
function parseOrThrow(text: string, file: string) {
  const result = parseManifest(text, file);
  if (!result.ok) {
    const first = result.problems[0]!;
    throw new VrmError('invalid_manifest', `Invalid manifest: ${formatProblem(first)}`, {
      status: 400,
      details: result.problems,
    });
  }
  return result;
}

const versionSummary = (v: typeof agentVersions.$inferSelect, liveVersion: number) => ({
  version: v.version,
  hash: v.hash,
  createdAt: v.createdAt,
  createdBy: v.createdBy,
  publishedAt: v.publishedAt,
  live: v.version === liveVersion,
});

export function agentRoutes(r: ApiRouter, services: Services) {
  r.get('/v1/manifests/schema', 'public', (c) => c.json(manifestJsonSchema()));

  r.post('/v1/manifests/validate', 'agents:read', async (c) => {
    const result = parseManifest(await manifestText(c), c.req.query('file') ?? 'manifest.yaml');
    return c.json(
      result.ok
        ? { valid: true, hash: result.hash, problems: [] }
        : { valid: false, problems: result.problems },
    );
  });

  r.get('/v1/agents', 'agents:read', async (c) => {
    const rows = await tenant(c, services, (tx) =>
      tx
        .select({
          id: agents.id,
          name: agents.name,
          description: agents.description,
          liveVersion: agents.liveVersion,
          latestVersion: agents.latestVersion,
          createdAt: agents.createdAt,
          updatedAt: agents.updatedAt,
          callsLast7Days: sql<number>`(select count(*)::int from ${calls} where ${calls.agentId} = ${agents.id} and ${calls.startedAt} > now() - interval '7 days')`,
          lastCallAt: sql<
            string | null
          >`(select max(${calls.startedAt}) from ${calls} where ${calls.agentId} = ${agents.id})`,
        })
        .from(agents)
        .where(isNull(agents.deletedAt))
        .orderBy(agents.name),
    );
    return c.json({ agents: rows });
  });

  r.post('/v1/agents', 'agents:write', async (c) => {
    const text = await manifestText(c);
    const { manifest, hash } = parseOrThrow(text, 'agent.yaml');
    const principal = principalOf(c);
    const created = await tenant(c, services, async (tx) => {
      const [existing] = await tx
        .select({ id: agents.id })
        .from(agents)
        .where(and(eq(agents.name, manifest.name), isNull(agents.deletedAt)));
      if (existing) throw conflict(`An agent named "${manifest.name}" already exists`, { id: existing.id });
      const [agent] = await tx
        .insert(agents)
        .values({
          organizationId: principal.organizationId,
          name: manifest.name,
          description: manifest.description ?? null,
          liveVersion: 1,
          latestVersion: 1,
          createdBy: principal.userId,
        })
        .returning();
      const [version] = await tx
        .insert(agentVersions)
        .values({
          organizationId: principal.organizationId,
          agentId: agent!.id,
          version: 1,
          yaml: text,
          manifest,
          hash,
          createdBy: principal.userId,
          publishedAt: new Date(),
        })
        .returning();
      await audit(tx, {
        ...actor(c, services),
        action: 'agent.created',
        targetType: 'agent',
        targetId: agent!.id,
        data: { name: manifest.name, hash },
      });
      return { ...agent!, version: versionSummary(version!, 1) };
    });
    return c.json(created, 201);
  });

  r.get('/v1/agents/:agent', 'agents:read', async (c) => {
    const { agent: ref } = parseParams(c, AgentParam);
    const result = await tenant(c, services, async (tx) => {
      const agent = await findAgent(tx, ref);
      const live = await findAgentVersion(tx, agent.id, agent.liveVersion);
      return {
        ...agent,
        live: { ...versionSummary(live, agent.liveVersion), yaml: live.yaml, manifest: live.manifest },
      };
    });
    return c.json(result);
  });

  /** A new immutable version; it goes live only when published. */
  r.put('/v1/agents/:agent', 'agents:write', async (c) => {
    const { agent: ref } = parseParams(c, AgentParam);
    const text = await manifestText(c);
    const { manifest, hash } = parseOrThrow(text, 'agent.yaml');
    const principal = principalOf(c);
    const result = await tenant(c, services, async (tx) => {
      const agent = await findAgent(tx, ref, { forUpdate: true });
      if (manifest.name !== agent.name) {
        throw badRequest(
          `The manifest's name "${manifest.name}" does not match the agent "${agent.name}"; create a new agent to rename`,
        );
      }
      const latest = await findAgentVersion(tx, agent.id, agent.latestVersion);
      if (latest.yaml === text) return { created: false, agent, version: latest };
      const next = agent.latestVersion + 1;
      const [version] = await tx
        .insert(agentVersions)
        .values({
          organizationId: principal.organizationId,
          agentId: agent.id,
          version: next,
          yaml: text,
          manifest,
          hash,
          createdBy: principal.userId,
        })
        .returning();
      const [updated] = await tx
        .update(agents)
        .set({ latestVersion: next, description: manifest.description ?? null, updatedAt: new Date() })
        .where(eq(agents.id, agent.id))
        .returning();
      await audit(tx, {
        ...actor(c, services),
        action: 'agent.version_created',
        targetType: 'agent',
        targetId: agent.id,
        data: { version: next, hash },
      });
      return { created: true, agent: updated!, version: version! };
    });
    return c.json(
      { ...result.agent, version: versionSummary(result.version, result.agent.liveVersion) },
      result.created ? 201 : 200,
    );
  });

  r.get('/v1/agents/:agent/versions', 'agents:read', async (c) => {
    const { agent: ref } = parseParams(c, AgentParam);
    const result = await tenant(c, services, async (tx) => {
      const agent = await findAgent(tx, ref);
      const rows = await tx
        .select()
        .from(agentVersions)
        .where(eq(agentVersions.agentId, agent.id))
        .orderBy(desc(agentVersions.version));
      return rows.map((v) => versionSummary(v, agent.liveVersion));
    });
    return c.json({ versions: result });
  });

  r.get('/v1/agents/:agent/versions/:version', 'agents:read', async (c) => {
    const { agent: ref, version } = parseParams(c, VersionParams);
    const result = await tenant(c, services, async (tx) => {
      const agent = await findAgent(tx, ref);
      const row = await findAgentVersion(tx, agent.id, version);
      return { ...versionSummary(row, agent.liveVersion), yaml: row.yaml, manifest: row.manifest };
    });
    return c.json(result);
  });

  r.get('/v1/agents/:agent/diff', 'agents:read', async (c) => {
    const { agent: ref } = parseParams(c, AgentParam);
    const { from, to } = parseQuery(c, DiffQuery);
    const result = await tenant(c, services, async (tx) => {
      const agent = await findAgent(tx, ref);
      const [a, b] = await Promise.all([
        findAgentVersion(tx, agent.id, from),
        findAgentVersion(tx, agent.id, to),
      ]);
      const names = [`${agent.name} v${from}`, `${agent.name} v${to}`] as const;
      return {
        from: { version: from, yaml: a.yaml },
        to: { version: to, yaml: b.yaml },
        patch: createTwoFilesPatch(names[0], names[1], a.yaml, b.yaml),
        hunks: structuredPatch(names[0], names[1], a.yaml, b.yaml).hunks,
      };
    });
    return c.json(result);
  });

  r.post('/v1/agents/:agent/publish', 'agents:publish', async (c) => {
    const { agent: ref } = parseParams(c, AgentParam);
    const { version } = await parseBody(c, PublishBody);
    const result = await tenant(c, services, async (tx) => {
      const agent = await findAgent(tx, ref);
      await findAgentVersion(tx, agent.id, version);
      await tx
        .update(agentVersions)
        .set({ publishedAt: sql`coalesce(${agentVersions.publishedAt}, now())` })
        .where(and(eq(agentVersions.agentId, agent.id), eq(agentVersions.version, version)));
      const [updated] = await tx
        .update(agents)
        .set({ liveVersion: version, updatedAt: new Date() })
        .where(eq(agents.id, agent.id))
        .returning();
      await audit(tx, {
        ...actor(c, services),
        action: 'agent.published',
        targetType: 'agent',
        targetId: agent.id,
        data: { from: agent.liveVersion, to: version },
      });
      return updated!;
    });
    return c.json(result);
  });

  /** Back to `version`, or to the version live before the current one. */
  r.post('/v1/agents/:agent/rollback', 'agents:publish', async (c) => {
    const { agent: ref } = parseParams(c, AgentParam);
    const body = await parseBody(c, RollbackBody);
    const result = await tenant(c, services, async (tx) => {
      const agent = await findAgent(tx, ref);
      let target = body.version;
      if (target === undefined) {
        const [previous] = await tx
          .select({ version: agentVersions.version })
          .from(agentVersions)
          .where(
            and(
              eq(agentVersions.agentId, agent.id),
              sql`${agentVersions.publishedAt} is not null`,
              sql`${agentVersions.version} < ${agent.liveVersion}`,
            ),
          )
          .orderBy(desc(agentVersions.version))
          .limit(1);
        if (!previous) throw conflict('There is no earlier published version to roll back to');
        target = previous.version;
      }
      const version = await findAgentVersion(tx, agent.id, target);
      if (!version.publishedAt) throw conflict(`Version ${target} was never published; publish it instead`);
      const [updated] = await tx
        .update(agents)
        .set({ liveVersion: target, updatedAt: new Date() })
        .where(eq(agents.id, agent.id))
        .returning();
      await audit(tx, {
        ...actor(c, services),
        action: 'agent.rolled_back',
        targetType: 'agent',
        targetId: agent.id,
        data: { from: agent.liveVersion, to: target },
      });
      return updated!;
    });
    return c.json(result);
  });

  r.delete('/v1/agents/:agent', 'agents:delete', async (c) => {
    const { agent: ref } = parseParams(c, AgentParam);
    await tenant(c, services, async (tx) => {
      const agent = await findAgent(tx, ref);
      await tx.update(agents).set({ deletedAt: new Date() }).where(eq(agents.id, agent.id));
      await audit(tx, {
        ...actor(c, services),
        action: 'agent.deleted',
        targetType: 'agent',
        targetId: agent.id,
        data: { name: agent.name },
      });
    });
    return c.body(null, 204);
  });
}
