import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { loadConfig } from '../kernel/config.js';
import { createLogger } from '../kernel/logger.js';
import { formatProblem, parseManifest } from '../manifest/index.js';
import { createLanguageModel } from '../providers/factory.js';
import { voiceConfigFromManifest } from '../voice/from-manifest.js';
import { createTextSession } from '../voice/index.js';
import type { CommandModule } from './commands.js';

/**
 * `vrm chat <manifest.yaml>`: a text conversation with an agent in the terminal, through the same
 * conversation logic as a phone call (tools, confirmations, end-call). The language model comes
 * from OPENAI_API_KEY / OPENAI_BASE_URL. MCP servers are not connected here: the CLI has no
 * organization to look their registrations up in, so it says which tools are unavailable.
 */
export const command: CommandModule = {
  summary: 'Talk to an agent in the terminal (text instead of voice)',
  usage: 'chat <manifest.yaml>',
  async run(args) {
    const file = args.find((a) => !a.startsWith('-'));
    if (!file) {
      process.stderr.write('Usage: vrm chat <manifest.yaml>\n');
      return 1;
    }
    const parsed = parseManifest(await readFile(file, 'utf8'), file);
    if (!parsed.ok) {
      for (const problem of parsed.problems) process.stderr.write(`${formatProblem(problem)}\n`);
      return 1;
    }
    const manifest = parsed.manifest;
    const env = loadConfig();
    const log = createLogger(env.VRM_LOG_LEVEL === 'info' ? 'warn' : env.VRM_LOG_LEVEL);
    const llm = createLanguageModel(manifest.llm, {
      env,
      resolveSecret: (name) => process.env[name],
      log,
      onSkipped: (reason) => process.stdout.write(`Note: a fallback model is left out. ${reason}\n`),
    });
    const servers = manifest.tools.flatMap((t) => ('mcp' in t ? [t.mcp] : []));
    const out = process.stdout;
    if (servers.length > 0) {
      out.write(
        `Note: tools of the MCP server${servers.length > 1 ? 's' : ''} ${servers.join(', ')} are unavailable in ` +
          '`vrm chat`; the agent answers without them. Run the agent on the server to use them.\n',
      );
    }
    const session = createTextSession({
      config: voiceConfigFromManifest(manifest, {
        agentId: manifest.name,
        agentVersion: parsed.hash.slice(0, 12),
        call: { callId: `cli-${Date.now()}` },
      }),
      llm,
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
  },
};

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}
