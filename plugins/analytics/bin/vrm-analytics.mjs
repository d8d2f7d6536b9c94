#!/usr/bin/env node
// The `vrm-analytics` MCP server. The source is TypeScript run through tsx's loader, so a fresh clone
// needs no build step: `node plugins/analytics/bin/vrm-analytics.mjs` serves stdio, `--http` Streamable HTTP.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
