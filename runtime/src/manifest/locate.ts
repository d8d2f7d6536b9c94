import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node, type Pair } from 'yaml';

/** Where a path of the parsed data sits in the YAML source. */
export interface Location {
  /** Whether every segment of the path exists in the document. */
  found: boolean;
  /** The node the path leads to (null for an entry written without a value, like `greeting:`). */
  value: Node | null;
  /** The mapping key of the last segment, when the path ends in a mapping entry. */
  key?: Node;
  /** When not found: the deepest node that exists and the key leading to it. */
  parent: Node | null;
  parentKey?: Node;
}

const keyText = (pair: Pair): string | undefined => (isScalar(pair.key) ? String(pair.key.value) : undefined);

/**
 * Follows a zod issue path through the YAML document (through aliases too), so a problem can be
 * reported at the line where the builder wrote the value.
 */
export function locate(doc: Document, path: readonly PropertyKey[]): Location {
  let node = doc.contents as Node | null;
  let key: Node | undefined;
  for (const segment of path) {
    if (isAlias(node)) node = (node.resolve(doc) as Node | undefined) ?? null;
    let next: Node | null | undefined;
    let nextKey: Node | undefined;
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p) === String(segment));
      if (pair) {
        next = (pair.value as Node | null) ?? null;
        nextKey = pair.key as Node;
      }
    } else if (isSeq(node) && typeof segment !== 'symbol') {
      next = node.items[Number(segment)] as Node | undefined;
    }
    if (next === undefined)
      return { found: false, value: null, parent: node, ...(key ? { parentKey: key } : {}) };
    node = next;
    key = nextKey;
  }
  return { found: true, value: node, ...(key ? { key } : {}), parent: null };
}

/** 1-based line and column of a source offset. */
export function position(lineCounter: LineCounter, offset: number): { line: number; col: number } {
  return lineCounter.linePos(offset);
}

/**
 * Offset in the source of the `occurrence`-th appearance of `needle` inside a scalar's source
 * text. Template references appear verbatim in every YAML string style in practice, so this finds
 * the exact column of an unknown `{{variable}}` even inside a block scalar.
 */
export function findInNode(
  source: string,
  node: Node,
  needle: string,
  occurrence: number,
): number | undefined {
  const range = node.range;
  if (!range) return undefined;
  const text = source.slice(range[0], range[1]);
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) return undefined;
  }
  return range[0] + at;
}
