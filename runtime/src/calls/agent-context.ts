import { findAgent, findAgentVersion } from '../db/agents.js';
import type { Services } from '../kernel/container.js';
import { providerSettings, readSecret } from '../kernel/secrets.js';
import type { AgentManifest } from '../manifest/index.js';
import { ToolCatalog } from '../mcp/index.js';
import { createLanguageModel, createSpeechToText, createTextToSpeech } from '../providers/index.js';
import { mcpToolExecutor } from '../voice/index.js';
import type { ToolExecutor } from '../voice/tools.js';
import { manifestMcpEntries, manifestVoiceSettings } from './manifest-tools.js';

export interface AgentVersionRef {
  agentId: string;
  name: string;
  version: number;
  manifest: AgentManifest;
}

/** The agent's live version (or `version`), within the organization. */
export async function loadAgentVersion(
  services: Services,
  organizationId: string,
  agentRef: string,
  version?: number,
): Promise<AgentVersionRef> {
  return services.db.withTenant(organizationId, async (tx) => {
    const agent = await findAgent(tx, agentRef);
    const row = await findAgentVersion(tx, agent.id, version ?? agent.liveVersion);
    // Stored manifests were validated, defaults applied, when the version was saved.
    return {
      agentId: agent.id,
      name: agent.name,
      version: row.version,
      manifest: row.manifest as AgentManifest,
    };
  });
}

/**
 * The agent's MCP tools as the voice loop sees them: the manifest's `tools:` entries resolved to
 * the organization's registered servers, with per-tool confirmation, hidden arguments and fillers.
 * Servers the organization has not registered are left out (and named in `missing`).
 */
export async function agentTools(
  services: Services,
  organizationId: string,
  manifest: AgentManifest,
): Promise<{ tools: ToolExecutor; missing: string[] }> {
  const entries = manifestMcpEntries(manifest);
  const { bindings, missing } = await services.mcp.bindingsFor(organizationId, entries);
  const catalog = new ToolCatalog(services.mcp.manager, bindings, services.log);
  return { tools: mcpToolExecutor(catalog, manifestVoiceSettings(entries)), missing };
}

/**
 * The providers the manifest names, configured from the organization's stored settings over the
 * environment, with its fallbacks. `{secret: NAME}` references in the manifest read the
 * organization's secrets.
 */
export async function agentProviders(services: Services, organizationId: string, manifest: AgentManifest) {
  const env = await providerSettings(services.db, services.secretBox, services.config, organizationId);
  const secretNames = collectSecretRefs(manifest);
  const secrets = new Map<string, string>();
  if (secretNames.length > 0) {
    await services.db.withTenant(organizationId, async (tx) => {
      for (const name of secretNames) {
        const value = await readSecret(tx, services.secretBox, organizationId, name);
        if (value !== undefined) secrets.set(name, value);
      }
    });
  }
  const options = {
    env,
    log: services.log,
    // A missing secret leaves that provider unconfigured: a fallback is skipped, a primary fails.
    resolveSecret: (name: string) => secrets.get(name),
  };
  return {
    llm: createLanguageModel(manifest.llm, options),
    stt: createSpeechToText(manifest.stt, options),
    tts: createTextToSpeech(manifest.tts, options),
  };
}

/** Every `{secret: NAME}` in the manifest's provider settings. */
function collectSecretRefs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) collectSecretRefs(item, found);
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.secret === 'string' && Object.keys(record).length === 1) found.push(record.secret);
    else for (const item of Object.values(record)) collectSecretRefs(item, found);
  }
  return [...new Set(found)];
}
