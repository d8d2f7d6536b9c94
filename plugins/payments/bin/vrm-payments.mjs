#!/usr/bin/env node
// The `vrm-payments` MCP server. The source is TypeScript run through tsx's loader, so a fresh clone
// needs no build step: `node plugins/payments/bin/vrm-payments.mjs` serves stdio, `--http` Streamable HTTP.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
