import { type Document, isScalar, type LineCounter, type Node } from 'yaml';
import type { z } from 'zod';
import { findInNode, locate } from './locate.js';
import { describeValue } from './messages.js';
import { TOOL_ENTRY_HINT, toolEntryBranch } from './schema/tools.js';
import { knownKeys } from './schema-keys.js';
import type { SemanticIssueParams } from './semantic.js';
import { closest, didYouMean } from './suggest.js';

/** One thing wrong with a manifest, placed at the line and column where the builder can fix it. */
export interface ManifestProblem {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  col: number;
  /** Path of the offending key in the manifest, e.g. `['tools', '0', 'allow']`. */
  path: string[];
  /** Stable, machine-readable kind: `unknown_key`, `missing_key`, `invalid_type`, `yaml_syntax`, … */
  code: string;
  message: string;
}

/** `file:line:col message`, the form editors and terminals turn into links. */
export function formatProblem(problem: ManifestProblem): string {
  return `${problem.file}:${problem.line}:${problem.col} ${problem.message}`;
}

/** `tools[0].settings.refund_payment`, or `manifest` for the root. */
export function pathLabel(path: readonly PropertyKey[]): string {
  let label = '';
  for (const segment of path) {
    if (typeof segment === 'number' || /^\d+$/.test(String(segment))) label += `[${String(segment)}]`;
    else label += label ? `.${String(segment)}` : String(segment);
  }
  return label || 'manifest';
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const segment of path) {
    value = Array.isArray(value) ? value[Number(segment)] : record(value)?.[String(segment)];
  }
  return value;
}

interface Source {
  file: string;
  text: string;
  doc: Document;
  lineCounter: LineCounter;
  data: unknown;
  schema: z.ZodType;
}

type Issue = z.core.$ZodIssue;

/** Turns zod issues into problems placed in the YAML source, one problem per unknown key. */
export function issuesToProblems(issues: readonly Issue[], source: Source): ManifestProblem[] {
  return issues.flatMap((issue) => mapIssue(issue, [], source));
}

function problem(
  source: Source,
  path: readonly PropertyKey[],
  offset: number,
  code: string,
  message: string,
): ManifestProblem {
  const { line, col } = source.lineCounter.linePos(offset);
  return { file: source.file, line, col, path: path.map(String), code, message };
}

/** Offset of the node for `path`: its key or its value, or the nearest enclosing entry if it is missing. */
function offsetOf(source: Source, path: readonly PropertyKey[], prefer: 'key' | 'value' = 'value'): number {
  const location = locate(source.doc, path);
  // `greeting:` with nothing after it parses to an empty scalar placed after the colon; the key is
  // where the builder looks.
  const value =
    isScalar(location.value) && location.value.range?.[0] === location.value.range?.[1]
      ? null
      : location.value;
  const node: Node | null | undefined = location.found
    ? prefer === 'key'
      ? (location.key ?? value)
      : (value ?? location.key)
    : (location.parentKey ?? location.parent);
  return node?.range?.[0] ?? 0;
}

function mapIssue(issue: Issue, prefix: readonly PropertyKey[], source: Source): ManifestProblem[] {
  const path = [...prefix, ...issue.path];
  const label = pathLabel(path);
  const parent = path.slice(0, -1);
  const last = path.at(-1);
  const where = (p: readonly PropertyKey[]) => (p.length ? ` in ${pathLabel(p)}` : '');
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) =>
        problem(
          source,
          [...path, key],
          offsetOf(source, [...path, key], 'key'),
          'unknown_key',
          `unknown key "${key}"${where(path)}${didYouMean(key, knownKeys(source.schema, path, source.data))}`,
        ),
      );
    case 'invalid_union':
      return mapUnion(issue, path, source);
    case 'invalid_key': {
      const detail = issue.issues[0]?.message ?? issue.message;
      return [
        problem(
          source,
          path,
          offsetOf(source, path, 'key'),
          'invalid_key',
          `${pathLabel(parent)}: key "${String(last)}": ${detail}`,
        ),
      ];
    }
    case 'custom': {
      const params = (issue.params ?? { code: 'invalid_value' }) as SemanticIssueParams;
      return [
        problem(source, path, customOffset(source, path, params), params.code, `${label}: ${issue.message}`),
      ];
    }
    case 'invalid_type': {
      const container = record(valueAt(source.data, parent));
      if (path.length > 0 && container && !(String(last) in container)) {
        return [
          problem(
            source,
            path,
            offsetOf(source, parent, 'key'),
            'missing_key',
            `missing required key "${String(last)}"${where(parent)}`,
          ),
        ];
      }
      if (path.length === 0) {
        return [
          problem(
            source,
            path,
            offsetOf(source, path),
            'invalid_type',
            `the manifest must be a mapping of keys (apiVersion, kind, name, …), ${issue.message.replace(/^expected [^,]+, /, '')}`,
          ),
        ];
      }
      return [problem(source, path, offsetOf(source, path), issue.code, `${label}: ${issue.message}`)];
    }
    default:
      return [problem(source, path, offsetOf(source, path), issue.code, `${label}: ${issue.message}`)];
  }
}

