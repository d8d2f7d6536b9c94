import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, LineCounter, type Node, parseDocument } from 'yaml';
import { z } from 'zod';
import { locate } from '../manifest/locate.js';
import type { ManifestProblem } from '../manifest/problems.js';
import { MCP_SERVER_NAME_PATTERN } from '../manifest/schema/common.js';
import {
  McpStdioTransportSchema,
  McpStreamableHttpTransportSchema,
  type McpTransportConfig,
} from '../mcp/config.js';

/** Names looked for next to the manifest when `--servers` is not given, in this order. */
export const DEFAULT_SERVERS_FILES = ['vrm.servers.yaml', 'vrm.servers.json'] as const;

/**
 * `trusted` is the decision the organization makes when it registers a server: only a trusted
 * server's tool annotations (`readOnlyHint`, `destructiveHint`) are believed. On the builder's own
 * machine the servers are their own, so it defaults to true here; `trusted: false` reproduces an
 * untrusted registration, where every tool call is read back for confirmation.
 */
const trusted = z.boolean().default(true);

/** `type` may be left out when `command` or `url` makes it plain. */
function inferType(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || 'type' in value) return value;
  if ('command' in value) return { type: 'stdio', ...value };
  if ('url' in value) return { type: 'streamable-http', ...value };
  return value;
}

const ServerEntrySchema = z.preprocess(
  inferType,
  z.discriminatedUnion('type', [
    McpStdioTransportSchema.extend({ trusted }),
    McpStreamableHttpTransportSchema.extend({ trusted }),
  ]),
);

/** The servers file: MCP server names (as manifests name them) mapped to `POST /v1/mcp-servers` transports. */
export const ServersFileSchema = z.record(
  z
    .string()
    .regex(MCP_SERVER_NAME_PATTERN, 'an MCP server name is lowercase letters, digits, "-" and single "_"'),
  ServerEntrySchema,
);

/** One server of a servers file, ready for the connection manager. */
export interface LocalMcpServer {
  name: string;
  transport: McpTransportConfig;
  trusted: boolean;
}

export type ServersFileResult =
  | { ok: true; file: string; servers: LocalMcpServer[] }
  | { ok: false; problems: ManifestProblem[] };

/**
 * The servers file to use for a manifest: `explicit` when given (it must exist), else the first
 * of {@link DEFAULT_SERVERS_FILES} beside the manifest, else none.
 */
export async function findServersFile(manifestFile: string, explicit?: string): Promise<string | undefined> {
  if (explicit) return explicit;
  for (const name of DEFAULT_SERVERS_FILES) {
    const candidate = path.join(path.dirname(manifestFile), name);
    try {
      await access(candidate);
      return candidate;
    } catch {
      // not there: try the next name
    }
  }
  return undefined;
}

/**
 * Reads a servers file (YAML, or JSON, which YAML also reads) and reports every problem at its
 * line, like a manifest. `${NAME}` in `env` and `headers` values is replaced by the environment
 * variable NAME, so the file can be committed without secrets. A `command` or argument starting
 * with `./` or `../` is resolved against the file's folder, so the file works from any directory.
 */
export async function loadServersFile(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServersFileResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    return { ok: false, problems: [problem(file, 1, 1, [], 'file_unreadable', reason)] };
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors.map((e) => {
    const at = lineCounter.linePos(e.pos[0]);
    return problem(file, at.line, at.col, [], 'yaml_syntax', e.message.split('\n')[0] ?? e.message);
  });
  if (syntax.length > 0) return { ok: false, problems: syntax };
  const nodeAt = (keyPath: readonly PropertyKey[]) => {
    const found = locate(doc, keyPath);
    const node = (found.key ?? found.value ?? found.parentKey ?? found.parent ?? doc.contents) as Node | null;
    const offset = node?.range?.[0] ?? 0;
    return lineCounter.linePos(offset);
  };
  const data = doc.toJS() ?? {};
  if (doc.contents !== null && !isMap(doc.contents)) {
    return {
      ok: false,
      problems: [
        problem(file, 1, 1, [], 'invalid_type', 'expected a mapping of MCP server names to transports'),
      ],
    };
  }
  const parsed = ServersFileSchema.safeParse(data);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => {
        // An unknown key is reported at the key itself, not at the mapping holding it.
        const keyPath =
          issue.code === 'unrecognized_keys' && issue.keys[0] ? [...issue.path, issue.keys[0]] : issue.path;
        const at = nodeAt(keyPath);
        const where = issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
        return problem(
          file,
          at.line,
          at.col,
          keyPath.map(String),
          issue.code,
          `${where}${issueMessage(issue)}`,
        );
      }),
    };
  }
  const problems: ManifestProblem[] = [];
  const dir = path.dirname(path.resolve(file));
  const servers = Object.entries(parsed.data).map(([name, entry]): LocalMcpServer => {
    const expand = (values: Record<string, string> | undefined, key: 'env' | 'headers') =>
      values &&
      Object.fromEntries(
        Object.entries(values).map(([k, v]) => [
          k,
          v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => {
            const value = env[variable];
            if (value === undefined) {
              const at = nodeAt([name, key, k]);
              problems.push(
                problem(
                  file,
                  at.line,
                  at.col,
                  [name, key, k],
                  'missing_env',
                  `${name}.${key}.${k}: the environment variable ${variable} is not set`,
                ),
              );
            }
            return value ?? '';
          }),
        ]),
      );
    const { trusted: isTrusted, ...transport } = entry;
    if (transport.type === 'stdio') {
      const local = (arg: string) => (/^\.\.?\//.test(arg) ? path.resolve(dir, arg) : arg);
      const resolved = {
        ...transport,
        command: local(transport.command),
        ...(transport.args ? { args: transport.args.map(local) } : {}),
        ...(transport.env ? { env: expand(transport.env, 'env') } : {}),
      };
      return { name, trusted: isTrusted, transport: resolved as McpTransportConfig };
    }
    const resolved = {
      ...transport,
      ...(transport.headers ? { headers: expand(transport.headers, 'headers') } : {}),
    };
    return { name, trusted: isTrusted, transport: resolved as McpTransportConfig };
  });
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, file, servers };
}

/** zod's wording, made specific where it is vague about YAML (a missing key, a bad server name). */
function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return `missing key "${String(issue.path.at(-1))}"`;
  }
  if (issue.code === 'invalid_key') return issue.issues[0]?.message ?? issue.message;
  return issue.message;
}

function problem(
  file: string,
  line: number,
  col: number,
  keyPath: string[],
  code: string,
  message: string,
): ManifestProblem {
  return { file, line, col, path: keyPath, code, message };
}
