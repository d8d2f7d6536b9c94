import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const examples = readdirSync(`${root}examples`, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => `examples/${d.name}/agent.yaml`);

async function vrm(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/vrm.mjs', ...args], { cwd: root });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('vrm validate', () => {
  it('exits 0 when every manifest is valid', async () => {
    const result = await vrm('validate', ...examples);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`${examples.length} manifests valid`);
  });

  it('exits 1 and prints file:line:col message for each problem, with a summary', async () => {
    const broken = 'runtime/src/manifest/fixtures/broken/unknown-key.yaml';
    const result = await vrm('validate', examples[0]!, broken);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`${broken}:4:1 unknown key "greting" (did you mean "greeting"?)`);
    expect(lines.at(-1)).toBe('4 problems in 1 of 2 manifests');
  });

  it('exits 1 for a file that does not exist and for no files at all', async () => {
    expect((await vrm('validate', 'examples/nope/agent.yaml')).stderr).toContain(
      'examples/nope/agent.yaml: file not found',
    );
    expect((await vrm('validate')).code).toBe(1);
  });
});

describe('vrm schema', () => {
  it('prints the JSON Schema', async () => {
    const result = await vrm('schema');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      title: 'VRM agent manifest',
      additionalProperties: false,
    });
  });
});
