import { createHash } from 'node:crypto';

/** OpenAI function names: `^[a-zA-Z0-9_-]{1,64}$`. */
export const MODEL_TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX_LENGTH = 64;
const SEPARATOR = '__';

/** A tool as the host knows it: which server, and the tool's exact MCP name there. */
export interface ToolRef {
  serverName: string;
  toolName: string;
}

const sanitize = (part: string) => part.replace(/[^a-zA-Z0-9_-]/g, '_');

function hashed(ref: ToolRef, base: string, hexLength: number): string {
  const digest = createHash('sha256').update(`${ref.serverName}\u0000${ref.toolName}`).digest('hex');
  const suffix = `_${digest.slice(0, hexLength)}`;
  return `${base.slice(0, MAX_LENGTH - suffix.length)}${suffix}`;
}

/**
 * Gives every tool a model-facing name `<server>__<tool>` that fits `MODEL_TOOL_NAME_PATTERN`.
 * Characters outside the pattern (dots, slashes, spaces) become `_`. A name that is too long, or
 * that two tools would share after sanitising (`a.b` and `a_b`), is shortened and given a suffix
 * hashed from the exact server and tool names, so the result does not depend on list order and
 * maps back to exactly one tool.
 */
export function assignModelToolNames(refs: readonly ToolRef[]): Map<string, ToolRef> {
  const bases = refs.map((ref) => `${sanitize(ref.serverName)}${SEPARATOR}${sanitize(ref.toolName)}`);
  const counts = new Map<string, number>();
  for (const base of bases) counts.set(base, (counts.get(base) ?? 0) + 1);
  const byName = new Map<string, ToolRef>();
  refs.forEach((ref, i) => {
    const base = bases[i] ?? '';
    let name = base.length <= MAX_LENGTH && counts.get(base) === 1 ? base : hashed(ref, base, 8);
    // A hashed name can still meet a plain one by chance; lengthen the hash until it is unique.
    for (let hexLength = 12; byName.has(name) && hexLength <= 32; hexLength += 4) {
      name = hashed(ref, base, hexLength);
    }
    byName.set(name, ref);
  });
  return byName;
}
