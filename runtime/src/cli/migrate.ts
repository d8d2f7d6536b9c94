import { openDatabase } from '../db/client.js';
import { loadConfig } from '../kernel/config.js';
import type { CommandModule } from './commands.js';

export const command: CommandModule = {
  summary: 'Apply pending database migrations (start does this too)',
  usage: 'migrate',
  async run() {
    const config = loadConfig();
    const db = await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.DATABASE_URL ? undefined : config.dataDir,
    });
    await db.close();
    process.stdout.write(`Migrations applied (${db.kind}).\n`);
    return 0;
  },
};
