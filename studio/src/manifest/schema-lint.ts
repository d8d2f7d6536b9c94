import { isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';
import {
  asSchema,
  branches,
  closest,
  jsonType,
  pathLabel,
  resolve,
  type Schema,
  typesOf,
} from './json-schema.js';

/** A problem found in the editor's text, as character offsets (what CodeMirror wants). */
export interface SchemaDiagnostic {
  from: number;
  to: number;
  message: string;
  path: (string | number)[];
}

type Range = readonly [number, number];

interface Walk {
  root: Schema;
  out: SchemaDiagnostic[];
}

const describe = (value: unknown): string => {
  const type = jsonType(value);
  if (type === 'string') return `the string ${JSON.stringify(value)}`;
  if (type === 'null') return 'nothing';
  if (type === 'integer' || type === 'number') return `the number ${String(value)}`;
  if (type === 'boolean') return `${String(value)}`;
  return type === 'array' ? 'a list' : 'a mapping';
};

const typeWord: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping of keys',
  array: 'a list',
  null: 'nothing',
};

function nodeType(node: Node | null): string {
  if (node === null) return 'null';
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'array';
  if (isScalar(node)) return jsonType(node.value);
  return 'unknown';
}

function nodeValue(node: Node | null): unknown {
  if (node === null) return null;
  return isScalar(node) ? node.value : node.toJSON();
}

const rangeOf = (node: Node | null, fallback: Range): Range =>
  node && isScalar(node) && node.range ? [node.range[0], node.range[1]] : fallback;

/**
 * Validates one node; `at` is where to point when the node itself has no small range (a mapping
 * under a key points at the key). Returns how many problems it found, for choosing union branches.
 */
function check(
  walk: Walk,
  node: Node | null,
  schemaIn: Schema | undefined,
  path: (string | number)[],
  at: Range,
): number {
  const schema = resolve(walk.root, schemaIn);
  if (!schema || nodeType(node) === 'unknown') return 0;
  const before = walk.out.length;
  const report = (range: Range, message: string) =>
    walk.out.push({ from: range[0], to: Math.max(range[1], range[0] + 1), message, path: [...path] });
  const here = rangeOf(node, at);
  const label = pathLabel(path);

  const union = branches(walk.root, schema);
  if (union) {
    let best: SchemaDiagnostic[] | undefined;
    for (const option of union) {
      const trial: Walk = { root: walk.root, out: [] };
      const typed = typesOf(option);
      if (typed.length > 0 && !matchesType(nodeType(node), typed)) continue;
      check(trial, node, option, path, at);
      if (trial.out.length === 0) return 0;
      if (!best || trial.out.length < best.length) best = trial.out;
    }
    if (best) walk.out.push(...best);
    else {
      const expected = [...new Set(union.flatMap(typesOf))].map((t) => typeWord[t] ?? t);
      report(
        here,
        `${label}: expected ${expected.join(' or ') || 'another value'}, got ${describe(nodeValue(node))}`,
      );
    }
    return walk.out.length - before;
  }

  const types = typesOf(schema);
  const actual = nodeType(node);
  if (types.length > 0 && !matchesType(actual, types)) {
    const expected =
      schema.const !== undefined
        ? JSON.stringify(schema.const)
        : types.map((t) => typeWord[t] ?? t).join(' or ');
    report(here, `${label}: expected ${expected}, got ${describe(nodeValue(node))}`);
    return walk.out.length - before;
  }

  const value = nodeValue(node);
  if (schema.const !== undefined && value !== schema.const) {
    report(here, `${label}: expected ${JSON.stringify(schema.const)}, got ${describe(value)}`);
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) {
    const options = schema.enum.map((v) => JSON.stringify(v));
    const hint = typeof value === 'string' ? closest(value, schema.enum.map(String)) : undefined;
    report(
      here,
      `${label}: expected one of ${options.join(', ')}, got ${describe(value)}${hint ? ` (did you mean "${hint}"?)` : ''}`,
    );
  }
  if (typeof value === 'string') checkString(schema, value, (m) => report(here, `${label}: ${m}`));
  if (typeof value === 'number') checkNumber(schema, value, (m) => report(here, `${label}: ${m}`));

  if (node && isMap(node)) checkMap(walk, node, schema, path, at);
  if (node && isSeq(node)) {
    const items = asSchema(schema.items);
    node.items.forEach((item, index) => {
      const itemNode = (item as Node | null) ?? null;
      const itemRange: Range = itemNode?.range ? [itemNode.range[0], itemNode.range[1]] : at;
      if (items) check(walk, itemNode, items, [...path, index], itemRange);
    });
    if (typeof schema.minItems === 'number' && node.items.length < schema.minItems) {
      report(at, `${label}: needs at least ${schema.minItems} item${schema.minItems === 1 ? '' : 's'}`);
    }
    if (typeof schema.maxItems === 'number' && node.items.length > schema.maxItems) {
      report(at, `${label}: allows at most ${schema.maxItems} item${schema.maxItems === 1 ? '' : 's'}`);
    }
  }
  return walk.out.length - before;
}

