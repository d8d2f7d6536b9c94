#!/usr/bin/env node
// `order-status-mcp`: plain JavaScript, so `node bin/order-status-mcp.js` (or `npx`) runs it with no
// build step and no loader. Exiting explicitly ends the process even while stdin is still open.
import { main } from '../src/main.js';

process.exit(await main(process.argv.slice(2)));
