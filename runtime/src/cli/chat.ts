import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import type { Logger } from '../kernel/logger.js';
import type { AgentManifest } from '../manifest/index.js';
import type { LanguageModel } from '../providers/types.js';
import { voiceConfigFromManifest } from '../voice/from-manifest.js';
import { createTextSession } from '../voice/index.js';
import type { ToolExecutor } from '../voice/tools.js';
import { cliLanguageModel, cliLogger, connectCliTools, loadManifestFile } from './agent-setup.js';
import type { CommandModule } from './commands.js';

const USAGE = 'chat <manifest.yaml> [--servers servers.yaml]';

/**
 * `vrm chat <manifest.yaml>`: a text conversation with an agent in the terminal, through the same
 * conversation logic as a phone call (tools, confirmations, end-call). The language model comes
 * from OPENAI_API_KEY / OPENAI_BASE_URL. The manifest's MCP servers are connected from a local
 * servers file (`--servers`, or `vrm.servers.yaml` beside the manifest), as `vrm test` does;
 * servers it does not define are named and left out.
 */
export const command: CommandModule = {
  summary: 'Talk to an agent in the terminal (text instead of voice)',
  usage: USAGE,
  async run(args) {
    let file: string | undefined;
    let serversFile: string | undefined;
    try {
      const { values, positionals } = parseArgs({
        args,
        options: { servers: { type: 'string' } },
        allowPositionals: true,
        strict: true,
      });
      file = positionals.length === 1 ? positionals[0] : undefined;
      serversFile = values.servers;
    } catch (error) {
      process.stderr.write(`vrm chat: ${(error as Error).message}\n`);
    }
    if (!file) {
      process.stderr.write(`Usage: vrm ${USAGE}\n`);
      return 1;
    }
    const loaded = await loadManifestFile(file);
    if (!loaded.ok) {
      for (const line of loaded.lines) process.stderr.write(`${line}\n`);
      return 1;
    }
    const { manifest, hash } = loaded.value;
    const log = cliLogger('warn');
    const out = process.stdout;
    const llm = cliLanguageModel(manifest, {
      log,
      onSkipped: (reason) => out.write(`Note: a fallback model is left out. ${reason}\n`),
    });
    if (!llm.ok) {
      for (const line of llm.lines) process.stderr.write(`${line}\n`);
      return 1;
    }
    const tools = await connectCliTools(file, manifest, { serversFile, log });
    if (!tools.ok) {
      for (const line of tools.lines) process.stderr.write(`${line}\n`);
      return 1;
    }
    const agentTools = tools.value;
    try {
      for (const { server, reason } of agentTools.unavailable) {
        out.write(
          `Note: the tools of the MCP server ${server} are unavailable (${reason}); the agent answers without them.\n`,
        );
      }
      if (agentTools.unavailable.length > 0 && !agentTools.serversFile) {
        out.write('Define the servers in vrm.servers.yaml beside the manifest, or pass --servers <file>.\n');
      }
      if (agentTools.toolNames.length > 0) out.write(`Tools: ${agentTools.toolNames.join(', ')}\n`);
      return await converse(manifest, hash, llm.value, agentTools.tools, log);
    } finally {
      await agentTools.close();
    }
  },
};

async function converse(
  manifest: AgentManifest,
  hash: string,
  llm: LanguageModel,
  tools: ToolExecutor,
  log: Logger,
): Promise<number> {
  const out = process.stdout;
  const session = createTextSession({
    config: voiceConfigFromManifest(manifest, {
      agentId: manifest.name,
      agentVersion: hash.slice(0, 12),
      call: { callId: `cli-${Date.now()}` },
    }),
    llm,
    tools,
    log,
  });
  out.write(`Chatting with ${manifest.name}. Type /quit to leave, /keys 123# to press phone keys.\n\n`);
  if (session.greeting) out.write(`agent> ${session.greeting}\n`);

  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: process.stdin.isTTY,
  });
  const interrupt = new AbortController();
  let replying: AbortController | undefined;
  rl.on('SIGINT', () => {
    if (replying) replying.abort();
    else {
      interrupt.abort();
      rl.close();
    }
  });
  try {
    for (;;) {
      let line: string;
      try {
        line = (await rl.question('you> ', { signal: interrupt.signal })).trim();
      } catch {
        break; // Ctrl-C or end of input
      }
      if (line === '') continue;
      if (line === '/quit' || line === '/exit') break;
      const keypad = line.startsWith('/keys ');
      replying = new AbortController();
      out.write('agent> ');
      try {
        for await (const e of session.send(keypad ? line.slice(6).trim() : line, {
          signal: replying.signal,
          keypad,
        })) {
          if (e.type === 'text') out.write(e.text);
          else if (e.type === 'tool-call') out.write(`\n  [tool ${e.name}(${e.arguments})]\n  `);
          else if (e.type === 'tool-result')
            out.write(`[${e.ok ? 'ok' : 'failed'}: ${preview(e.content)}]\n  `);
          else if (e.type === 'end') {
            out.write(
              e.reason === 'transfer'
                ? `\n[the agent transferred the call to ${e.transferTo}]`
                : '\n[the agent hung up]',
            );
          }
        }
      } finally {
        replying = undefined;
      }
      out.write('\n');
      if (session.ended) break;
    }
  } finally {
    rl.close();
  }
  return 0;
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
