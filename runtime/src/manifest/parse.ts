import { type Document, isMap, isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { manifestHash } from './canonical.js';
import { manifestErrorMap } from './messages.js';
import { issuesToProblems, type ManifestProblem } from './problems.js';
import { type AgentManifest, AgentManifestSchema } from './schema/agent.js';

export type ParseManifestResult =
  | { ok: true; manifest: AgentManifest; hash: string }
  | { ok: false; problems: ManifestProblem[] };

/** Aliases can expand a small file into a huge object; a manifest has no need for many. */
const MAX_ALIAS_COUNT = 100;

/**
 * Parses and validates a manifest written in YAML. Every problem is reported, each placed at the
 * line and column of the offending key or value, so a builder can fix them all in one pass.
 * `hash` is the sha256 of the manifest's canonical form, stable across formatting and comments.
 */
export function parseManifest(text: string, file = '<manifest>'): ParseManifestResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lineCounter.linePos(offset);
  const problems: ManifestProblem[] = duplicateKeys(doc).map(({ key, offset, firstOffset }) => ({
    file,
    ...at(offset),
    path: [key],
    code: 'duplicate_key',
    message: `duplicate key "${key}" (first defined at line ${at(firstOffset).line})`,
  }));
  const syntax = [...doc.errors, ...doc.warnings].filter((e) => e.code !== 'DUPLICATE_KEY');
  for (const error of syntax) {
    problems.push({
      file,
      ...at(error.pos[0]),
      path: [],
      code: 'yaml_syntax',
      message: `invalid YAML: ${error.message}`,
    });
  }
  if (syntax.length > 0) return { ok: false, problems: sortProblems(problems) };
  if (doc.contents === null) {
    return {
      ok: false,
      problems: [
        {
          file,
          line: 1,
          col: 1,
          path: [],
          code: 'empty',
          message:
            'the manifest is empty: it needs at least apiVersion, kind, name, instructions, llm, stt and tts',
        },
      ],
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      problems: [
        { file, line: 1, col: 1, path: [], code: 'yaml_syntax', message: `invalid YAML: ${message}` },
      ],
    };
  }
  const result = AgentManifestSchema.safeParse(data, { error: manifestErrorMap });
  if (!result.success) {
    const source = { file, text, doc, lineCounter, data, schema: AgentManifestSchema };
    problems.push(...issuesToProblems(result.error.issues, source));
  }
  if (problems.length > 0 || !result.success) return { ok: false, problems: sortProblems(problems) };
  return { ok: true, manifest: result.data, hash: manifestHash(result.data) };
}

/** Every repeated key in every mapping, with where it was first written. */
function duplicateKeys(doc: Document): { key: string; offset: number; firstOffset: number }[] {
  const found: { key: string; offset: number; firstOffset: number }[] = [];
  visit(doc, {
    Map(_, map) {
      if (!isMap(map)) return;
      const first = new Map<string, number>();
      for (const pair of map.items) {
        if (!isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const offset = pair.key.range?.[0] ?? 0;
        const seen = first.get(key);
        if (seen === undefined) first.set(key, offset);
        else found.push({ key, offset, firstOffset: seen });
      }
    },
  });
  return found;
}

function sortProblems(problems: ManifestProblem[]): ManifestProblem[] {
  const seen = new Set<string>();
  return problems
    .sort((a, b) => a.line - b.line || a.col - b.col || a.message.localeCompare(b.message))
    .filter((p) => {
      const key = `${p.line}:${p.col}:${p.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
