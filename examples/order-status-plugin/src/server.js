/**
 * Builds the MCP server. One `McpServer` per connection (stdio) or per request (HTTP), all over
 * one shared store.
 */
import { readFileSync } from 'node:fs';
import { McpServer } from '@modelcontextprotocol/server';
import { registerOrderTools } from './tools.js';

/** @type {{ version: string }} */
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** The version announced in `initialize`; the same as package.json and server.json. */
export const VERSION = pkg.version;

/**
 * @typedef {object} OrderStatusServerOptions
 * @property {import('./store.js').OrderStore} store
 * @property {import('./tools.js').ToolSettings} settings
 * @property {import('./tools.js').Log} [log]
 */

/**
 * A fresh MCP server with the order tools.
 * @param {OrderStatusServerOptions} options
 * @returns {McpServer}
 */
export function createOrderStatusServer({ store, settings, log = () => {} }) {
  const server = new McpServer(
    { name: 'order-status', title: 'Order status', version: VERSION },
    {
      instructions:
        'Order status for the shop: look orders up by number or by the phone number they were placed with, and open returns for delivered orders.',
    },
  );
  registerOrderTools(server, store, settings, log);
  return server;
}
