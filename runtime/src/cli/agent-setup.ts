import { readFile } from 'node:fs/promises';
import { loadConfig } from '../kernel/config.js';
import { createLogger, type Logger } from '../kernel/logger.js';
import { type AgentManifest, formatProblem, parseManifest } from '../manifest/index.js';
import { createLanguageModel } from '../providers/factory.js';
import type { LanguageModel } from '../providers/types.js';
import { connectManifestTools, type ManifestTools } from './manifest-tools.js';
import { findServersFile, type LocalMcpServer, loadServersFile } from './mcp-servers-file.js';

/**
 * What `vrm chat` and `vrm test` share: reading the manifest, the language model from the
 * environment, and the manifest's MCP servers from a local servers file. Each step returns either
 * its result or the lines to print, so each command picks its own exit code.
 */
export type Loaded<T> = { ok: true; value: T } | { ok: false; lines: string[] };

/** Reads and validates a manifest; problems come back as `file:line:col message`. */
export async function loadManifestFile(
  file: string,
): Promise<Loaded<{ manifest: AgentManifest; hash: string }>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    return { ok: false, lines: [`${file}: ${reason}`] };
  }
  const parsed = parseManifest(text, file);
  if (!parsed.ok) return { ok: false, lines: parsed.problems.map(formatProblem) };
  return { ok: true, value: { manifest: parsed.manifest, hash: parsed.hash } };
}

/**
 * A logger on stderr, so stdout stays the conversation (or `--json`). Quiet unless
 * VRM_LOG_LEVEL asks for more: the commands report what matters themselves.
 */
export function cliLogger(quietLevel: 'warn' | 'error'): Logger {
  return createLogger(process.env.VRM_LOG_LEVEL ?? quietLevel, process.stderr);
}

/**
 * The manifest's language model with its fallbacks, configured from OPENAI_API_KEY /
 * OPENAI_BASE_URL; `{secret: NAME}` references read the environment variable NAME.
 */
export function cliLanguageModel(
  manifest: AgentManifest,
  options: { log: Logger; onSkipped: (reason: string) => void },
): Loaded<LanguageModel> {
  try {
    const env = loadConfig();
    const llm = createLanguageModel(manifest.llm, {
      env,
      resolveSecret: (name) => process.env[name],
      log: options.log,
      onSkipped: options.onSkipped,
    });
    return { ok: true, value: llm };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      lines: [
        `Cannot reach the language model ${manifest.llm.provider}/${manifest.llm.model}: ${message}`,
        'Set OPENAI_API_KEY (and OPENAI_BASE_URL for any OpenAI-compatible endpoint) and run again.',
      ],
    };
  }
}

export interface CliTools extends ManifestTools {
  /** The servers file used, if any. */
  readonly serversFile: string | undefined;
}

/**
 * Connects the manifest's MCP servers from `--servers <file>`, or `vrm.servers.yaml` beside the
 * manifest. A manifest without MCP tools needs no file. Problems in the file are returned as
 * `file:line:col message`; servers that are missing or fail to start are in `unavailable`.
 */
export async function connectCliTools(
  manifestFile: string,
  manifest: AgentManifest,
  options: { serversFile?: string | undefined; log: Logger },
): Promise<Loaded<CliTools>> {
  const file = await findServersFile(manifestFile, options.serversFile);
  let servers: LocalMcpServer[] = [];
  if (file) {
    const loaded = await loadServersFile(file);
    if (!loaded.ok) return { ok: false, lines: loaded.problems.map(formatProblem) };
    servers = loaded.servers;
  }
  const tools = await connectManifestTools(manifest, servers, { log: options.log });
  return { ok: true, value: { ...tools, serversFile: file } };
}
