import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { manifestJsonSchema } from '../../runtime/src/manifest/index.js';
import { completeManifest } from '../../studio/src/manifest/schema-complete.js';
import { lintManifest } from '../../studio/src/manifest/schema-lint.js';

const schema = manifestJsonSchema() as Record<string, unknown>;
const ROOT = path.resolve(import.meta.dirname, '../..');

const VALID = `apiVersion: vrm/v1
kind: Agent
name: front-desk
greeting: Thanks for calling.
instructions: Be brief.
llm: { provider: openai, model: gpt-4o-mini }
stt:
  provider: deepgram
  model: nova-3
tts: { provider: cartesia, model: sonic-2, voice: abc }
`;

const lineOf = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

describe('the studio checks a manifest against its JSON Schema while typing', () => {
  it('accepts a valid manifest and every shipped example', () => {
    expect(lintManifest(VALID, schema)).toEqual([]);
    for (const name of ['front-desk', 'after-hours', 'payment-collector']) {
      const text = readFileSync(path.join(ROOT, 'examples', name, 'agent.yaml'), 'utf8');
      expect(lintManifest(text, schema).map((d) => d.message)).toEqual([]);
    }
  });

  it('points at an unknown key on its own line with a suggestion', () => {
    const text = VALID.replace('  model: nova-3', '  modle: nova-3');
    const problems = lintManifest(text, schema);
    const unknown = problems.find((p) => p.message.startsWith('unknown key "modle" in stt'));
    expect(unknown?.message).toContain('did you mean "model"?');
    expect(lineOf(text, unknown!.from)).toBe(9);
    expect(text.slice(unknown!.from, unknown!.to)).toBe('modle');
    expect(problems.some((p) => p.message === 'missing required key "model" in stt')).toBe(true);
  });

  it('reports wrong types, wrong constants and YAML syntax errors at their place', () => {
    const wrong = VALID.replace('apiVersion: vrm/v1', 'apiVersion: vrm/v2').replace(
      'provider: openai',
      'provider: 42',
    );
    const messages = lintManifest(wrong, schema).map((p) => `${lineOf(wrong, p.from)} ${p.message}`);
    expect(messages).toContain('1 apiVersion: expected "vrm/v1", got the string "vrm/v2"');
    expect(messages.some((m) => m.startsWith('6 llm.provider: expected'))).toBe(true);
    const broken = `${VALID}tools:\n  - mcp: "crm\n`;
    const syntax = lintManifest(broken, schema);
    expect(syntax[0]?.message).toMatch(/^invalid YAML/);
  });

  it('completes the keys of the mapping at the cursor and the values a key allows', () => {
    const top = completeManifest('apiVersion: vrm/v1\nins', 22, schema);
    expect(top?.options.map((o) => o.label)).toContain('instructions');
    expect(top?.options.map((o) => o.label)).not.toContain('apiVersion');
    const nested = 'llm:\n  provider: openai\n  mo';
    expect(completeManifest(nested, nested.length, schema)?.options.map((o) => o.label)).toContain('model');
    const value = 'llm:\n  provider: ';
    expect(completeManifest(value, value.length, schema)?.options.map((o) => o.label)).toEqual(['openai']);
    const item = 'tools:\n  - ';
    expect(completeManifest(item, item.length, schema)?.options.map((o) => o.label)).toContain('mcp');
  });
});
