import type { z } from 'zod';
import { closest } from './suggest.js';

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
  record: 'a mapping',
  null: 'an empty value',
};

/** How a YAML value reads in an error message; strings are shortened, never printed whole. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (typeof value === 'string')
    return value.length > 40 ? 'a long string' : `the string ${JSON.stringify(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return 'a list';
  return 'a mapping';
}

const plural = (n: number | bigint, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Messages in the builder's terms (mapping, list) for zod's structural issues. Schemas that set
 * their own message keep it: zod prefers a schema's `error` over this per-parse map.
 */
export const manifestErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'required';
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`;
    case 'invalid_value': {
      const options = issue.values.map((v) => JSON.stringify(v));
      const hint =
        typeof issue.input === 'string' && issue.values.length > 1
          ? closest(
              issue.input,
              issue.values.filter((v): v is string => typeof v === 'string'),
            )
          : undefined;
      const expected = options.length === 1 ? options[0] : `one of ${options.join(', ')}`;
      return `expected ${expected}, got ${describeValue(issue.input)}${hint ? ` (did you mean "${hint}"?)` : ''}`;
    }
    case 'too_small': {
      const min = issue.minimum;
      if (issue.origin === 'string')
        return min === 1 ? 'must not be empty' : `must be at least ${plural(min, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `needs at least ${plural(min, 'entry')}`.replace('entrys', 'entries');
      return `must be ${issue.inclusive ? 'at least' : 'more than'} ${min}`;
    }
    case 'too_big': {
      const max = issue.maximum;
      if (issue.origin === 'string') return `must be at most ${plural(max, 'character')}`;
      if (issue.origin === 'array' || issue.origin === 'set')
        return `allows at most ${plural(max, 'entry')}`.replace('entrys', 'entries');
      return `must be ${issue.inclusive ? 'at most' : 'less than'} ${max}`;
    }
    case 'invalid_format':
      if (issue.format === 'url') return 'expected a URL such as https://example.com/path';
      if (issue.format === 'regex' && 'pattern' in issue) return `must match ${String(issue.pattern)}`;
      return `expected a valid ${issue.format}`;
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
};
