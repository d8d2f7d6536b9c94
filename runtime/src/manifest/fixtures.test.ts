import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseManifest } from './index.js';

const dir = fileURLToPath(new URL('./fixtures/broken/', import.meta.url));
const fixtures = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe('broken manifests', () => {
  it('has a catalogue that covers every kind of mistake', () => {
    expect(fixtures).toEqual(
      expect.arrayContaining([
        'bad-yaml.yaml',
        'wrong-type.yaml',
        'unknown-key.yaml',
        'missing-required.yaml',
        'bad-fallback.yaml',
        'bad-variable.yaml',
        'undeclared-variable.yaml',
        'duplicate-key.yaml',
        'several-errors.yaml',
      ]),
    );
  });

  it.each(fixtures)('%s reports the expected problems at their line and column', (fixture) => {
    const expected = readFileSync(`${dir}${fixture.replace(/\.yaml$/, '.expected.txt')}`, 'utf8')
      .trimEnd()
      .split('\n');
    const result = parseManifest(readFileSync(`${dir}${fixture}`, 'utf8'), fixture);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((p) => `${p.line}:${p.col} ${p.message}`)).toEqual(expected);
    for (const problem of result.problems) expect(problem.file).toBe(fixture);
  });
});
