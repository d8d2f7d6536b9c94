import type { z } from 'zod';
import type { TurnExpectationSchema } from '../manifest/schema/conversation-tests.js';

export type TurnExpectation = z.infer<typeof TurnExpectationSchema>;

/** A tool call the model made during a turn. */
export interface ObservedCall {
  readonly tool: string;
  /** The arguments as JSON (the raw text when the model sent something that is not JSON). */
  readonly arguments: unknown;
  /**
   * Whether the call took effect: an MCP tool ran on its server, a built-in was made. A call held
   * for the caller's confirmation runs (and counts) in the turn where the caller says yes.
   */
  readonly ran: boolean;
  /** Why it did not run (the runtime's answer to the model). */
  readonly note?: string;
}

/** What the agent did in answer to one caller turn. */
export interface ObservedTurn {
  /** Everything the agent said, fixed phrases (read-backs, fillers, goodbyes) included. */
  readonly reply: string;
  readonly calls: readonly ObservedCall[];
}

/** One expectation that did not hold, phrased for a terminal. */
export interface ExpectationFailure {
  /** Which expectation: `reply.contains`, `reply.notContains`, `reply.regex`, `toolCalls[1]`, `notCalled`. */
  readonly expectation: string;
  readonly expected: string;
  readonly actual: string;
}

const phrases = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

/** Checks every expectation of a turn; an empty list means the turn passed. */
export function checkTurn(expect: TurnExpectation | undefined, observed: ObservedTurn): ExpectationFailure[] {
  if (!expect) return [];
  const failures: ExpectationFailure[] = [];
  failures.push(...checkToolCalls(expect.toolCalls ?? [], observed.calls));
  for (const tool of expect.notCalled ?? []) {
    const made = observed.calls.filter((c) => c.ran && c.tool === tool);
    if (made.length > 0) {
      failures.push({
        expectation: 'notCalled',
        expected: `no call to ${tool}`,
        actual: `called ${made.map(describeCall).join(', ')}`,
      });
    }
  }
  const reply = observed.reply.replace(/\s+/g, ' ').trim();
  const quotedReply = reply === '' ? '(the agent said nothing)' : JSON.stringify(reply);
  const lower = reply.toLowerCase();
  for (const phrase of phrases(expect.reply?.contains)) {
    if (!lower.includes(phrase.toLowerCase())) {
      failures.push({
        expectation: 'reply.contains',
        expected: `a reply containing ${JSON.stringify(phrase)}`,
        actual: quotedReply,
      });
    }
  }
  for (const phrase of phrases(expect.reply?.notContains)) {
    if (lower.includes(phrase.toLowerCase())) {
      failures.push({
        expectation: 'reply.notContains',
        expected: `a reply without ${JSON.stringify(phrase)}`,
        actual: quotedReply,
      });
    }
  }
  if (expect.reply?.regex !== undefined && !new RegExp(expect.reply.regex, 'i').test(reply)) {
    failures.push({
      expectation: 'reply.regex',
      expected: `a reply matching /${expect.reply.regex}/i`,
      actual: quotedReply,
    });
  }
  return failures;
}

/**
 * Expected calls must appear in order among the calls that ran, others allowed in between. The
 * earliest match is taken for each, which finds an ordering whenever one exists.
 */
function checkToolCalls(
  expected: NonNullable<TurnExpectation['toolCalls']>,
  calls: readonly ObservedCall[],
): ExpectationFailure[] {
  const failures: ExpectationFailure[] = [];
  let from = 0;
  expected.forEach((want, k) => {
    const index = calls.findIndex(
      (c, i) =>
        i >= from &&
        c.ran &&
        c.tool === want.tool &&
        (want.arguments === undefined || subsetMismatch(want.arguments, c.arguments) === undefined),
    );
    if (index >= 0) {
      from = index + 1;
      return;
    }
    const args =
      want.arguments === undefined ? '' : ` with arguments including ${JSON.stringify(want.arguments)}`;
    const after = k > 0 && from > 0 ? ` after ${calls[from - 1]!.tool}` : '';
    failures.push({
      expectation: `toolCalls[${k}]`,
      expected: `a call to ${want.tool}${args}${after}`,
      actual: describeCalls(calls, want.tool, want.arguments),
    });
  });
  return failures;
}

/** The turn's calls, with the nearest miss for the expected tool explained first. */
function describeCalls(
  calls: readonly ObservedCall[],
  tool: string,
  args: Record<string, unknown> | undefined,
): string {
  if (calls.length === 0) return 'no tool calls';
  const sameTool = calls.filter((c) => c.tool === tool);
  const hints = sameTool.map((c) => {
    if (!c.ran) return `${tool} was not run: ${c.note ?? 'the runtime refused it'}`;
    const mismatch = args === undefined ? undefined : subsetMismatch(args, c.arguments);
    return mismatch === undefined
      ? `${tool} was called, but not after the previous expected call`
      : `${tool} was called, but ${mismatch}`;
  });
  return [...hints, `calls: ${calls.map(describeCall).join(', ')}`].join('; ');
}

function describeCall(call: ObservedCall): string {
  const args = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments);
  return `${call.tool}(${args})${call.ran ? '' : ' [not run]'}`;
}

/**
 * Why `actual` does not contain `expected`, or undefined when it does. Objects match as subsets
 * at every depth; arrays match element by element with the same length; other values are equal.
 */
export function subsetMismatch(expected: unknown, actual: unknown, path = 'arguments'): string | undefined {
  if (isRecord(expected)) {
    if (!isRecord(actual)) return `${path} is ${show(actual)}, not an object`;
    for (const [key, value] of Object.entries(expected)) {
      const child = `${path}.${key}`;
      if (!(key in actual)) return `${child} is missing (expected ${show(value)})`;
      const mismatch = subsetMismatch(value, actual[key], child);
      if (mismatch !== undefined) return mismatch;
    }
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path} is ${show(actual)}, not a list`;
    if (actual.length !== expected.length) {
      return `${path} has ${actual.length} items, expected ${expected.length}: ${show(actual)}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const mismatch = subsetMismatch(expected[i], actual[i], `${path}[${i}]`);
      if (mismatch !== undefined) return mismatch;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${path} is ${show(actual)}, expected ${show(expected)}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));
