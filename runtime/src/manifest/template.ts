import { VrmError } from '../errors.js';

/**
 * Variables every call provides. Custom variables are declared in the manifest under
 * `variables:`; their names have no dots, so they can never collide with these.
 */
export const BUILTIN_VARIABLES = {
  'caller.number':
    'The caller\'s phone number in E.164 form ("+15551234567"), or "unknown" for browser calls.',
  'called.number': 'The number the caller dialled, in E.164 form, or "unknown".',
  'call.id': 'The id of the call, as shown in traces and webhooks.',
  'agent.name': 'The manifest `name` of the agent taking the call.',
  now: 'The current date and time in the agent\'s `timezone`, e.g. "Tuesday, March 3, 2026 at 2:05 PM (America/New_York)".',
} as const;

export type BuiltinVariable = keyof typeof BUILTIN_VARIABLES;
export type VariableValue = string | number | boolean;

/** A `{{ name }}` reference found in a template. `offset` is where its `{{` starts. */
export interface TemplateReference {
  name: string;
  raw: string;
  offset: number;
}

/** A malformed piece of template syntax, such as an unclosed `{{` or an empty `{{ }}`. */
export interface TemplateSyntaxError {
  raw: string;
  offset: number;
  message: string;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/**
 * Splits a template into its variable references. There is no escape syntax: `{{` always opens
 * a reference, which keeps templates easy to read aloud and easy to check.
 */
export function scanTemplate(template: string): {
  references: TemplateReference[];
  errors: TemplateSyntaxError[];
} {
  const references: TemplateReference[] = [];
  const errors: TemplateSyntaxError[] = [];
  let from = 0;
  for (;;) {
    const open = template.indexOf('{{', from);
    if (open < 0) break;
    const close = template.indexOf('}}', open + 2);
    const nextOpen = template.indexOf('{{', open + 2);
    if (close < 0 || (nextOpen >= 0 && nextOpen < close)) {
      const lineEnd = template.indexOf('\n', open);
      const raw = template.slice(open, lineEnd < 0 ? undefined : lineEnd);
      errors.push({
        raw,
        offset: open,
        message: `unclosed "{{" in ${JSON.stringify(raw)}: close it with "}}"`,
      });
      from = open + 2;
      continue;
    }
    const raw = template.slice(open, close + 2);
    const name = template.slice(open + 2, close).trim();
    if (NAME.test(name)) {
      references.push({ name, raw, offset: open });
    } else {
      errors.push({
        raw,
        offset: open,
        message: `invalid variable reference ${JSON.stringify(raw)}: a name is letters, digits and "_", dotted for built-ins such as {{caller.number}}`,
      });
    }
    from = close + 2;
  }
  return { references, errors };
}

/**
 * Replaces every `{{ name }}` in `template` with its value. Manifests are checked at load time, so
 * a missing variable here is a programming error in the caller and throws rather than speaking
 * an empty gap to a caller.
 */
export function renderTemplate(template: string, variables: Readonly<Record<string, VariableValue>>): string {
  const { references, errors } = scanTemplate(template);
  const [syntaxError] = errors;
  if (syntaxError) throw new VrmError('template_invalid', syntaxError.message);
  let out = '';
  let from = 0;
  for (const ref of references) {
    const value = variables[ref.name];
    if (value === undefined) {
      throw new VrmError('template_variable_missing', `No value for template variable "${ref.name}"`, {
        details: { variable: ref.name },
      });
    }
    out += template.slice(from, ref.offset) + String(value);
    from = ref.offset + ref.raw.length;
  }
  return out + template.slice(from);
}

/** What the runtime knows about a call when it renders the manifest's templates. */
export interface CallContext {
  callerNumber?: string | undefined;
  calledNumber?: string | undefined;
  callId: string;
  now?: Date;
  /** Values for custom variables supplied with the call (API or test); they win over defaults. */
  overrides?: Readonly<Record<string, VariableValue>>;
}

/**
 * The full variable map for one call: declared defaults, then per-call overrides, then the
 * built-ins (which cannot be overridden except by a conversation test's own values).
 */
export function callVariables(
  manifest: {
    name: string;
    timezone: string;
    variables: Readonly<Record<string, { default: VariableValue }>>;
  },
  context: CallContext,
): Record<string, VariableValue> {
  const values: Record<string, VariableValue> = {};
  for (const [name, declared] of Object.entries(manifest.variables)) values[name] = declared.default;
  for (const [name, value] of Object.entries(context.overrides ?? {})) {
    if (name in manifest.variables) values[name] = value;
  }
  values['caller.number'] = context.callerNumber ?? 'unknown';
  values['called.number'] = context.calledNumber ?? 'unknown';
  values['call.id'] = context.callId;
  values['agent.name'] = manifest.name;
  values.now = formatNow(context.now ?? new Date(), manifest.timezone);
  return values;
}

/** Spoken-friendly date and time, so the model can say "today is Tuesday" without arithmetic. */
export function formatNow(now: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    dateStyle: 'full',
    timeStyle: 'short',
  })
    .format(now)
    .concat(` (${timeZone})`);
}
