import type { Logger } from '../kernel/logger.js';
import type { AgentManifest, CallContext, VariableValue } from '../manifest/index.js';
import type { LanguageModel } from '../providers/types.js';
import { voiceConfigFromManifest } from '../voice/from-manifest.js';
import { createTextSession } from '../voice/text-session.js';
import { parseToolArguments, type ToolExecutor } from '../voice/tools.js';
import type { TraceEvent } from '../voice/trace.js';
import { checkTurn, type ExpectationFailure, type ObservedCall } from './conversation-expectations.js';

export type ConversationTest = AgentManifest['tests'][number];

export interface TurnResult {
  /** 1-based, as printed. */
  readonly turn: number;
  readonly caller: string;
  readonly reply: string;
  readonly calls: readonly ObservedCall[];
  readonly failures: readonly ExpectationFailure[];
}

export interface TestResult {
  readonly name: string;
  readonly passed: boolean;
  readonly durationMs: number;
  /** The turns that were sent; a test stops at its first failing turn. */
  readonly turns: readonly TurnResult[];
  readonly totalTurns: number;
}

export interface ConversationTestDeps {
  readonly llm: LanguageModel;
  readonly tools: ToolExecutor;
  readonly log: Logger;
  /** Shown in traces as the agent version. */
  readonly agentVersion?: string;
  /** Aborts the test (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/**
 * Runs one conversation test: a fresh text session with the test's variables, one caller turn at
 * a time, each turn's expectations checked against what the agent said and which tools took
 * effect. A failing turn ends the test: later turns were written for a conversation that went as
 * scripted, so their results would only be noise.
 */
export async function runConversationTest(
  manifest: AgentManifest,
  test: ConversationTest,
  deps: ConversationTestDeps,
): Promise<TestResult> {
  const started = performance.now();
  const recorder = recordingExecutor(deps.tools);
  const errors: TraceEvent[] = [];
  const { manifest: forTest, call } = withTestVariables(manifest, test);
  const session = createTextSession({
    config: voiceConfigFromManifest(forTest, {
      agentId: manifest.name,
      agentVersion: deps.agentVersion ?? 'local',
      call,
    }),
    llm: deps.llm,
    tools: recorder.executor,
    trace: { emit: (e) => (e.type === 'error' ? errors.push(e) : undefined) },
    log: deps.log,
    ...(deps.signal ? { signal: deps.signal } : {}),
  });
  const turns: TurnResult[] = [];
  for (const [i, turn] of test.turns.entries()) {
    if (session.ended) {
      const how =
        session.ended.reason === 'transfer'
          ? `transferred the call to ${session.ended.transferTo}`
          : 'hung up';
      turns.push({
        turn: i + 1,
        caller: turn.caller,
        reply: '',
        calls: [],
        failures: [
          {
            expectation: 'conversation',
            expected: 'the call still open for this turn',
            actual: `the agent ${how} after turn ${i}`,
          },
        ],
      });
      break;
    }
    const result = await runTurn(session, turn.caller, recorder, deps.signal);
    const turnErrors = errors.splice(0).map((e) => String(e.data.message ?? e.data.code ?? 'unknown error'));
    const failures = [
      ...turnErrors.map((message) => ({
        expectation: 'agent',
        expected: 'a reply from the language model',
        actual: `the language model failed: ${message}`,
      })),
      ...checkTurn(turn.expect, result),
    ];
    turns.push({ turn: i + 1, caller: turn.caller, ...result, failures });
    if (failures.length > 0) break;
  }
  return {
    name: test.name,
    passed: turns.length === test.turns.length && turns.every((t) => t.failures.length === 0),
    durationMs: Math.round(performance.now() - started),
    turns,
    totalTurns: test.turns.length,
  };
}

async function runTurn(
  session: ReturnType<typeof createTextSession>,
  text: string,
  recorder: ReturnType<typeof recordingExecutor>,
  signal: AbortSignal | undefined,
): Promise<{ reply: string; calls: ObservedCall[] }> {
  let reply = '';
  const requested: { tool: string; raw: string; note?: string }[] = [];
  const executedBefore = recorder.executions.length;
  for await (const e of session.send(text, signal ? { signal } : {})) {
    if (e.type === 'text') reply += e.text;
    else if (e.type === 'tool-call') requested.push({ tool: e.name, raw: e.arguments });
    else if (e.type === 'tool-result' && !e.ok) {
      // A result belongs to the earliest call of that tool still waiting for one.
      const call = requested.find((c) => c.tool === e.name && c.note === undefined);
      if (call) call.note = e.content;
    }
  }
  signal?.throwIfAborted();
  // An MCP call took effect when it reached its server; held or refused calls never do.
  const executed = recorder.executions
    .slice(executedBefore)
    .map((x) => `${x.name}\u0000${JSON.stringify(x.args)}`);
  const calls = requested.map(({ tool, raw, note }): ObservedCall => {
    const parsed = parseToolArguments(raw);
    const args = parsed.ok ? parsed.args : raw;
    if (!recorder.names.has(tool)) return { tool, arguments: args, ran: true };
    const at = executed.indexOf(`${tool}\u0000${JSON.stringify(args)}`);
    if (at >= 0) executed.splice(at, 1);
    return at >= 0
      ? { tool, arguments: args, ran: true }
      : { tool, arguments: args, ran: false, ...(note ? { note } : {}) };
  });
  return { reply: reply.trim(), calls };
}

/** Wraps the agent's tools to record which of them really ran, with the arguments they got. */
function recordingExecutor(inner: ToolExecutor) {
  const executions: { name: string; args: Record<string, unknown> }[] = [];
  const names = new Set<string>();
  const executor: ToolExecutor = {
    async list() {
      const tools = await inner.list();
      for (const t of tools) names.add(t.name);
      return tools;
    },
    execute(name, args, options) {
      executions.push({ name, args });
      return inner.execute(name, args, options);
    },
  };
  return { executor, executions, names };
}

/**
 * The call facts for a test's `variables`: built-ins become the call's numbers and id (`now` is
 * read as a date), declared variables become overrides. `agent.name` renames the agent for the
 * templates only.
 */
export function withTestVariables(
  manifest: AgentManifest,
  test: ConversationTest,
): { manifest: AgentManifest; call: CallContext } {
  const values: Record<string, VariableValue> = { ...test.variables };
  const text = (name: string) => (values[name] === undefined ? undefined : String(values[name]));
  const now = text('now');
  const call: CallContext = {
    callId: text('call.id') ?? `test-${slug(test.name)}`,
    callerNumber: text('caller.number'),
    calledNumber: text('called.number'),
    ...(now ? { now: new Date(now) } : {}),
    overrides: values,
  };
  const agentName = text('agent.name');
  return { manifest: agentName ? { ...manifest, name: agentName } : manifest, call };
}

/** Test `variables.now` values that are not a date and time, by test name. */
export function invalidNowValues(tests: readonly ConversationTest[]): string[] {
  return tests
    .filter(
      (t) => t.variables?.now !== undefined && Number.isNaN(new Date(String(t.variables.now)).getTime()),
    )
    .map((t) => t.name);
}

const slug = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 40) || 'test';
