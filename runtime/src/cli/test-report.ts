import type { TestResult } from './conversation-runner.js';

/** Colours only for a terminal that wants them (https://no-color.org). */
export function terminalPaint(
  stream: NodeJS.WriteStream,
): (code: 'green' | 'red' | 'dim', text: string) => string {
  const on = stream.isTTY === true && !process.env.NO_COLOR;
  const codes = { green: 32, red: 31, dim: 2 } as const;
  return (code, text) => (on ? `\u001b[${codes[code]}m${text}\u001b[0m` : text);
}

type Paint = ReturnType<typeof terminalPaint>;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const quote = (text: string, max = 160) => {
  const flat = text.replace(/\s+/g, ' ').trim();
  return JSON.stringify(flat.length > max ? `${flat.slice(0, max - 3)}...` : flat);
};

/**
 * One test as terminal lines: ✓ or ✗ with its name, and for a failure the turn, what the caller
 * said, each expectation that did not hold (expected and actual) and what the agent answered.
 */
export function formatTestResult(result: TestResult, paint: Paint): string[] {
  const time = paint('dim', `(${seconds(result.durationMs)})`);
  if (result.passed) return [`${paint('green', '✓')} ${result.name} ${time}`];
  const lines = [`${paint('red', '✗')} ${result.name} ${time}`];
  const failed = result.turns.find((t) => t.failures.length > 0);
  if (!failed) return lines;
  lines.push(`    turn ${failed.turn} of ${result.totalTurns}, caller: ${quote(failed.caller)}`);
  for (const f of failed.failures) {
    lines.push(`      ${paint('red', '✗')} ${f.expectation}`);
    lines.push(`          expected: ${f.expected}`);
    lines.push(`          actual:   ${f.actual}`);
  }
  if (failed.failures.every((f) => !f.expectation.startsWith('reply') && f.expectation !== 'conversation')) {
    lines.push(`      agent said: ${failed.reply ? quote(failed.reply) : '(nothing)'}`);
  }
  const notRun = result.totalTurns - failed.turn;
  if (notRun > 0) lines.push(paint('dim', `    (${notRun} later turn${notRun === 1 ? '' : 's'} not run)`));
  return lines;
}

/** `N passed, N failed`: the last line of every run. */
export function summaryLine(results: readonly TestResult[]): string {
  const passed = results.filter((r) => r.passed).length;
  return `${passed} passed, ${results.length - passed} failed`;
}

/** The whole run for `--json`: every test with its turns, replies, calls and failures. */
export function jsonReport(manifestFile: string, agent: string, results: readonly TestResult[]) {
  const passed = results.filter((r) => r.passed).length;
  return { manifest: manifestFile, agent, passed, failed: results.length - passed, tests: results };
}
