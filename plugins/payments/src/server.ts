import { McpServer } from '@modelcontextprotocol/server';
import { registerTools, type UnexpectedErrorReporter } from '@vrm/plugin-kit';
import { type PaymentsContext, paymentsTools } from './tools.js';

export const PAYMENTS_SERVER_INFO = { name: 'vrm-payments', version: '0.1.0' } as const;

const defaultReporter: UnexpectedErrorReporter = (tool, error) => {
  process.stderr.write(
    `vrm-payments: ${tool} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
};

/** Builds the payments MCP server over a backend and idempotency store (cheap; one per HTTP request). */
export function createPaymentsServer(
  context: PaymentsContext,
  onUnexpected: UnexpectedErrorReporter = defaultReporter,
): McpServer {
  const server = new McpServer(PAYMENTS_SERVER_INFO, {
    capabilities: { tools: {} },
    instructions:
      'Billing for the business. Amounts are integer minor units with a currency (1999 usd = $19.99). Every write takes an idempotencyKey: make a new one per operation and reuse it only to retry.',
  });
  registerTools(server, paymentsTools(context), onUnexpected);
  return server;
}