function matchesType(actual: string, expected: string[]): boolean {
  return expected.includes(actual) || (actual === 'integer' && expected.includes('number'));
}

function checkString(schema: Schema, value: string, report: (message: string) => void) {
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) {
    report(schema.minLength === 1 ? 'must not be empty' : `must be at least ${schema.minLength} characters`);
  }
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) {
    report(`must be at most ${schema.maxLength} characters`);
  }
  if (typeof schema.pattern === 'string' && !safeTest(schema.pattern, value)) {
    report(`does not match the expected form ${schema.pattern}`);
  }
  if (schema.format === 'uri' && !URL.canParse(value))
    report('expected a URL such as https://api.example.com/v1');
}

function safeTest(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(value);
  } catch {
    return true;
  }
}

function checkNumber(schema: Schema, value: number, report: (message: string) => void) {
  if (typeof schema.minimum === 'number' && value < schema.minimum)
    report(`must be at least ${schema.minimum}`);
  if (typeof schema.maximum === 'number' && value > schema.maximum)
    report(`must be at most ${schema.maximum}`);
  if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
    report(`must be greater than ${schema.exclusiveMinimum}`);
  }
  if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) {
    report(`must be less than ${schema.exclusiveMaximum}`);
  }
}

function checkMap(
  walk: Walk,
  node: Node & { items: unknown[] },
  schema: Schema,
  path: (string | number)[],
  at: Range,
) {
  const properties = asSchema(schema.properties) ?? {};
  const additional = schema.additionalProperties;
  const names = asSchema(schema.propertyNames);
  const seen = new Set<string>();
  const label = pathLabel(path);
  for (const item of node.items as { key: Node | null; value: Node | null }[]) {
    const keyNode = item.key;
    if (!keyNode || !isScalar(keyNode) || !keyNode.range) continue;
    const key = String(keyNode.value);
    seen.add(key);
    const keyRange: Range = [keyNode.range[0], keyNode.range[1]];
    const valueNode = item.value;
    const valueAt: Range =
      valueNode && isScalar(valueNode) && valueNode.range
        ? [valueNode.range[0], valueNode.range[1]]
        : keyRange;
    if (names && typeof names.pattern === 'string' && !safeTest(names.pattern, key)) {
      walk.out.push({
        from: keyRange[0],
        to: keyRange[1],
        message: `${label}: key "${key}" does not match ${names.pattern}`,
        path: [...path, key],
      });
    }
    if (key in properties) check(walk, valueNode, asSchema(properties[key]), [...path, key], valueAt);
    else if (additional === false) {
      const hint = closest(key, Object.keys(properties));
      const where = path.length > 0 ? ` in ${label}` : '';
      walk.out.push({
        from: keyRange[0],
        to: keyRange[1],
        message: `unknown key "${key}"${where}${hint ? ` (did you mean "${hint}"?)` : ''}`,
        path: [...path, key],
      });
    } else if (asSchema(additional)) check(walk, valueNode, asSchema(additional), [...path, key], valueAt);
  }
  for (const required of (schema.required as string[] | undefined) ?? []) {
    if (!seen.has(required)) {
      const where = path.length > 0 ? ` in ${label}` : '';
      walk.out.push({
        from: at[0],
        to: at[1],
        message: `missing required key "${required}"${where}`,
        path: [...path, required],
      });
    }
  }
}

/**
 * Checks a manifest's YAML text against the manifest's JSON Schema, instantly and offline, so the
 * editor can underline mistakes while the builder types. YAML syntax errors come first (a broken
 * document is not checked further); the server's validation remains the authority.
 */
export function lintManifest(text: string, schema: Schema): SchemaDiagnostic[] {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return doc.errors.map((error) => ({
      from: error.pos[0],
      to: Math.max(error.pos[1], error.pos[0] + 1),
      message: `invalid YAML: ${error.message.split('\n')[0]}`,
      path: [],
    }));
  }
  const firstLineEnd = text.indexOf('\n') === -1 ? text.length : text.indexOf('\n');
  const rootAt: Range = [0, Math.max(firstLineEnd, 1)];
  const contents = doc.contents as Node | null;
  if (contents === null || (isScalar(contents) && contents.value === null)) return [];
  const walk: Walk = { root: schema, out: [] };
  check(walk, contents, schema, [], rootAt);
  return walk.out.sort((a, b) => a.from - b.from);
}
