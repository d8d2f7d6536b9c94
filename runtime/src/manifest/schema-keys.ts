import { z } from 'zod';

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

function unwrap(schema: z.ZodType): z.ZodType {
  let current: z.ZodType = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodNullable ||
      current instanceof z.ZodReadonly
    ) {
      current = current.unwrap() as z.ZodType;
    } else if (current instanceof z.ZodPipe) {
      current = current.in as z.ZodType;
    } else {
      return current;
    }
  }
}

/** The union option an input most plausibly means: the one that knows most of its keys. */
function pickOption(union: z.ZodUnion, input: unknown): z.ZodType[] {
  const options = union.options as z.ZodType[];
  const keys = Object.keys(record(input) ?? {});
  let best: z.ZodType[] = [];
  let bestScore = 0;
  for (const option of options) {
    const inner = unwrap(option);
    const candidates = inner instanceof z.ZodUnion ? pickOption(inner, input) : [inner];
    for (const candidate of candidates) {
      if (!(candidate instanceof z.ZodObject)) continue;
      const shape = candidate.shape as Record<string, z.ZodType>;
      let score = keys.filter((k) => k in shape).length;
      // A matching discriminator value beats any number of shared keys.
      for (const [k, field] of Object.entries(shape)) {
        const literal = unwrap(field);
        if (literal instanceof z.ZodLiteral && record(input)?.[k] === literal.value) score += 100;
      }
      if (score > bestScore) [best, bestScore] = [[candidate], score];
      else if (score === bestScore) best.push(candidate);
    }
  }
  return best;
}

/**
 * The keys a mapping at `path` may hold, read from the schema, for did-you-mean hints on unknown
 * keys. Where a union leaves it open, the input decides which alternative is meant.
 */
export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[], input: unknown): string[] {
  let nodes: z.ZodType[] = [schema];
  let value = input;
  for (const segment of path) {
    const next: z.ZodType[] = [];
    for (const node of resolve(nodes, value)) {
      if (node instanceof z.ZodObject) {
        const field = (node.shape as Record<string, z.ZodType>)[String(segment)];
        if (field) next.push(field);
      } else if (node instanceof z.ZodArray) {
        next.push(node.element as z.ZodType);
      } else if (node instanceof z.ZodRecord) {
        next.push(node.valueType as z.ZodType);
      }
    }
    nodes = next;
    value = Array.isArray(value) ? value[Number(segment)] : record(value)?.[String(segment)];
  }
  const keys = new Set<string>();
  for (const node of resolve(nodes, value)) {
    if (node instanceof z.ZodObject) for (const key of Object.keys(node.shape)) keys.add(key);
  }
  return [...keys];
}

function resolve(nodes: z.ZodType[], value: unknown): z.ZodType[] {
  return nodes.flatMap((n) => {
    const inner = unwrap(n);
    return inner instanceof z.ZodUnion ? pickOption(inner, value) : [inner];
  });
}
