import { asSchema, objectSchemas, resolve, type Schema, schemaAt, typesOf } from './json-schema.js';

/** One completion: a key of the mapping at the cursor, or a value the schema allows there. */
export interface SchemaCompletion {
  label: string;
  /** Text to insert in place of the typed prefix. */
  apply: string;
  kind: 'property' | 'enum';
  detail?: string;
  info?: string;
}

export interface SchemaCompletions {
  /** Offset where the replaced prefix starts. */
  from: number;
  options: SchemaCompletion[];
}

const KEY = /^(\s*)(-\s+)?([A-Za-z_][\w-]*)?$/;
const VALUE = /^(\s*)(-\s+)?([A-Za-z_][\w-]*)\s*:\s+([\w./-]*)$/;
const LINE = /^(\s*)(-\s+)?(?:([A-Za-z_][\w-]*|"[^"]*"|'[^']*')\s*:\s*(.*))?$/;

/**
 * The path of the mapping that contains a line whose content starts at `indent`, found by
 * walking up through less-indented `key:` lines and `- ` list items. Works on half-typed text,
 * which a YAML parser would reject.
 */
export function parentPath(
  linesAbove: readonly string[],
  indent: number,
  inItem: boolean,
): (string | number)[] {
  const path: (string | number)[] = inItem ? [0] : [];
  let limit = indent;
  let inSequence = inItem;
  for (let i = linesAbove.length - 1; i >= 0 && (limit > 0 || inSequence); i--) {
    const line = linesAbove[i]!;
    if (/^\s*(#.*)?$/.test(line)) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const lead = m[1]!.length;
    const dash = m[2];
    const key = m[3]?.replace(/^["']|["']$/g, '');
    const rest = (m[4] ?? '').replace(/\s+#.*$/, '').trim();
    const keyIndent = lead + (dash?.length ?? 0);
    const opensBlock =
      key !== undefined && (rest === '' || rest === '|' || rest === '>' || /^[|>][+-]?$/.test(rest));
    if (inSequence && !dash && key !== undefined && keyIndent <= limit) {
      path.unshift(key);
      limit = keyIndent;
      inSequence = false;
      continue;
    }
    if (dash && lead < limit) {
      // The cursor is inside this list item: its key (if it opens a block) and the item itself.
      if (key !== undefined && keyIndent < indent && opensBlock && path.length === 0) path.unshift(key);
      path.unshift(0);
      limit = lead;
      inSequence = true;
      continue;
    }
    if (!dash && key !== undefined && keyIndent < limit && opensBlock) {
      path.unshift(key);
      limit = keyIndent;
    }
  }
  return path;
}

const quoteIfNeeded = (value: unknown): string => {
  if (typeof value !== 'string') return String(value);
  return /^[\w./-]+$/.test(value) && !/^(true|false|null|~|\d.*)$/i.test(value)
    ? value
    : JSON.stringify(value);
};

function valueOptions(schemas: Schema[], root: Schema): SchemaCompletion[] {
  const options = new Map<string, SchemaCompletion>();
  const visit = (schema: Schema | undefined) => {
    const s = resolve(root, schema);
    if (!s) return;
    for (const b of (s.anyOf ?? s.oneOf ?? []) as unknown[]) visit(asSchema(b));
    const values = Array.isArray(s.enum) ? s.enum : s.const !== undefined ? [s.const] : [];
    for (const v of values) {
      const text = quoteIfNeeded(v);
      options.set(text, {
        label: String(v),
        apply: text,
        kind: 'enum',
        info: typeof s.description === 'string' ? s.description : undefined,
      });
    }
    if (typesOf(s).includes('boolean')) {
      for (const v of ['true', 'false']) options.set(v, { label: v, apply: v, kind: 'enum' });
    }
  };
  for (const s of schemas) visit(s);
  return [...options.values()];
}

function keyOptions(schemas: Schema[], root: Schema, present: ReadonlySet<string>): SchemaCompletion[] {
  const options = new Map<string, SchemaCompletion>();
  for (const schema of schemas.flatMap((s) => objectSchemas(root, s))) {
    const required = new Set((schema.required as string[] | undefined) ?? []);
    for (const [key, raw] of Object.entries(asSchema(schema.properties) ?? {})) {
      if (present.has(key) || options.has(key)) continue;
      const prop = resolve(root, asSchema(raw)) ?? {};
      const types = typesOf(prop);
      const block = types.includes('object') || types.includes('array');
      options.set(key, {
        label: key,
        apply: `${key}:${block ? '' : ' '}`,
        kind: 'property',
        detail: [required.has(key) ? 'required' : '', types.join(' | ')].filter(Boolean).join(' · '),
        info: typeof prop.description === 'string' ? prop.description : undefined,
      });
    }
  }
  return [...options.values()];
}

/** Keys already set in the mapping the cursor is in (siblings at the same indent). */
function siblingKeys(lines: readonly string[], at: number, indent: number): Set<string> {
  const keys = new Set<string>();
  const scan = (i: number) => {
    const m = LINE.exec(lines[i]!);
    if (!m || /^\s*(#.*)?$/.test(lines[i]!)) return 'skip';
    const keyIndent = m[1]!.length + (m[2]?.length ?? 0);
    if (keyIndent < indent || (m[2] && keyIndent === indent && i !== at)) return 'stop';
    if (keyIndent === indent && m[3]) keys.add(m[3]);
    return 'go';
  };
  for (let i = at - 1; i >= 0 && scan(i) !== 'stop'; i--);
  for (let i = at + 1; i < lines.length && scan(i) !== 'stop'; i++);
  return keys;
}

/** What the schema allows at `offset` in `text`: keys of the mapping there, or values of a key. */
export function completeManifest(text: string, offset: number, root: Schema): SchemaCompletions | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const before = text.slice(lineStart, offset);
  const lines = text.slice(0, lineStart).split('\n');
  lines.pop();
  const value = VALUE.exec(before);
  if (value) {
    const indent = value[1]!.length + (value[2]?.length ?? 0);
    const path = [...parentPath(lines, indent, Boolean(value[2])), value[3]!];
    const options = valueOptions(schemaAt(root, path), root);
    return options.length > 0 ? { from: offset - value[4]!.length, options } : undefined;
  }
  const key = KEY.exec(before);
  if (!key) return undefined;
  const indent = key[1]!.length + (key[2]?.length ?? 0);
  const path = parentPath(lines, indent, Boolean(key[2]));
  const allLines = text.split('\n');
  const options = keyOptions(schemaAt(root, path), root, siblingKeys(allLines, lines.length, indent));
  return options.length > 0 ? { from: offset - (key[3]?.length ?? 0), options } : undefined;
}
