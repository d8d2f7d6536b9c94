/**
 * The `vrm` subcommands. Each module is imported only when its command runs, so `vrm validate`
 * does not load the database or the HTTP server. A command returns the process exit code.
 */
export interface CommandModule {
  /** One line for `vrm help`. */
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

export const commands: Record<string, () => Promise<CommandModule>> = {
  start: () => import('./start.js').then((m) => m.command),
  migrate: () => import('./migrate.js').then((m) => m.command),
  validate: () => import('./validate.js').then((m) => m.command),
  schema: () => import('./schema.js').then((m) => m.command),
  chat: () => import('./chat.js').then((m) => m.command),
  test: () => import('./test.js').then((m) => m.command),
  bench: () => import('./bench.js').then((m) => m.command),
};
