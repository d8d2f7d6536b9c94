import { parseArgs } from 'node:util';
import type { AgentManifest } from '../manifest/index.js';
import { cliLanguageModel, cliLogger, connectCliTools, loadManifestFile } from './agent-setup.js';
import type { CommandModule } from './commands.js';
import {
  type ConversationTest,
  invalidNowValues,
  runConversationTest,
  type TestResult,
} from './conversation-runner.js';
import { formatTestResult, jsonReport, summaryLine, terminalPaint } from './test-report.js';

const USAGE = 'test <manifest.yaml> [--servers servers.yaml] [--test <name>] [--json]';

/** Exit codes: all passed, a test failed, the command could not run (usage, manifest, setup). */
const PASSED = 0;
const FAILED = 1;
const UNUSABLE = 2;

/**
 * `vrm test <manifest.yaml>`: runs the manifest's conversation tests (`tests:`) against the real
 * language model the environment configures, with the manifest's MCP tools connected from a local
 * servers file. Each test is a fresh text session; tests run one after another and share the MCP
 * servers (and whatever state those keep).
 */
export const command: CommandModule = {
  summary: "Run the manifest's conversation tests against the language model and MCP tools",
  usage: USAGE,
  async run(args) {
    try {
      return await runTests(args);
    } catch (error) {
      // Not a failing test: the run itself broke, which CI must tell apart from a red test.
      process.stderr.write(`vrm test: ${error instanceof Error ? error.message : String(error)}\n`);
      return UNUSABLE;
    }
  },
};

async function runTests(args: string[]): Promise<number> {
  const err = (lines: string[]) => {
    for (const line of lines) process.stderr.write(`${line}\n`);
  };
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(args);
  } catch (error) {
    err([`vrm test: ${(error as Error).message}`, `Usage: vrm ${USAGE}`]);
    return UNUSABLE;
  }
  const { file, servers, only, json } = parsed;

  const loaded = await loadManifestFile(file);
  if (!loaded.ok) {
    err(loaded.lines);
    return UNUSABLE;
  }
  const { manifest, hash } = loaded.value;
  const selected = selectTests(manifest, only);
  if (!selected.ok) {
    err(selected.lines.map((l) => l.replace('{file}', file)));
    return UNUSABLE;
  }
  const badNow = invalidNowValues(selected.tests);
  if (badNow.length > 0) {
    err(
      badNow.map(
        (name) =>
          `${file}: test "${name}": variables.now must be a date and time, e.g. "2026-03-03T14:05:00"`,
      ),
    );
    return UNUSABLE;
  }

  const log = cliLogger('error');
  const notes: string[] = [];
  const llm = cliLanguageModel(manifest, {
    log,
    onSkipped: (reason) => notes.push(`a fallback model is left out: ${reason}`),
  });
  if (!llm.ok) {
    err(llm.lines);
    return UNUSABLE;
  }
  const tools = await connectCliTools(file, manifest, { serversFile: servers, log });
  if (!tools.ok) {
    err(tools.lines);
    return UNUSABLE;
  }
  const agentTools = tools.value;
  try {
    if (agentTools.unavailable.length > 0) {
      const where =
        agentTools.serversFile ?? `vrm.servers.yaml beside ${file} (none found; or pass --servers)`;
      err([
        ...agentTools.unavailable.map((u) => `MCP server ${u.server}: ${u.reason}`),
        `The tests need the manifest's MCP servers. Define them in ${where}, e.g.`,
        `  ${agentTools.unavailable[0]!.server}: { type: stdio, command: node, args: [./path/to/server.js] }`,
      ]);
      return UNUSABLE;
    }
    const out = process.stdout;
    const paint = terminalPaint(out);
    if (!json) {
      for (const note of notes) process.stderr.write(`note: ${note}\n`);
      const count = `${selected.tests.length} test${selected.tests.length === 1 ? '' : 's'}`;
      const toolInfo = agentTools.toolNames.length > 0 ? `, ${agentTools.toolNames.length} MCP tools` : '';
      out.write(`${manifest.name}: ${count} with ${manifest.llm.model}${toolInfo}\n\n`);
    }

    const interrupt = new AbortController();
    const onSigint = () => interrupt.abort(new Error('Interrupted'));
    process.once('SIGINT', onSigint);
    const results: TestResult[] = [];
    try {
      for (const test of selected.tests) {
        const result = await runConversationTest(manifest, test, {
          llm: llm.value,
          tools: agentTools.tools,
          log,
          agentVersion: hash.slice(0, 12),
          signal: interrupt.signal,
        });
        results.push(result);
        if (!json) out.write(`${formatTestResult(result, paint).join('\n')}\n`);
      }
    } catch (error) {
      if (!interrupt.signal.aborted) throw error;
      err(['', 'Interrupted.']);
      return 130;
    } finally {
      process.off('SIGINT', onSigint);
    }
    if (json) out.write(`${JSON.stringify(jsonReport(file, manifest.name, results), null, 2)}\n`);
    else out.write(`\n${summaryLine(results)}\n`);
    return results.every((r) => r.passed) ? PASSED : FAILED;
  } finally {
    await agentTools.close();
  }
}

function parseCommandLine(args: string[]) {
  const { values, positionals } = parseArgs({
    args,
    options: {
      servers: { type: 'string' },
      test: { type: 'string', multiple: true },
      json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) {
    throw new Error(positionals.length === 0 ? 'which manifest?' : 'one manifest at a time');
  }
  return {
    file: positionals[0]!,
    servers: values.servers,
    only: values.test ?? [],
    json: values.json ?? false,
  };
}

/**
 * The tests to run: all, or those named with `--test` (an exact name, or else every test whose
 * name contains the text, ignoring case).
 */
function selectTests(
  manifest: AgentManifest,
  only: readonly string[],
): { ok: true; tests: ConversationTest[] } | { ok: false; lines: string[] } {
  const all = manifest.tests;
  if (all.length === 0) {
    return {
      ok: false,
      lines: [
        '{file}: the manifest has no conversation tests; add a `tests:` section (see docs/manifest.md).',
      ],
    };
  }
  if (only.length === 0) return { ok: true, tests: all };
  const chosen = new Set<ConversationTest>();
  for (const wanted of only) {
    const exact = all.filter((t) => t.name === wanted);
    const matches =
      exact.length > 0 ? exact : all.filter((t) => t.name.toLowerCase().includes(wanted.toLowerCase()));
    if (matches.length === 0) {
      return {
        ok: false,
        lines: [`{file}: no test named "${wanted}". Tests:`, ...all.map((t) => `  ${t.name}`)],
      };
    }
    for (const t of matches) chosen.add(t);
  }
  return { ok: true, tests: all.filter((t) => chosen.has(t)) };
}
