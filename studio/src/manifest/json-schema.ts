/**
 * A small reader for the manifest's JSON Schema (draft 2020-12 as zod emits it): resolving local
 * `$ref`s, naming types, and listing the keys an object allows. Interpreted, never compiled, so it
 * runs under the studio's Content-Security-Policy (no `eval`).
 */

export type Schema = Record<string, unknown>;

export const asSchema = (value: unknown): Schema | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Schema) : undefined;

/** Follows `$ref: "#/$defs/…"` (and `#`) inside `root`, guarding against cycles. */
export function resolve(root: Schema, schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let hops = 0; current && typeof current.$ref === 'string' && hops < 32; hops++) {
    const ref = current.$ref;
    if (ref === '#') {
      current = root;
      continue;
    }
    if (!ref.startsWith('#/')) return undefined;
    let target: unknown = root;
    for (const part of ref.slice(2).split('/')) {
      target = asSchema(target)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    const { $ref: _ref, ...rest } = current;
    // Sibling keywords (a description beside a $ref) win over the target's.
    current = { ...asSchema(target), ...rest };
  }
  return current;
}

/** The schema's branches when it is a union (`anyOf`/`oneOf`), else undefined. */
export function branches(root: Schema, schema: Schema): Schema[] | undefined {
  const list = (schema.anyOf ?? schema.oneOf) as unknown[] | undefined;
  if (!Array.isArray(list)) return undefined;
  return list.map((b) => resolve(root, asSchema(b)) ?? {});
}

/** The declared types of a schema (`type` may be a string or a list). */
export function typesOf(schema: Schema): string[] {
  if (typeof schema.type === 'string') return [schema.type];
  if (Array.isArray(schema.type)) return schema.type.filter((t): t is string => typeof t === 'string');
  if (schema.const !== undefined) return [jsonType(schema.const)];
  return [];
}

/** The JSON type name of a value: integers are reported as `integer`. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Every object schema reachable through unions, for completing keys of a mapping. */
export function objectSchemas(root: Schema, schema: Schema | undefined): Schema[] {
  const resolved = resolve(root, schema);
  if (!resolved) return [];
  const union = branches(root, resolved);
  if (union) return union.flatMap((b) => objectSchemas(root, b));
  return resolved.properties || resolved.additionalProperties ? [resolved] : [];
}

/** The schema of `key` inside an object schema (its property, or `additionalProperties`). */
export function propertySchema(root: Schema, schema: Schema, key: string): Schema | undefined {
  const properties = asSchema(schema.properties);
  if (properties && key in properties) return resolve(root, asSchema(properties[key]));
  return resolve(root, asSchema(schema.additionalProperties));
}

/** The schema of a list's items. */
export function itemSchema(root: Schema, schema: Schema): Schema | undefined {
  return resolve(root, asSchema(schema.items));
}

/** Descends a path of keys and indexes, trying every union branch. */
export function schemaAt(root: Schema, path: readonly (string | number)[]): Schema[] {
  let current: Schema[] = [root];
  for (const segment of path) {
    const next: Schema[] = [];
    for (const schema of current) {
      const resolved = resolve(root, schema);
      if (!resolved) continue;
      const options = branches(root, resolved) ?? [resolved];
      for (const option of options) {
        const child =
          typeof segment === 'number' ? itemSchema(root, option) : propertySchema(root, option, segment);
        if (child) next.push(child);
      }
    }
    current = next;
  }
  return current.map((s) => resolve(root, s) ?? s);
}

/** Levenshtein distance, for "did you mean" hints. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** The closest candidate within a third of the word's length, if any. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const d = distance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** `tools[0].allow`, or `manifest` for the root, as the server words paths. */
export function pathLabel(path: readonly (string | number)[]): string {
  let label = '';
  for (const segment of path) {
    if (typeof segment === 'number') label += `[${segment}]`;
    else label += label ? `.${segment}` : segment;
  }
  return label || 'manifest';
}
