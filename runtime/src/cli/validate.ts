import { readFile } from 'node:fs/promises';
import { formatProblem, parseManifest } from '../manifest/index.js';
import type { CommandModule } from './commands.js';

/**
 * `vrm validate <files…>`: checks manifests and prints every problem as `file:line:col message`
 * on stderr, so editors and CI logs link straight to the line. Exit 0 only when all are valid.
 */
export const command: CommandModule = {
  summary: 'Check agent manifests and report every problem with its line',
  usage: 'validate <manifest.yaml…>',
  async run(args) {
    const files = args.filter((a) => a !== '--');
    const unknownFlag = files.find((f) => f.startsWith('-'));
    if (unknownFlag || files.length === 0) {
      process.stderr.write(
        `${unknownFlag ? `vrm validate: unknown option ${unknownFlag}\n` : ''}Usage: vrm validate <manifest.yaml…>\n`,
      );
      return 1;
    }
    let problemCount = 0;
    let invalidFiles = 0;
    for (const file of files) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        const reason =
          (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
        process.stderr.write(`${file}: ${reason}\n`);
        invalidFiles++;
        problemCount++;
        continue;
      }
      const result = parseManifest(text, file);
      if (result.ok) {
        process.stdout.write(`${file}: ok (${result.manifest.name})\n`);
        continue;
      }
      invalidFiles++;
      problemCount += result.problems.length;
      for (const problem of result.problems) process.stderr.write(`${formatProblem(problem)}\n`);
    }
    const total = files.length;
    if (invalidFiles === 0) {
      process.stdout.write(`${total} manifest${total === 1 ? '' : 's'} valid\n`);
      return 0;
    }
    process.stderr.write(
      `${problemCount} problem${problemCount === 1 ? '' : 's'} in ${invalidFiles} of ${total} manifest${total === 1 ? '' : 's'}\n`,
    );
    return 1;
  },
};
