import { commands } from './commands.js';

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    await printHelp();
    return name ? 0 : 1;
  }
  const load = commands[name];
  if (!load) {
    process.stderr.write(`vrm: unknown command "${name}". Run "vrm help" for the list.\n`);
    return 1;
  }
  const command = await load();
  try {
    return await command.run(rest);
  } catch (error) {
    process.stderr.write(`vrm ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

async function printHelp(): Promise<void> {
  const lines = ['Usage: vrm <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(commands)) {
    const command = await load();
    lines.push(`  ${command.usage.padEnd(36)} ${command.summary}`);
    void name;
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}
