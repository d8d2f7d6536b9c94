import { manifestJsonSchema } from './json-schema.js';

/** One documented field of the manifest, as listed in docs/manifest.md. */
export interface FieldDoc {
  /** `llm.fallbacks[].model`, `variables.<name>.default`, `tools[builtin=end_call].goodbye`. */
  path: string;
  type: string;
  /** `required`, `—` (optional, no default) or the default as YAML-ish JSON. */
  default: string;
  description: string;
}

type Schema = Record<string, unknown>;

const asSchema = (v: unknown): Schema | undefined =>
  typeof v === 'object' && v !== null ? (v as Schema) : undefined;

function typeOf(schema: Schema): string {
  if (schema.$ref === '#/$defs/JsonValue') return 'any JSON';
  if ('const' in schema) return `\`${String(schema.const)}\``;
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((v) => `\`${String(v)}\``).join(', ')}`;
  const range = (kind: string) => {
    const min = schema.minimum;
    const max = schema.maximum;
    return min !== undefined && max !== undefined ? `${kind} ${String(min)}–${String(max)}` : kind;
  };
  if (Array.isArray(schema.type)) return schema.type.join(' or ');
  switch (schema.type) {
    case 'integer':
      return range('integer');
    case 'number':
      return range('number');
    case 'string':
      return schema.format === 'uri' ? 'URL' : 'string';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const item = asSchema(schema.items);
      return `list of ${item ? plural(typeOf(item)) : 'values'}`;
    }
    case 'object':
      return schema.properties
        ? 'mapping'
        : `mapping of ${plural(typeOf(asSchema(schema.additionalProperties) ?? {}))}`;
    default:
      if (Array.isArray(schema.anyOf) || Array.isArray(schema.oneOf)) {
        const branches = ((schema.anyOf ?? schema.oneOf) as unknown[]).map((b) => typeOf(asSchema(b) ?? {}));
        return [...new Set(branches)].join(' or ');
      }
      return 'any';
  }
}

function plural(type: string): string {
  if (type === 'mapping') return 'mappings';
  if (type === 'string') return 'strings';
  if (type.startsWith('one of ')) return `values (${type})`;
  return type;
}

/** `[builtin=end_call]` for a union branch told apart by a constant, `[]` otherwise. */
function branchLabel(branch: Schema): string {
  for (const [name, property] of Object.entries((branch.properties as Record<string, Schema>) ?? {})) {
    if ('const' in property) return `[${name}=${String(property.const)}]`;
  }
  return '[]';
}

function collect(schema: Schema, path: string, out: FieldDoc[]): void {
  const required = new Set((schema.required as string[]) ?? []);
  for (const [name, raw] of Object.entries((schema.properties as Record<string, unknown>) ?? {})) {
    const property = asSchema(raw) ?? {};
    const fieldPath = path ? `${path}.${name}` : name;
    const fallback = 'default' in property ? `\`${JSON.stringify(property.default)}\`` : '—';
    out.push({
      path: fieldPath,
      type: typeOf(property),
      default: required.has(name) ? 'required' : fallback,
      description: String(property.description ?? ''),
    });
    descend(property, fieldPath, out);
  }
}

function descend(schema: Schema, path: string, out: FieldDoc[]): void {
  if (schema.$ref) return;
  if (schema.properties) {
    collect(schema, path, out);
    return;
  }
  if (schema.type === 'object' && asSchema(schema.additionalProperties)) {
    descend(asSchema(schema.additionalProperties)!, `${path}.<name>`, out);
  }
  if (schema.type === 'array' && asSchema(schema.items)) {
    const items = asSchema(schema.items)!;
    const branches = (items.anyOf ?? items.oneOf) as Schema[] | undefined;
    if (!branches) {
      descend(items, `${path}[]`, out);
      return;
    }
    for (const branch of branches) {
      const nested = (branch.anyOf ?? branch.oneOf) as Schema[] | undefined;
      for (const option of nested ?? [branch]) collect(option, `${path}${branchLabel(option)}`, out);
    }
  }
}

/** Every field of the manifest with its type, default and description, in schema order. */
export function manifestFieldReference(): FieldDoc[] {
  const out: FieldDoc[] = [];
  collect(manifestJsonSchema(), '', out);
  return out;
}

/** The reference as a Markdown table, for docs/manifest.md. */
export function manifestFieldTable(): string {
  const escapePipes = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const rows = manifestFieldReference().map(
    (f) =>
      `| \`${f.path}\` | ${escapePipes(f.type)} | ${escapePipes(f.default)} | ${escapePipes(f.description)} |`,
  );
  return ['| Field | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
