import { manifestJsonSchema } from '../manifest/index.js';
import type { CommandModule } from './commands.js';

/** `vrm schema`: the manifest's JSON Schema on stdout, for editor settings and CI tools. */
export const command: CommandModule = {
  summary: 'Print the agent manifest JSON Schema (for editors)',
  usage: 'schema',
  async run(args) {
    if (args.length > 0) {
      process.stderr.write('Usage: vrm schema > agent-manifest.schema.json\n');
      return 1;
    }
    process.stdout.write(`${JSON.stringify(manifestJsonSchema(), null, 2)}\n`);
    return 0;
  },
};
