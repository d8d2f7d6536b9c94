import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifestFieldReference } from './field-reference.js';
import { DOCS_PATH, END_MARKER, START_MARKER } from './update-docs.js';

const docs = readFileSync(DOCS_PATH, 'utf8');

/** The generated table's rows as trimmed cells; the formatter may pad columns. */
function tableRows(markdown: string): string[][] {
  const block = markdown.slice(markdown.indexOf(START_MARKER), markdown.indexOf(END_MARKER));
  return block
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) =>
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
}

describe('docs/manifest.md', () => {
  const fields = manifestFieldReference();

  it('mentions every field of the schema', () => {
    expect(fields.length).toBeGreaterThan(100);
    const missing = fields.filter((f) => !docs.includes(`\`${f.path}\``)).map((f) => f.path);
    expect(missing).toEqual([]);
  });

  it('has a field reference that matches the schema (types, defaults, descriptions)', () => {
    const escapePipes = (s: string) => s.replaceAll('|', '\\|');
    const expected = fields.map((f) => [
      `\`${f.path}\``,
      escapePipes(f.type),
      escapePipes(f.default),
      escapePipes(f.description),
    ]);
    expect(tableRows(docs)).toEqual(expected);
  });

  it('shows a YAML example for every top-level field', () => {
    const topLevel = fields.filter((f) => !f.path.includes('.') && !f.path.includes('['));
    const examples = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).join('\n');
    const missing = topLevel.filter((f) => !new RegExp(`^${f.path}:`, 'm').test(examples)).map((f) => f.path);
    expect(missing).toEqual([]);
  });
});
