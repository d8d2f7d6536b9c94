import { startServer } from '../server.js';
import type { CommandModule } from './commands.js';

export const command: CommandModule = {
  summary: 'Run VRM: API, telephony endpoints and studio on one port',
  usage: 'start',
  async run() {
    const running = await startServer();
    await new Promise<void>((resolve) => {
      const shutdown = (signal: string) => {
        running.services.log.info({ signal }, 'signal received');
        void running.stop().then(resolve, (error) => {
          running.services.log.error({ err: error }, 'shutdown failed');
          resolve();
        });
      };
      process.once('SIGTERM', () => shutdown('SIGTERM'));
      process.once('SIGINT', () => shutdown('SIGINT'));
    });
    return 0;
  },
};