function customOffset(source: Source, path: readonly PropertyKey[], params: SemanticIssueParams): number {
  const base = offsetOf(source, path, params.at === 'key' ? 'key' : 'value');
  const text = valueAt(source.data, path);
  const location = locate(source.doc, path);
  if (
    params.offset === undefined ||
    params.length === undefined ||
    typeof text !== 'string' ||
    !location.value
  )
    return base;
  const needle = text.slice(params.offset, params.offset + params.length);
  let occurrence = 0;
  for (let at = text.indexOf(needle); at >= 0 && at < params.offset; at = text.indexOf(needle, at + 1))
    occurrence++;
  return findInNode(source.text, location.value, needle, occurrence) ?? base;
}

function mapUnion(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  path: PropertyKey[],
  source: Source,
): ManifestProblem[] {
  const input = valueAt(source.data, path);
  const label = pathLabel(path);
  // A discriminated union whose discriminator is missing or unknown: report it like an enum.
  if ('discriminator' in issue && issue.errors.length === 0) {
    const options = ((issue as { options?: unknown[] }).options ?? []).map(String);
    const parent = path.slice(0, -1);
    if (input === undefined) {
      return [
        problem(
          source,
          path,
          offsetOf(source, parent, 'key'),
          'missing_key',
          `missing required key "${String(path.at(-1))}" in ${pathLabel(parent)}`,
        ),
      ];
    }
    const hint = typeof input === 'string' ? didYouMean(input, options) : '';
    const list = options.map((o) => JSON.stringify(o)).join(', ');
    return [
      problem(
        source,
        path,
        offsetOf(source, path),
        'invalid_value',
        `${label}: expected one of ${list}, got ${describeValue(input)}${hint}`,
      ),
    ];
  }
  let branch: number | undefined;
  if (path.length === 2 && path[0] === 'tools') {
    branch = toolEntryBranch(input);
    if (branch === undefined) {
      const keys = Object.keys(record(input) ?? {});
      const near = keys.find((k) => closest(k, ['mcp', 'builtin']));
      const at = near === undefined ? offsetOf(source, path) : offsetOf(source, [...path, near], 'key');
      const hint =
        near === undefined
          ? ''
          : ` (did you mean "${closest(near, ['mcp', 'builtin'])}" instead of "${near}"?)`;
      return [problem(source, path, at, 'invalid_tool', `${label}: ${TOOL_ENTRY_HINT}${hint}`)];
    }
  }
  const branches = issue.errors;
  if (branch === undefined) {
    const rootTypes = branches.map((b) =>
      b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0 ? b[0] : undefined,
    );
    if (rootTypes.every((t) => t !== undefined)) {
      const expected = rootTypes.map((t) => t.message.replace(/^expected (.+?), got .*$/, '$1'));
      return [
        problem(
          source,
          path,
          offsetOf(source, path),
          'invalid_type',
          `${label}: expected ${alternatives([...new Set(expected)])}, got ${describeValue(input)}`,
        ),
      ];
    }
    branch = branches.reduce((best, b, i) => (b.length < (branches[best]?.length ?? Infinity) ? i : best), 0);
  }
  return (branches[branch] ?? []).flatMap((i) => mapIssue(i, path, source));
}

/** `a, b or c`. */
function alternatives(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
