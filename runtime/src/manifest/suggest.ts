/** Edit distance (insertions, deletions, substitutions), for did-you-mean hints. */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length]!;
}

const normalize = (s: string) => s.toLowerCase().replace(/[-_.\s]/g, '');

/**
 * The candidate closest to `name` within an edit distance of 2, or one that differs only in case
 * and separators (`max_call_seconds` → `maxCallSeconds`), or the only one that `name` begins.
 * Undefined when nothing is close.
 */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const options = [...candidates];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of options) {
    if (candidate === name) continue;
    const distance = normalize(candidate) === normalize(name) ? 0 : levenshtein(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (bestDistance <= 2) return best;
  // A clipped name ("transfer" for "transfer_call") is far in edits but plainly meant.
  const extensions = options.filter((c) => name.length >= 4 && c.startsWith(name));
  return extensions.length === 1 ? extensions[0] : undefined;
}

/** ` (did you mean "x"?)` or the empty string. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const match = closest(name, candidates);
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
}
