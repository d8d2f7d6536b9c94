import { z } from 'zod';

/** Lowercase letters, digits and dashes; the shape of agent names and other identifiers. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const slug = () =>
  z
    .string()
    .regex(
      SLUG_PATTERN,
      'must be a slug: lowercase letters, digits and dashes, at most 63 characters, not starting or ending with a dash',
    );

/** Provider-specific settings and tool arguments: any JSON object, passed on unchanged. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Any JSON value; named so the exported JSON Schema holds it once, as `$defs.JsonValue`. */
export const JsonValueSchema: z.ZodType<JsonValue> = z
  .lazy(() =>
    z.union([
      z.string(),
      z.number(),
      z.boolean(),
      z.null(),
      z.array(JsonValueSchema),
      z.record(z.string(), JsonValueSchema),
    ]),
  )
  .meta({ id: 'JsonValue', description: 'Any JSON value.' });
export const JsonObjectSchema = z.record(z.string(), JsonValueSchema);

/**
 * A pointer to a secret held by the organization (or, failing that, an environment variable of
 * the runtime). Manifests are versioned, shown in the studio and exported, so the secret itself
 * never belongs in one.
 */
export const SecretRefSchema = z
  .strictObject(
    {
      secret: z
        .string()
        .regex(/^[A-Z][A-Z0-9_]{0,127}$/, 'a secret name is UPPER_SNAKE_CASE, e.g. ACME_WEBHOOK_SECRET')
        .describe('Name of the organization secret (or runtime environment variable) that holds the value.'),
    },
    {
      error: (issue) =>
        issue.code === 'invalid_type' && typeof issue.input === 'string'
          ? 'expected a secret reference such as { secret: ACME_WEBHOOK_SECRET }, not the secret itself: store the value as an organization secret'
          : undefined,
    },
  )
  .describe('A reference to a stored secret: `{ secret: NAME }`.');

export const E164_PATTERN = /^\+[1-9]\d{6,14}$/;

export const PhoneNumberSchema = z
  .string({
    error: (issue) =>
      typeof issue.input === 'number'
        ? 'expected a quoted phone number such as "+15551234567" (YAML reads an unquoted +1555… as a number)'
        : undefined,
  })
  .regex(E164_PATTERN, 'expected a phone number in E.164 form, e.g. "+15551234567"');

/** Text that may contain `{{ variables }}`; checked against the declared variables. */
export const templateText = () => z.string().regex(/\S/, 'must not be blank');

/** Whole milliseconds within a range; durations everywhere in the manifest are integers. */
export const millis = (min: number, max: number) => z.int().min(min).max(max);

export const MCP_SERVER_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]|_(?!_)){0,62}$/;

/** MCP tool names as the spec allows them; the runtime prefixes them with `<server>__`. */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;

export const toolName = () =>
  z.string().regex(TOOL_NAME_PATTERN, 'a tool name is letters, digits, "_", "-" and "." (1-128 characters)');

/** Custom variable names: no dots, so they never collide with the dotted built-ins. */
export const VARIABLE_NAME_PATTERN = /^[a-z_][a-z0-9_]{0,63}$/;
