import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { manifestJsonSchema } from './index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const brokenDir = fileURLToPath(new URL('./fixtures/broken/', import.meta.url));

const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, validateFormats: false });
const validate = ajv.compile(manifestJsonSchema());

/**
 * Broken fixtures whose mistakes only `parseManifest` can see: YAML that does not parse, repeated
 * keys (gone once parsed) and checks that relate fields to each other (declared variables, tool
 * names in tests, allow versus deny).
 */
const beyondJsonSchema = new Set([
  'bad-yaml.yaml',
  'bad-yaml-flow.yaml',
  'duplicate-key.yaml',
  'undeclared-variable.yaml',
  'empty.yaml',
]);

type SchemaNode = Record<string, unknown>;

/** Visits every subschema with a readable path, following only schema-valued keywords. */
function eachSchema(
  node: unknown,
  visit: (node: SchemaNode, path: string, isProperty: boolean) => void,
  path = '',
  isProperty = false,
): void {
  if (typeof node !== 'object' || node === null) return;
  const n = node as SchemaNode;
  visit(n, path, isProperty);
  for (const [name, child] of Object.entries((n.properties as Record<string, unknown>) ?? {})) {
    eachSchema(child, visit, path ? `${path}.${name}` : name, true);
  }
  if (typeof n.additionalProperties === 'object') eachSchema(n.additionalProperties, visit, `${path}.<key>`);
  eachSchema(n.items, visit, `${path}[]`);
  for (const keyword of ['anyOf', 'oneOf', 'allOf']) {
    for (const branch of (n[keyword] as unknown[]) ?? []) eachSchema(branch, visit, path);
  }
  for (const [name, def] of Object.entries((n.$defs as Record<string, unknown>) ?? {}))
    eachSchema(def, visit, `$defs.${name}`);
}

describe('manifestJsonSchema', () => {
  it('accepts every example manifest', () => {
    const examples = readdirSync(`${root}examples`, { withFileTypes: true }).filter((d) => d.isDirectory());
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const example of examples) {
      const data = parse(readFileSync(`${root}examples/${example.name}/agent.yaml`, 'utf8'));
      expect({ example: example.name, valid: validate(data), errors: validate.errors ?? null }).toEqual({
        example: example.name,
        valid: true,
        errors: null,
      });
    }
  });

  it.each(readdirSync(brokenDir).filter((f) => f.endsWith('.yaml') && !beyondJsonSchema.has(f)))(
    'rejects the broken manifest %s',
    (fixture) => {
      expect(validate(parse(readFileSync(`${brokenDir}${fixture}`, 'utf8')))).toBe(false);
    },
  );

  it('rejects unknown keys at every level', () => {
    const schema = manifestJsonSchema();
    const open: string[] = [];
    eachSchema(schema, (node, path) => {
      // The structured-data JSON Schema is its own vocabulary, deliberately open.
      if (
        node.properties &&
        node.additionalProperties !== false &&
        path !== 'analysis.structuredData.schema'
      ) {
        open.push(path);
      }
    });
    expect(open).toEqual([]);
    const minimal = {
      apiVersion: 'vrm/v1',
      kind: 'Agent',
      name: 'a',
      instructions: 'x',
      llm: { provider: 'openai', model: 'm' },
      stt: { provider: 'deepgram', model: 'm' },
      tts: { provider: 'cartesia', model: 'm', voice: 'v' },
    };
    expect(validate(minimal)).toBe(true);
    expect(validate({ ...minimal, llm: { ...minimal.llm, tempreature: 1 } })).toBe(false);
    expect(validate({ ...minimal, tools: [{ builtin: 'end_call', goodby: 'x' }] })).toBe(false);
  });

  it('keeps descriptions and defaults for editors', () => {
    const schema = manifestJsonSchema() as { properties: Record<string, Record<string, unknown>> };
    const turnTaking = schema.properties.turnTaking as {
      properties: Record<string, { default?: unknown; description?: string }>;
    };
    expect(turnTaking.properties.endpointingMs).toMatchObject({
      default: 500,
      description: expect.stringMatching(/pause/),
    });
    expect(schema.properties.instructions?.description).toMatch(/system prompt/);
    const undocumented: string[] = [];
    eachSchema(schema, (node, path, isProperty) => {
      if (isProperty && !node.description && !path.startsWith('analysis.structuredData.schema.'))
        undocumented.push(path);
    });
    expect(undocumented).toEqual([]);
  });

  it('returns a copy callers may change', () => {
    const a = manifestJsonSchema();
    a.title = 'changed';
    expect(manifestJsonSchema().title).toBe('VRM agent manifest');
  });
});
