#!/usr/bin/env node
// The `vrm` command. The runtime is TypeScript run through tsx's loader, so a fresh clone needs
// no build step for the server or the CLI (only the studio is bundled, by `npm run build`).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../runtime/src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
